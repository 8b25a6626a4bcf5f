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
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
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

    static final RootAllocator ROOT = new RootAllocator(Long.MAX_VALUE);

    static ArrowType arrowType(ColumnType t) {
        if (t == ColumnType.INTEGER) return new ArrowType.Int(32, true);
        if (t == ColumnType.LONG) return new ArrowType.Int(64, true);
        if (t == ColumnType.SHORT) return new ArrowType.Int(16, true);
        if (t == ColumnType.DOUBLE) return new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
        if (t == ColumnType.FLOAT) return new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
        if (t == ColumnType.STRING) return ArrowType.Utf8.INSTANCE;
        if (t == ColumnType.BOOLEAN) return ArrowType.Bool.INSTANCE;
        throw new IllegalArgumentException("no Arrow mapping for Tablesaw type " + t.name() + " (supported: INTEGER, LONG, SHORT, DOUBLE, FLOAT, STRING, BOOLEAN)");
    }

    static ColumnType columnType(ArrowType a, String name) {
        if (a instanceof ArrowType.Int i) return i.getBitWidth() == 64 ? ColumnType.LONG : i.getBitWidth() == 16 ? ColumnType.SHORT : ColumnType.INTEGER;
        if (a instanceof ArrowType.FloatingPoint f) return f.getPrecision() == FloatingPointPrecision.SINGLE ? ColumnType.FLOAT : ColumnType.DOUBLE;
        if (a instanceof ArrowType.Utf8 || a instanceof ArrowType.LargeUtf8) return ColumnType.STRING;
        if (a instanceof ArrowType.Bool) return ColumnType.BOOLEAN;
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
            } else {
                throw new IllegalArgumentException("no Arrow mapping for column '" + c.name() + "' of type " + c.type().name());
            }
            v.setValueCount(n);
        }
        root.setRowCount(n);
    }

    /** Appends the rows of {@code root} to columns (created on first use). */
    static List<Column<?>> read(VectorSchemaRoot root, List<Column<?>> into, List<String> only) {
        List<Column<?>> cols = into;
        if (cols == null) {
            cols = new ArrayList<>();
            for (Field f : root.getSchema().getFields()) {
                if (only == null || only.contains(f.getName())) cols.add(columnType(f.getType(), f.getName()).create(f.getName()));
            }
        }
        int n = root.getRowCount();
        for (Column<?> c : cols) {
            FieldVector v = root.getVector(c.name());
            if (c instanceof IntColumn ic) {
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
            }
        }
        return cols;
    }

    /** The table as an Arrow IPC stream. */
    static byte[] toBytes(Table t) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, t.rowCount() * t.columnCount() * 8));
        write(t, Channels.newChannel(out));
        return out.toByteArray();
    }

    static void write(Table t, WritableByteChannel ch) {
        try (BufferAllocator a = ROOT.newChildAllocator("toArrow", 0, Long.MAX_VALUE);
             VectorSchemaRoot root = VectorSchemaRoot.create(schema(t), a);
             ArrowStreamWriter w = new ArrowStreamWriter(root, null, ch)) {
            fill(t, root);
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
            while (r.loadNextBatch()) cols = read(root, cols, only);
            if (cols == null) cols = read(root, null, only);
            String name = root.getSchema().getCustomMetadata() == null ? null : root.getSchema().getCustomMetadata().get("tablesaw.name");
            Table t = Table.create(cols);
            if (name != null) t.setName(name);
            return t;
        } catch (IOException e) {
            throw new UncheckedIOException("reading Arrow IPC: " + e.getMessage(), e);
        }
    }
}
