package org.jdask.dataframe;

import blue.strategic.parquet.ParquetReader;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.schema.MessageType;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * An index kept in Arrow and Parquet files: {@code toArrow}/{@code toParquet} of an indexed frame
 * record the index column (Arrow: schema metadata {@code jdask.index} with the partition's first and
 * last key; Parquet: the schema name {@code jdask.index=column}, the keys come from the column
 * statistics of the footer), and {@code readArrow}/{@code readParquet} rebuild the index and its
 * divisions from the files' footers alone.
 */
final class FileIndexes {
    private FileIndexes() {}

    static final String PARQUET_PREFIX = "jdask.index=";

    /** The key as text: {@code L:<epoch ms>}, {@code D:<double>}, {@code S:<string>}. */
    static String keyText(Object k) {
        return k instanceof Long l ? "L:" + l : k instanceof Double d ? "D:" + d : "S:" + k;
    }

    static Object keyOf(String s) {
        return switch (s.charAt(0)) {
            case 'L' -> Long.parseLong(s.substring(2));
            case 'D' -> Double.parseDouble(s.substring(2));
            default -> s.substring(2);
        };
    }

    static Schema withIndex(Schema s, Table t, String index) {
        if (index == null || !t.containsColumn(index)) return s;
        Map<String, String> meta = new HashMap<>(s.getCustomMetadata() == null ? Map.of() : s.getCustomMetadata());
        meta.put("jdask.index", index);
        Column<?> c = t.column(index);
        Object min = null, max = null;
        for (int i = 0; i < c.size(); i++) {
            Object k = FrameIndex.keyAt(c, i);
            if (k == null) continue;
            if (min == null || FrameIndex.compare(k, min) < 0) min = k;
            if (max == null || FrameIndex.compare(k, max) > 0) max = k;
        }
        if (min != null) {
            meta.put("jdask.index.min", keyText(min));
            meta.put("jdask.index.max", keyText(max));
        }
        return new Schema(s.getFields(), meta);
    }

    /** The index recorded in the files (divisions when every file has its bounds, in order), or null. */
    static FrameIndex restore(String format, List<String> files, LinkedHashMap<String, ColumnType> schema) {
        String index = null;
        List<Object[]> bounds = new ArrayList<>();
        for (String f : files) {
            Object[] b = format.equals("arrow") ? arrowBounds(f) : parquetBounds(f, schema);
            if (b == null) return null;
            if (index == null) index = (String) b[0];
            if (!index.equals(b[0])) return null;
            bounds.add(b);
        }
        if (index == null || !schema.containsKey(index)) return null;
        ColumnType t = schema.get(index);
        List<Object> divs = new ArrayList<>();
        Object lastMax = null;
        for (Object[] b : bounds) {
            if (b[1] == null) return new FrameIndex(index, t.name(), null);
            if (lastMax != null && FrameIndex.compare(lastMax, b[1]) > 0) return new FrameIndex(index, t.name(), null);
            divs.add(b[1]);
            lastMax = b[2];
        }
        divs.add(lastMax);
        return new FrameIndex(index, t.name(), divs);
    }

    private static Object[] arrowBounds(String file) {
        Map<String, String> m = FileFormats.arrowSchemaOf(file).getCustomMetadata();
        if (m == null || m.get("jdask.index") == null) return null;
        String min = m.get("jdask.index.min"), max = m.get("jdask.index.max");
        return new Object[] {m.get("jdask.index"), min == null ? null : keyOf(min), max == null ? null : keyOf(max)};
    }

    private static Object[] parquetBounds(String file, LinkedHashMap<String, ColumnType> schema) {
        try {
            ParquetMetadata md = ParquetReader.readMetadata(new File(file));
            MessageType m = md.getFileMetaData().getSchema();
            if (!m.getName().startsWith(PARQUET_PREFIX)) return null;
            String index = m.getName().substring(PARQUET_PREFIX.length());
            if (!schema.containsKey(index)) return null;
            ColumnType t = schema.get(index);
            double unit = FileFormats.parquetMsPerUnit(m.getType(index));
            Object min = null, max = null;
            for (BlockMetaData block : md.getBlocks()) {
                for (ColumnChunkMetaData c : block.getColumns()) {
                    if (!c.getPath().toDotString().equals(index)) continue;
                    Statistics<?> st = c.getStatistics();
                    if (st == null || !st.hasNonNullValue()) continue;
                    Object lo = key(st.genericGetMin(), t, unit), hi = key(st.genericGetMax(), t, unit);
                    if (min == null || FrameIndex.compare(lo, min) < 0) min = lo;
                    if (max == null || FrameIndex.compare(hi, max) > 0) max = hi;
                }
            }
            return new Object[] {index, min, max};
        } catch (IOException e) {
            throw new UncheckedIOException("reading the Parquet footer of " + file + ": " + e.getMessage(), e);
        }
    }

    private static Object key(Object stat, ColumnType t, double unit) {
        if (Temporal.isTemporal(t)) return FileFormats.parquetMs(stat, unit);
        if (stat instanceof Number n) return n.doubleValue();
        if (stat instanceof org.apache.parquet.io.api.Binary b) return b.toStringUsingUTF8();
        return String.valueOf(stat);
    }
}
