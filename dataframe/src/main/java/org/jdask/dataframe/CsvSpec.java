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
               String inferredFrom, List<DateFormat> formats) implements Serializable {

    static CsvSpec of(List<String> files, CsvOptions o) {
        if (files.isEmpty()) throw new IllegalArgumentException("readCsv needs at least one file");
        String first = files.get(0);
        Charset cs = o.encoding();
        if (o.thousands != 0 && o.thousands == o.decimal) {
            throw new IllegalArgumentException("thousands('" + o.thousands + "') and decimal('" + o.decimal + "') are the same character");
        }
        byte[] sample = CsvFiles.head(first, o.sampleBytes);
        boolean partial = sample.length == o.sampleBytes;
        int start = Inference.skipLines(sample, o.skipRows);
        List<List<String>> rows = Inference.rows(sample, start, sample.length, o, partial, -1);
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
        for (String c : o.parseDates) {
            if (!names.contains(c)) throw new NoSuchElementException("parseDates names unknown column '" + c + "'; the columns of " + first + " are " + names);
        }
        List<ColumnType> inferred = Inference.infer(names, rows, o.naValues, o);
        List<String> types = new ArrayList<>();
        List<DateFormat> formats = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            String forced = o.dtypes.get(name);
            ColumnType t = forced != null ? Dtypes.of(forced) : inferred.get(i);
            DateFormat f = null;
            if (o.parseDates.contains(name) || Temporal.isTemporal(t)) {
                Object[] ft = dateFormat(name, i, rows, o, first);
                f = (DateFormat) ft[0];
                if (forced == null) t = (ColumnType) ft[1];
                if (!Temporal.isTemporal(t)) {
                    throw new IllegalArgumentException("column '" + name + "' is in parseDates but its dtype is " + t.name()
                            + "; use LOCAL_DATE, LOCAL_DATE_TIME, INSTANT or LOCAL_TIME");
                }
            }
            types.add(t.name());
            formats.add(f);
        }
        List<Long> sizes = new ArrayList<>();
        for (String f : files) sizes.add(CsvFiles.size(f));
        String from = "inferred from the first " + sample.length + " bytes of " + first;
        return new CsvSpec(o, List.copyOf(files), sizes, List.copyOf(names), types, from, formats);
    }

    /** The given or inferred date format of column {@code i}, and the type it infers ({format, type}). */
    private static Object[] dateFormat(String name, int i, List<List<String>> rows, CsvOptions o, String first) {
        String pattern = o.dateFormats.get(name);
        if (pattern != null) {
            DateFormat f = new DateFormat("pattern", pattern);
            boolean time = pattern.contains("H") || pattern.contains("h") || pattern.contains("m");
            boolean zone = pattern.contains("X") || pattern.contains("x") || pattern.contains("Z") || pattern.contains("z") || pattern.contains("O") || pattern.contains("V");
            boolean date = pattern.contains("y") || pattern.contains("u") || pattern.contains("d");
            ColumnType t = !date ? ColumnType.LOCAL_TIME : zone ? ColumnType.INSTANT : time ? ColumnType.LOCAL_DATE_TIME : ColumnType.LOCAL_DATE;
            return new Object[] {f, t};
        }
        List<String> values = new ArrayList<>();
        for (List<String> r : rows) if (i < r.size() && !o.naValues.contains(r.get(i))) values.add(r.get(i));
        if (values.isEmpty()) return new Object[] {new DateFormat("iso", null), ColumnType.LOCAL_DATE_TIME};
        Object[] ft = DateFormat.infer(values);
        if (ft != null) return ft;
        String bad = null;
        for (String v : values) if (DateFormat.infer(List.of(v)) == null) { bad = v; break; }
        throw new IllegalArgumentException("column '" + name + "' is in parseDates but no date format fits " + (values.isEmpty()
                ? "(the sample of " + first + " holds no value)" : "the sample value \"" + (bad == null ? values.get(0) : bad) + "\" of " + first)
                + " (tried ISO 8601, yyyy-MM-dd, MM/dd/yyyy, HH:mm:ss, epoch seconds and milliseconds); fix: add .dateFormat(\"" + name
                + "\", \"<pattern>\") to the CsvOptions, e.g. \"dd.MM.yyyy HH:mm\"");
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
