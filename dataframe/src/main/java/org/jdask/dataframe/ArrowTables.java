package org.jdask.dataframe;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdask.graph.JvmFlags;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeSecVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Tablesaw tables as Arrow IPC streams (one schema, one record batch): INTEGER ↔ Int(32),
 * LONG ↔ Int(64), DOUBLE ↔ FloatingPoint(DOUBLE), STRING ↔ Utf8, BOOLEAN ↔ Bool; missing values
 * are Arrow nulls. Every call works in its own child allocator, closed before returning (a leak
 * fails loudly there). This is how partitions cross process boundaries ({@link TableCodec}) and
 * the format of {@link DataFrame#toArrow}/{@link DataFrame#readArrow}.
 */
final class ArrowTables {
    private ArrowTables() {}

    static {
        JvmFlags.requireOpen("java.base", "java.nio", "Apache Arrow (jdask-dataframe's Arrow IPC and Parquet)"); // before Arrow's MemoryUtil loads
    }

    /**
     * Arrow buffers come from {@code Unsafe.allocateMemory} and go back when a table is written or
     * read: with netty's pooled allocator (Arrow's default) every JVM that ever encoded a table kept
     * 16 MB direct chunks, which a worker counts as its memory: a 128 MiB worker stayed past
     * {@code pause} with nothing left to spill, and the 3x shuffle stopped (issue 15).
     */
    static final RootAllocator ROOT = new RootAllocator(RootAllocator.configBuilder()
            .allocationManagerFactory(unsafeAllocation()).maxAllocation(Long.MAX_VALUE).build());

    /**
     * {@code arrow-memory-unsafe}'s factory, looked up by name: its module is not read by this
     * jar's javadoc run (no module requires it), so a compile-time reference fails the build there.
     */
    private static org.apache.arrow.memory.AllocationManager.Factory unsafeAllocation() {
        try {
            return (org.apache.arrow.memory.AllocationManager.Factory) Class.forName("org.apache.arrow.memory.unsafe.UnsafeAllocationManager")
                    .getField("FACTORY").get(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("jdask-dataframe needs org.apache.arrow:arrow-memory-unsafe on the class path: " + e, e);
        }
    }

    static ArrowType arrowType(ColumnType type) {
        ColumnType t = Dtypes.canonical(type);
        if (t == ColumnType.INTEGER) return new ArrowType.Int(32, true);
        if (t == ColumnType.LONG) return new ArrowType.Int(64, true);
        if (t == ColumnType.SHORT) return new ArrowType.Int(16, true);
        if (t == ColumnType.DOUBLE) return new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
        if (t == ColumnType.FLOAT) return new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
        if (t == ColumnType.STRING) return ArrowType.Utf8.INSTANCE;
        if (t == ColumnType.BOOLEAN) return ArrowType.Bool.INSTANCE;
        if (Temporal.same(t, ColumnType.LOCAL_DATE)) return new ArrowType.Date(DateUnit.DAY);
        if (Temporal.same(t, ColumnType.LOCAL_DATE_TIME)) return new ArrowType.Timestamp(TimeUnit.MILLISECOND, null);
        if (Temporal.same(t, ColumnType.INSTANT)) return new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC");
        if (Temporal.same(t, ColumnType.LOCAL_TIME)) return new ArrowType.Time(TimeUnit.MILLISECOND, 32);
        throw new IllegalArgumentException("no Arrow mapping for Tablesaw type " + t.name() + " (supported: INTEGER, LONG, SHORT, DOUBLE, FLOAT, STRING, BOOLEAN, "
                + "LOCAL_DATE, LOCAL_DATE_TIME, INSTANT, LOCAL_TIME)");
    }

    /** The Tablesaw type of a field; a dictionary-encoded field is STRING (its values). */
    static ColumnType columnType(Field f) {
        return f.getDictionary() != null ? ColumnType.STRING : columnType(f.getType(), f.getName());
    }

    /**
     * A dictionary-encoded Arrow vector as a STRING column: each dictionary value decoded once, the
     * rows' codes turned into Tablesaw keys through an array ({@link DictStrings}), no string per row.
     * Rows of a later batch are merged into {@code c} by {@link DictStrings#concat} (codes remapped).
     */
    static StringColumn readDictionary(FieldVector codes, StringColumn c, int n, DictionaryProvider dicts) {
        Dictionary d = dicts == null ? null : dicts.lookup(codes.getField().getDictionary().getId());
        if (d == null) throw new IllegalArgumentException("column '" + c.name() + "' is dictionary-encoded but its dictionary is missing from the file");
        FieldVector values = d.getVector();
        String[] dict = new String[values.getValueCount()];
        for (int i = 0; i < dict.length; i++) dict[i] = values.isNull(i) ? null : String.valueOf(values.getObject(i));
        BaseIntVector idx = (BaseIntVector) codes;
        int[] code = new int[n];
        for (int i = 0; i < n; i++) code[i] = codes.isNull(i) ? -1 : (int) idx.getValueAsLong(i);
        StringColumn batch = DictStrings.column(c.name(), dict, code, n);
        return c.isEmpty() ? batch : DictStrings.concat(c.name(), List.of(c, batch));
    }

    static ColumnType columnType(ArrowType a, String name) {
        if (a instanceof ArrowType.Int i) return i.getBitWidth() == 64 ? ColumnType.LONG : i.getBitWidth() == 16 ? ColumnType.SHORT : ColumnType.INTEGER;
        if (a instanceof ArrowType.FloatingPoint f) return f.getPrecision() == FloatingPointPrecision.SINGLE ? ColumnType.FLOAT : ColumnType.DOUBLE;
        if (a instanceof ArrowType.Utf8 || a instanceof ArrowType.LargeUtf8) return ColumnType.STRING;
        if (a instanceof ArrowType.Bool) return ColumnType.BOOLEAN;
        if (a instanceof ArrowType.Date) return ColumnType.LOCAL_DATE;
        if (a instanceof ArrowType.Timestamp ts) return ts.getTimezone() == null ? ColumnType.LOCAL_DATE_TIME : ColumnType.INSTANT;
        if (a instanceof ArrowType.Time) return ColumnType.LOCAL_TIME;
        throw new IllegalArgumentException("column '" + name + "' has Arrow type " + a + ", which has no Tablesaw mapping here");
    }

    static Schema schema(Table t) {
        List<Field> fields = new ArrayList<>();
        for (Column<?> c : t.columns()) {
            try {
                fields.add(new Field(c.name(), FieldType.nullable(arrowType(c.type())), null));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("column '" + c.name() + "': " + e.getMessage(), e);
            }
        }
        return new Schema(fields, t.name() == null ? null : Map.of("tablesaw.name", t.name()));
    }

    /** Fills {@code root} (allocated from the table's schema) with the table's rows. */
    static void fill(Table t, VectorSchemaRoot root) {
        fill(t, root, null);
    }

    /** Like {@link #fill(Table, VectorSchemaRoot)}; string columns {@code dicts} encodes get codes. */
    static void fill(Table t, VectorSchemaRoot root, ArrowDictionaries dicts) {
        int n = t.rowCount();
        for (int ci = 0; ci < t.columnCount(); ci++) {
            Column<?> c = t.column(ci);
            FieldVector v = root.getVector(ci);
            v.setInitialCapacity(n);
            v.allocateNew();
            if (c instanceof IntColumn ic) {
                IntVector iv = (IntVector) v;
                for (int i = 0; i < n; i++) if (ic.isMissing(i)) iv.setNull(i); else iv.set(i, ic.getInt(i));
            } else if (c instanceof LongColumn lc) {
                BigIntVector bv = (BigIntVector) v;
                for (int i = 0; i < n; i++) if (lc.isMissing(i)) bv.setNull(i); else bv.set(i, lc.getLong(i));
            } else if (c instanceof DoubleColumn dc) {
                Float8Vector fv = (Float8Vector) v;
                for (int i = 0; i < n; i++) { double x = dc.getDouble(i); if (x != x) fv.setNull(i); else fv.set(i, x); }
            } else if (c instanceof StringColumn sc && dicts != null && dicts.fill(sc, v, n)) {
                // dictionary codes written
            } else if (c instanceof StringColumn sc) {
                VarCharVector vv = (VarCharVector) v;
                for (int i = 0; i < n; i++) if (sc.isMissing(i)) vv.setNull(i); else vv.setSafe(i, sc.get(i).getBytes(StandardCharsets.UTF_8));
            } else if (c instanceof BooleanColumn bc) {
                BitVector bv = (BitVector) v;
                for (int i = 0; i < n; i++) if (bc.isMissing(i)) bv.setNull(i); else bv.set(i, bc.get(i) ? 1 : 0);
            } else if (c instanceof tech.tablesaw.api.ShortColumn sh) {
                SmallIntVector sv = (SmallIntVector) v;
                for (int i = 0; i < n; i++) if (sh.isMissing(i)) sv.setNull(i); else sv.set(i, sh.getShort(i));
            } else if (c instanceof tech.tablesaw.api.FloatColumn fc) {
                Float4Vector fv = (Float4Vector) v;
                for (int i = 0; i < n; i++) if (fc.isMissing(i)) fv.setNull(i); else fv.set(i, fc.getFloat(i));
            } else if (Temporal.isTemporal(c.type())) {
                fillTemporal(c, v, n);
            } else {
                throw new IllegalArgumentException("no Arrow mapping for column '" + c.name() + "' of type " + c.type().name());
            }
            v.setValueCount(n);
        }
        root.setRowCount(n);
    }

    /** Appends the rows of {@code root} to columns (created on first use). */
    static List<Column<?>> read(VectorSchemaRoot root, List<Column<?>> into, List<String> only) {
        return read(root, into, only, null);
    }

    /**
     * Appends the rows of {@code root} to columns (created on first use); dictionary-encoded columns
     * (pandas categoricals, as pyarrow writes them) become STRING columns: each dictionary value is
     * decoded once, rows are looked up by their code.
     */
    static List<Column<?>> read(VectorSchemaRoot root, List<Column<?>> into, List<String> only, DictionaryProvider dicts) {
        List<Column<?>> cols = into;
        int n = root.getRowCount();
        boolean[] filled = null;
        if (cols == null) {
            cols = new ArrayList<>();
            List<Field> fields = root.getSchema().getFields();
            filled = new boolean[fields.size()];
            for (Field f : fields) {
                if (only != null && !only.contains(f.getName())) continue;
                Column<?> whole = f.getDictionary() == null ? whole(root.getVector(f.getName()), columnType(f), n) : null;
                filled[cols.size()] = whole != null;
                cols.add(whole != null ? whole : columnType(f).create(f.getName()));
            }
        }
        for (int j = 0; j < cols.size(); j++) {
            Column<?> c = cols.get(j);
            if (filled != null && filled[j]) continue;
            FieldVector v = root.getVector(c.name());
            if (v.getField().getDictionary() != null) {
                cols.set(j, readDictionary(v, (StringColumn) c, n, dicts));
            } else if (c instanceof IntColumn ic) {
                IntVector iv = (IntVector) v;
                for (int i = 0; i < n; i++) if (iv.isNull(i)) ic.appendMissing(); else ic.append(iv.get(i));
            } else if (c instanceof LongColumn lc) {
                BigIntVector bv = (BigIntVector) v;
                for (int i = 0; i < n; i++) if (bv.isNull(i)) lc.appendMissing(); else lc.append(bv.get(i));
            } else if (c instanceof DoubleColumn dc) {
                Float8Vector fv = (Float8Vector) v;
                for (int i = 0; i < n; i++) if (fv.isNull(i)) dc.appendMissing(); else dc.append(fv.get(i));
            } else if (c instanceof StringColumn sc) {
                VarCharVector vv = (VarCharVector) v;
                for (int i = 0; i < n; i++) if (vv.isNull(i)) sc.appendMissing(); else sc.append(new String(vv.get(i), StandardCharsets.UTF_8));
            } else if (c instanceof BooleanColumn bc) {
                BitVector bv = (BitVector) v;
                for (int i = 0; i < n; i++) if (bv.isNull(i)) bc.appendMissing(); else bc.append(bv.get(i) != 0);
            } else if (c instanceof tech.tablesaw.api.ShortColumn sh) {
                SmallIntVector sv = (SmallIntVector) v;
                for (int i = 0; i < n; i++) if (sv.isNull(i)) sh.appendMissing(); else sh.append(sv.get(i));
            } else if (c instanceof tech.tablesaw.api.FloatColumn fc) {
                Float4Vector fv = (Float4Vector) v;
                for (int i = 0; i < n; i++) if (fv.isNull(i)) fc.appendMissing(); else fc.append(fv.get(i));
            } else if (Temporal.isTemporal(c.type())) {
                readTemporal(v, c, n);
            }
        }
        return cols;
    }

    /**
     * A whole INTEGER, LONG or DOUBLE column without missing values, straight from the vector into
     * an array of its final size; else null (appended value by value). Appending grew the column's
     * array by halves from empty: about twice its bytes in copies thrown away, for every piece a
     * worker read back from its spill store or a peer (issue 15).
     */
    static Column<?> whole(FieldVector v, ColumnType type, int n) {
        if (v.getNullCount() != 0) return null;
        String name = v.getField().getName();
        if (type == ColumnType.INTEGER && v instanceof IntVector iv) {
            int[] a = new int[n];
            for (int i = 0; i < n; i++) a[i] = iv.get(i);
            return WrappedColumns.ints(name, a);
        }
        if (type == ColumnType.LONG && v instanceof BigIntVector bv) {
            long[] a = new long[n];
            for (int i = 0; i < n; i++) a[i] = bv.get(i);
            return WrappedColumns.longs(name, a);
        }
        if (type == ColumnType.DOUBLE && v instanceof Float8Vector fv) {
            double[] a = new double[n];
            for (int i = 0; i < n; i++) a[i] = fv.get(i);
            return WrappedColumns.doubles(name, a);
        }
        return null;
    }

    /** Epoch milliseconds (or milliseconds of the day, for times) into Arrow's date, timestamp and time vectors. */
    static void fillTemporal(Column<?> c, FieldVector v, int n) {
        for (int i = 0; i < n; i++) {
            long ms = Temporal.epochMs(c, i);
            if (ms == Temporal.MISSING) { v.setNull(i); continue; }
            if (v instanceof DateDayVector d) d.set(i, (int) Math.floorDiv(ms, Temporal.DAY_MS));
            else if (v instanceof TimeMilliVector t) t.set(i, (int) ms);
            else ((TimeStampVector) v).set(i, ms);
        }
    }

    /** Arrow dates (day, milli), timestamps (any unit; with a zone: instants) and times into a Tablesaw column. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static void readTemporal(FieldVector v, Column c, int n) {
        long[] ms = new long[n];
        for (int i = 0; i < n; i++) {
            if (v.isNull(i)) { ms[i] = Temporal.MISSING; continue; }
            if (v instanceof DateDayVector d) ms[i] = d.get(i) * Temporal.DAY_MS;
            else if (v instanceof DateMilliVector d) ms[i] = d.get(i);
            else if (v instanceof TimeStampVector t) ms[i] = toMs(t.get(i), ((ArrowType.Timestamp) v.getField().getType()).getUnit());
            else if (v instanceof TimeMilliVector t) ms[i] = t.get(i);
            else if (v instanceof TimeSecVector t) ms[i] = t.get(i) * 1000L;
            else if (v instanceof TimeMicroVector t) ms[i] = t.get(i) / 1000L;
            else if (v instanceof TimeNanoVector t) ms[i] = t.get(i) / 1_000_000L;
            else throw new IllegalArgumentException("column '" + c.name() + "': Arrow vector " + v.getClass().getSimpleName() + " is not read here");
        }
        c.append(Temporal.fromEpochMs(c.name(), c.type(), ms));
    }

    static long toMs(long v, TimeUnit unit) {
        return switch (unit) {
            case SECOND -> v * 1000L;
            case MILLISECOND -> v;
            case MICROSECOND -> Math.floorDiv(v, 1000L);
            case NANOSECOND -> Math.floorDiv(v, 1_000_000L);
        };
    }

    /** The table as an Arrow IPC stream. */
    static byte[] toBytes(Table t) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, t.rowCount() * t.columnCount() * 8));
        write(t, Channels.newChannel(out));
        return out.toByteArray();
    }

    /**
     * The table as one Arrow IPC stream batch; low-cardinality string columns go as dictionaries
     * ({@link ArrowDictionaries}), so a partition crossing processes carries codes, not a string
     * per row, and is read back through {@link DictStrings} without a string per row.
     */
    static void write(Table t, WritableByteChannel ch) {
        try (BufferAllocator a = ROOT.newChildAllocator("toArrow", 0, Long.MAX_VALUE);
             ArrowDictionaries dicts = new ArrowDictionaries(schema(t), t, a);
             VectorSchemaRoot root = VectorSchemaRoot.create(dicts.schema, a);
             ArrowStreamWriter w = new ArrowStreamWriter(root, dicts.provider, ch)) {
            fill(t, root, dicts);
            w.start();
            w.writeBatch();
            w.end();
        } catch (IOException e) {
            throw new UncheckedIOException("writing Arrow IPC", e);
        }
    }

    /** Reads every batch of an Arrow IPC stream into one table ({@code only}: columns to keep, or null). */
    static Table read(ReadableByteChannel ch, List<String> only) {
        try (BufferAllocator a = ROOT.newChildAllocator("fromArrow", 0, Long.MAX_VALUE);
             ArrowStreamReader r = new ArrowStreamReader(ch, a)) {
            VectorSchemaRoot root = r.getVectorSchemaRoot();
            List<Column<?>> cols = null;
            while (r.loadNextBatch()) cols = read(root, cols, only, r);
            if (cols == null) cols = read(root, null, only, r);
            String name = root.getSchema().getCustomMetadata() == null ? null : root.getSchema().getCustomMetadata().get("tablesaw.name");
            Table t = Table.create(cols);
            if (name != null) t.setName(name);
            return t;
        } catch (IOException e) {
            throw new UncheckedIOException("reading Arrow IPC: " + e.getMessage(), e);
        }
    }
}
