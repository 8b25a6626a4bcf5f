package org.jdask.dataframe;

import java.io.Serializable;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import tech.tablesaw.api.ColumnType;

/**
 * What {@link DataFrame#readCsv} found before computing anything: the files, each file's column
 * names and types (from the header and a sample of the first file, overridden by {@code dtype}),
 * and the partitions (file, block of file, blocks in that file).
 */
record CsvSpec(CsvOptions options, List<String> files, List<Long> sizes, List<String> fileColumns, List<String> fileTypes,
               String inferredFrom) implements Serializable {

    static CsvSpec of(List<String> files, CsvOptions o) {
        if (files.isEmpty()) throw new IllegalArgumentException("readCsv needs at least one file");
        String first = files.get(0);
        Charset cs = o.encoding();
        byte[] sample = CsvFiles.head(first, o.sampleBytes);
        boolean partial = sample.length == o.sampleBytes;
        List<List<String>> rows = Inference.rows(sample, 0, sample.length, (byte) o.separator, (byte) o.quote, cs, partial, -1);
        List<String> names;
        if (o.header) {
            if (rows.isEmpty()) throw new IllegalArgumentException(first + " has no header line" + (sample.length == 0 ? " (the file is empty)" : ""));
            names = rows.remove(0);
            if (o.names != null) names = o.names;
        } else {
            if (o.names != null) names = o.names;
            else {
                int n = rows.isEmpty() ? 0 : rows.get(0).size();
                names = new ArrayList<>();
                for (int i = 0; i < n; i++) names.add("C" + i);
            }
        }
        java.util.HashSet<String> seen = new java.util.HashSet<>();
        for (String n : names) if (!seen.add(n)) throw new IllegalArgumentException(first + ": column name '" + n + "' appears twice in " + names);
        for (String c : o.dtypes.keySet()) {
            if (!names.contains(c)) throw new NoSuchElementException("dtype given for unknown column '" + c + "'; the columns of " + first + " are " + names);
        }
        if (o.usecols != null) {
            for (String c : o.usecols) {
                if (!names.contains(c)) throw new NoSuchElementException("usecols names unknown column '" + c + "'; the columns of " + first + " are " + names);
            }
        }
        List<ColumnType> inferred = Inference.infer(names, rows, o.naValues);
        List<String> types = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String forced = o.dtypes.get(names.get(i));
            types.add(forced != null ? forced : inferred.get(i).name());
        }
        List<Long> sizes = new ArrayList<>();
        for (String f : files) sizes.add(CsvFiles.size(f));
        String from = "inferred from the first " + sample.length + " bytes of " + first;
        return new CsvSpec(o, List.copyOf(files), sizes, List.copyOf(names), types, from);
    }

    /** Columns of the frame: usecols (or all) in file order, then the path column. */
    LinkedHashMap<String, ColumnType> schema() {
        LinkedHashMap<String, ColumnType> m = new LinkedHashMap<>();
        for (int i = 0; i < fileColumns.size(); i++) {
            String c = fileColumns.get(i);
            if (options.usecols == null || options.usecols.contains(c)) m.put(c, Dtypes.of(fileTypes.get(i)));
        }
        if (options.pathColumn != null) m.put(options.pathColumn, ColumnType.STRING);
        return m;
    }

    int blocks(int file) {
        String f = files.get(file);
        if (CsvFiles.compressed(f)) return 1;
        long size = sizes.get(file);
        return (int) Math.max(1, (size + options.blocksize - 1) / options.blocksize);
    }

    /** Partition list: {file index, block, blocks in file}. */
    List<int[]> partitions() {
        List<int[]> out = new ArrayList<>();
        for (int f = 0; f < files.size(); f++) {
            int n = blocks(f);
            for (int b = 0; b < n; b++) out.add(new int[] {f, b, n});
        }
        return out;
    }

    Map<String, ColumnType> types() {
        LinkedHashMap<String, ColumnType> m = new LinkedHashMap<>();
        for (int i = 0; i < fileColumns.size(); i++) m.put(fileColumns.get(i), Dtypes.of(fileTypes.get(i)));
        return m;
    }
}
