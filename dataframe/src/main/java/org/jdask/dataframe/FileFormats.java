package org.jdask.dataframe;

import blue.strategic.parquet.Dehydrator;
import blue.strategic.parquet.Hydrator;
import blue.strategic.parquet.ParquetReader;
import blue.strategic.parquet.ParquetWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.jdask.fn.FnN;
import org.jdask.graph.Key;
import org.jdask.graph.Task;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Arrow IPC files (the format pyarrow's {@code ipc.open_file}/Feather v2 read; IPC streams are read
 * too) and Parquet through parquet-floor: one partition per file, column projection on read.
 */
final class FileFormats {
    private FileFormats() {}

    // ------------------------------------------------------------------ Arrow

    static boolean isArrowFile(String file) {
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            byte[] magic = in.readNBytes(6);
            return Arrays.equals(magic, "ARROW1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }

    static LinkedHashMap<String, ColumnType> arrowSchema(String file) {
        LinkedHashMap<String, ColumnType> m = new LinkedHashMap<>();
        for (Field f : arrowSchemaOf(file).getFields()) m.put(f.getName(), ArrowTables.columnType(f));
        return m;
    }

    /** The Arrow schema (with its custom metadata) of a file or stream. */
    static Schema arrowSchemaOf(String file) {
        try (BufferAllocator a = ArrowTables.ROOT.newChildAllocator("schema", 0, Long.MAX_VALUE);
             FileChannel ch = FileChannel.open(Path.of(file), StandardOpenOption.READ)) {
            Schema s;
            if (isArrowFile(file)) {
                try (ArrowFileReader r = new ArrowFileReader(ch, a)) { s = r.getVectorSchemaRoot().getSchema(); }
            } else {
                try (ArrowStreamReader r = new ArrowStreamReader(ch, a)) { s = r.getVectorSchemaRoot().getSchema(); }
            }
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the Arrow schema of " + file + ": " + e.getMessage(), e);
        }
    }

    static Table readArrow(String file, List<String> columns) {
        if (!isArrowFile(file)) {
            try (FileChannel ch = FileChannel.open(Path.of(file), StandardOpenOption.READ)) {
                return ArrowTables.read(ch, columns);
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + file, e);
            }
        }
        try (BufferAllocator a = ArrowTables.ROOT.newChildAllocator("readArrow", 0, Long.MAX_VALUE);
             FileChannel ch = FileChannel.open(Path.of(file), StandardOpenOption.READ);
             ArrowFileReader r = new ArrowFileReader(ch, a)) {
            VectorSchemaRoot root = r.getVectorSchemaRoot();
            List<Column<?>> cols = null;
            while (r.loadNextBatch()) cols = ArrowTables.read(root, cols, columns, r);
            if (cols == null) cols = ArrowTables.read(root, null, columns, r);
            return Table.create(Path.of(file).getFileName().toString(), cols);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
        }
    }

    static void writeArrow(Table t, String file) {
        writeArrow(t, file, null);
    }

    /** Writes an Arrow IPC file; with an index column, its name and this partition's first and last key go in the schema metadata. */
    static void writeArrow(Table t, String file, String index) {
        try {
            Path p = Path.of(file);
            if (p.getParent() != null) Files.createDirectories(p.getParent());
            try (BufferAllocator a = ArrowTables.ROOT.newChildAllocator("writeArrow", 0, Long.MAX_VALUE);
                 ArrowDictionaries dicts = new ArrowDictionaries(FileIndexes.withIndex(ArrowTables.schema(t), t, index), t, a);
                 VectorSchemaRoot root = VectorSchemaRoot.create(dicts.schema, a);
                 FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 ArrowFileWriter w = new ArrowFileWriter(root, dicts.provider, ch)) {
                ArrowTables.fill(t, root, dicts);
                w.start();
                w.writeBatch();
                w.end();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
    }

    // ------------------------------------------------------------------ Parquet

    static ColumnType parquetType(Type t) {
        if (!t.isPrimitive()) throw new IllegalArgumentException("Parquet column '" + t.getName() + "' is nested; only flat columns are read");
        PrimitiveType p = t.asPrimitiveType();
        LogicalTypeAnnotation l = p.getLogicalTypeAnnotation();
        if (l instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation) return ColumnType.LOCAL_DATE;
        if (l instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts) return ts.isAdjustedToUTC() ? ColumnType.INSTANT : ColumnType.LOCAL_DATE_TIME;
        if (l instanceof LogicalTypeAnnotation.TimeLogicalTypeAnnotation) return ColumnType.LOCAL_TIME;
        return switch (p.getPrimitiveTypeName()) {
            case INT32 -> ColumnType.INTEGER;
            case INT64 -> ColumnType.LONG;
            case DOUBLE -> ColumnType.DOUBLE;
            case FLOAT -> ColumnType.FLOAT;
            case BOOLEAN -> ColumnType.BOOLEAN;
            case BINARY -> ColumnType.STRING;
            case INT96 -> ColumnType.INSTANT; // legacy Impala/Spark timestamps
            default -> throw new IllegalArgumentException("Parquet column '" + t.getName() + "' has type " + p.getPrimitiveTypeName() + ", not read here");
        };
    }

    /** Milliseconds per unit of a temporal Parquet column (epoch days, timestamps, times of day), or 0 when it is not temporal. */
    static double parquetMsPerUnit(Type t) {
        PrimitiveType p = t.asPrimitiveType();
        LogicalTypeAnnotation l = p.getLogicalTypeAnnotation();
        if (l instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation) return Temporal.DAY_MS;
        LogicalTypeAnnotation.TimeUnit u = l instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts ? ts.getUnit()
                : l instanceof LogicalTypeAnnotation.TimeLogicalTypeAnnotation tm ? tm.getUnit() : null;
        if (u == null) return p.getPrimitiveTypeName() == PrimitiveTypeName.INT96 ? -1 : 0;
        return switch (u) { case MILLIS -> 1; case MICROS -> 1e-3; case NANOS -> 1e-6; };
    }

    /** Epoch (or time-of-day) milliseconds of a raw Parquet temporal value. */
    static long parquetMs(Object v, double msPerUnit) {
        if (v instanceof Binary b) { // INT96: nanoseconds of the day (8 bytes) then the Julian day (4), little-endian
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b.getBytes()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            long nanos = bb.getLong();
            int julian = bb.getInt();
            return (julian - 2_440_588L) * Temporal.DAY_MS + nanos / 1_000_000L;
        }
        long x = ((Number) v).longValue();
        if (msPerUnit == 1) return x;
        if (msPerUnit == Temporal.DAY_MS) return x * Temporal.DAY_MS;
        return Math.floorDiv(x, Math.round(1 / msPerUnit));
    }

    static LinkedHashMap<String, ColumnType> parquetSchema(String file) {
        try {
            MessageType m = ParquetReader.readMetadata(new File(file)).getFileMetaData().getSchema();
            LinkedHashMap<String, ColumnType> out = new LinkedHashMap<>();
            for (Type t : m.getFields()) out.put(t.getName(), parquetType(t));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the Parquet footer of " + file + ": " + e.getMessage(), e);
        }
    }

    static Table readParquet(String file, List<String> columns, LinkedHashMap<String, ColumnType> schema) {
        List<String> names = new ArrayList<>();
        for (String c : schema.keySet()) if (columns == null || columns.contains(c)) names.add(c);
        int n = names.size();
        Hydrator<Object[], Object[], Integer> h = new Hydrator<>() {
            public Object[] start() { return new Object[n]; }
            public Object[] add(Object[] row, Integer field, Object value) {
                if (field >= 0) row[field] = value;
                return row;
            }
            public Object[] finish(Object[] row) { return row; }
        };
        List<Column<?>> cols = new ArrayList<>();
        for (String c : names) cols.add(schema.get(c).create(c));
        double[] unit = new double[n];
        long[][] ms = new long[n][];
        ParquetStrings[] strings = new ParquetStrings[n];
        for (int i = 0; i < n; i++) if (cols.get(i) instanceof StringColumn) strings[i] = new ParquetStrings();
        int[] count = {0};
        try {
            MessageType m = ParquetReader.readMetadata(new File(file)).getFileMetaData().getSchema();
            for (int i = 0; i < n; i++) {
                unit[i] = parquetMsPerUnit(m.getType(names.get(i)));
                if (unit[i] != 0) ms[i] = new long[1024];
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the Parquet footer of " + file + ": " + e.getMessage(), e);
        }
        try (Stream<Object[]> rows = ParquetReader.streamContent(new File(file), h, path -> names.indexOf(path[0]))) {
            rows.forEach(row -> {
                int r = count[0]++;
                for (int i = 0; i < n; i++) {
                    Object v = row[i];
                    if (unit[i] != 0) {
                        if (r == ms[i].length) ms[i] = Arrays.copyOf(ms[i], r * 2);
                        ms[i][r] = v == null ? Temporal.MISSING : parquetMs(v, unit[i]);
                        continue;
                    }
                    if (strings[i] != null) {
                        strings[i].add(r, v);
                        continue;
                    }
                    if (v instanceof Binary b) v = b.toStringUsingUTF8();
                    GroupKernel.appendValue(cols.get(i), v);
                }
            });
            for (int i = 0; i < n; i++) {
                if (unit[i] != 0) cols.set(i, Temporal.fromEpochMs(names.get(i), schema.get(names.get(i)), Arrays.copyOf(ms[i], count[0])));
                if (strings[i] != null) cols.set(i, strings[i].column(names.get(i), count[0]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
        }
        return Table.create(Path.of(file).getFileName().toString(), cols);
    }

    static void writeParquet(Table t, String file) {
        writeParquet(t, file, null);
    }

    /** Writes a Parquet file; an index column is named in the schema's name ({@code jdask.index=column}). */
    static void writeParquet(Table t, String file, String index) {
        Types.MessageTypeBuilder b = Types.buildMessage();
        for (Column<?> c : t.columns()) {
            ColumnType ty = Dtypes.canonical(c.type());
            if (ty == ColumnType.INTEGER || ty == ColumnType.SHORT) b.optional(PrimitiveTypeName.INT32).named(c.name());
            else if (ty == ColumnType.LONG) b.optional(PrimitiveTypeName.INT64).named(c.name());
            else if (ty == ColumnType.DOUBLE) b.optional(PrimitiveTypeName.DOUBLE).named(c.name());
            else if (ty == ColumnType.FLOAT) b.optional(PrimitiveTypeName.FLOAT).named(c.name());
            else if (ty == ColumnType.BOOLEAN) b.optional(PrimitiveTypeName.BOOLEAN).named(c.name());
            else if (ty == ColumnType.STRING) b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(c.name());
            else if (Temporal.same(ty, ColumnType.LOCAL_DATE)) b.optional(PrimitiveTypeName.INT32).as(LogicalTypeAnnotation.dateType()).named(c.name());
            else if (Temporal.same(ty, ColumnType.LOCAL_DATE_TIME) || Temporal.same(ty, ColumnType.INSTANT)) {
                b.optional(PrimitiveTypeName.INT64).as(LogicalTypeAnnotation.timestampType(Temporal.same(ty, ColumnType.INSTANT), LogicalTypeAnnotation.TimeUnit.MICROS)).named(c.name());
            } else if (Temporal.same(ty, ColumnType.LOCAL_TIME)) {
                b.optional(PrimitiveTypeName.INT64).as(LogicalTypeAnnotation.timeType(false, LogicalTypeAnnotation.TimeUnit.MICROS)).named(c.name());
            } else throw new IllegalArgumentException("toParquet cannot write column '" + c.name() + "' of type " + ty.name());
        }
        MessageType schema = b.named(index == null ? "table" : FileIndexes.PARQUET_PREFIX + index);
        Dehydrator<Integer> d = (row, w) -> {
            for (Column<?> c : t.columns()) {
                if (c.isMissing(row)) continue;
                if (Temporal.isTemporal(c.type())) {
                    long ms = Temporal.epochMs(c, row);
                    w.write(c.name(), Temporal.same(c.type(), ColumnType.LOCAL_DATE) ? (Object) (int) Math.floorDiv(ms, Temporal.DAY_MS) : (Object) (ms * 1000L));
                    continue;
                }
                Object v = c.get(row);
                if (v instanceof Short s) v = (int) s;
                w.write(c.name(), v);
            }
        };
        try {
            Path p = Path.of(file);
            if (p.getParent() != null) Files.createDirectories(p.getParent());
            Files.deleteIfExists(p);
            try (ParquetWriter<Integer> w = ParquetWriter.writeFile(schema, p.toFile(), d)) {
                for (int i = 0; i < t.rowCount(); i++) w.write(i);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ plan and tasks

    record ReadFile(String format, String file, List<String> columns, LinkedHashMap<String, String> schema) implements FnN {
        @Override public Object invoke(Object[] a) {
            return format.equals("arrow") ? readArrow(file, columns) : readParquet(file, columns, Shuffle.types(schema));
        }
        @Override public int arity() { return 0; }
        @Override public String toString() { return "read-" + format; }
    }

    record WriteFile(String format, String file, String index) implements FnN {
        WriteFile(String format, String file) {
            this(format, file, null);
        }

        @Override public Object invoke(Object[] a) {
            if (format.equals("arrow")) writeArrow((Table) a[0], file, index);
            else writeParquet((Table) a[0], file, index);
            return file;
        }
        @Override public int arity() { return 1; }
        @Override public String toString() { return "to-" + format; }
    }

    /** One partition per file; reads only the required columns. */
    static final class Files_ extends Plan {
        final String format;
        final List<String> files;
        final List<Long> stamps;

        Files_(String format, List<String> files, LinkedHashMap<String, ColumnType> schema) {
            super(schema, files.size());
            this.format = format;
            this.files = files;
            List<Long> st = new ArrayList<>();
            for (String f : files) {
                try {
                    st.add(Files.getLastModifiedTime(Path.of(f)).toMillis() ^ Files.size(Path.of(f)));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot stat " + f, e);
                }
            }
            this.stamps = st;
        }

        @Override Object identity() { return List.of("read-" + format, files, stamps, new ArrayList<>(schema.keySet())); }

        @Override List<Key> lower(Set<String> required, Lowering lw) {
            List<String> cols = new ArrayList<>();
            for (String c : schema.keySet()) if (required == null || required.contains(c)) cols.add(c);
            if (cols.isEmpty()) cols.add(schema.keySet().iterator().next());
            String name = "read-" + format + "-" + tok(token(), cols);
            List<Key> out = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                Key k = Key.of(name, i);
                lw.b.put(k, Task.ofArray(new ReadFile(format, files.get(i), cols, Shuffle.names(schema)), new Object[0]));
                out.add(k);
            }
            return out;
        }
    }
}
