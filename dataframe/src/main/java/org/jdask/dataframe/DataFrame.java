package org.jdask.dataframe;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdask.Jdask;
import org.jdask.Lazy;
import org.jdask.fn.Fn1;
import org.jdask.graph.Globs;
import org.jdask.graph.GraphOptimizer;
import org.jdask.graph.Key;
import org.jdask.graph.Node;
import org.jdask.graph.TaskGraph;
import org.jdask.graph.Tokenizable;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;

/**
 * A lazy table split into row partitions, each a Tablesaw {@link Table} (Dask's dataframe).
 *
 * <pre>{@code
 * DataFrame air = DataFrame.readCsv("airline/*.csv.bz2", CsvOptions.defaults()
 *         .encoding(StandardCharsets.ISO_8859_1).dtype("DepDelay", ColumnType.DOUBLE));
 * double maxDelay = air.col("DepDelay").max().compute();
 * Table byDest = air.filter(col("UniqueCarrier").eq("UA").and(col("Origin").eq("SFO")))
 *         .groupBy("Dest").agg(mean("DepDelay")).compute();
 * }</pre>
 *
 * <p>A frame is a logical plan plus its metadata: column names and types are known before
 * anything runs ({@link #columns()}, {@link #dtypes()}). When it is computed, the plan is lowered
 * to one task per partition, reading only the columns the result needs; computing several
 * results in one {@link Jdask#compute} reads each file once. Keys are deterministic tokens of
 * the plan, so building the same frame twice gives the same graph.
 */
public final class DataFrame implements Lazy<Table>, Tokenizable {
    final Plan plan;
    /** The sorted index and its divisions, or null (see {@link #setIndex(String, boolean)}). */
    final FrameIndex index;
    private TaskGraph graph;
    private List<Key> keys;

    DataFrame(Plan plan) {
        this(plan, null);
    }

    DataFrame(Plan plan, FrameIndex index) {
        this.plan = plan;
        this.index = index;
    }

    // ------------------------------------------------------------------ creation

    /** Reads CSV files matching {@code glob} with the default options. */
    public static DataFrame readCsv(String glob) {
        return readCsv(glob, CsvOptions.defaults());
    }

    /**
     * Reads CSV files matching {@code glob} (sorted by path; {@code .gz}, {@code .bz2}, {@code .zst}
     * decompressed by suffix). Types come from the header and a sample of the first file, overridden
     * by {@code dtype}; fails now on an empty glob or unknown {@code usecols}/{@code dtype} names.
     */
    public static DataFrame readCsv(String glob, CsvOptions options) {
        return readCsv(CsvFiles.expand(glob, "readCsv"), options);
    }

    /** Reads the listed CSV files (in this order). */
    public static DataFrame readCsv(List<String> files, CsvOptions options) {
        if (files.isEmpty()) throw new IllegalArgumentException("readCsv got an empty list of files");
        for (String f : files) Globs.existing(f, "readCsv"); // a missing file: NoSuchFileException naming it, now
        return new DataFrame(new Plan.Csv(CsvSpec.of(files, options)));
    }

    /**
     * Reads Arrow IPC files (file format, as pyarrow's {@code ipc.new_file}/Feather v2 write; IPC
     * streams too), one partition per file; only the columns a result needs are kept.
     */
    public static DataFrame readArrow(String glob) {
        List<String> files = CsvFiles.expand(glob, "readArrow");
        FileFormats.Files_ plan = new FileFormats.Files_("arrow", files, FileFormats.arrowSchema(files.get(0)));
        return new DataFrame(plan, FileIndexes.restore("arrow", files, plan.schema));
    }

    /**
     * Reads Parquet files (flat columns: int32, int64, double, float, boolean, string, date, timestamp
     * in any unit (with UTC adjustment: INSTANT), time, int96), one partition per file. A frame
     * written by {@link #toParquet} with an index gets it back, with divisions from the footers'
     * statistics (no data read).
     */
    public static DataFrame readParquet(String glob) {
        List<String> files = CsvFiles.expand(glob, "readParquet");
        FileFormats.Files_ plan = new FileFormats.Files_("parquet", files, FileFormats.parquetSchema(files.get(0)));
        return new DataFrame(plan, FileIndexes.restore("parquet", files, plan.schema));
    }

    /** A frame of one in-memory table cut into {@code npartitions} row ranges. */
    public static DataFrame fromTable(Table table, int npartitions) {
        if (npartitions < 1) throw new IllegalArgumentException("npartitions must be >= 1, got " + npartitions);
        int n = table.rowCount();
        List<Table> parts = new ArrayList<>();
        for (int i = 0; i < npartitions; i++) {
            int from = (int) ((long) n * i / npartitions), to = (int) ((long) n * (i + 1) / npartitions);
            parts.add(table.inRange(from, to));
        }
        return fromTables(parts);
    }

    /**
     * A frame whose partition {@code i} holds the records of bag partition {@code i}: a bag of
     * {@code Map}s (by column name; absent keys are missing) or of {@code List}s / {@code Object[]}
     * (by position), typed by {@code schema} (column name to type, in order). Takes any {@code Lazy}
     * of lists, so jdask-dataframe needs no compile-time dependency on jdask-bag. A record that does
     * not fit fails naming the bag partition and its position.
     */
    public static DataFrame fromBag(Lazy<? extends List<?>> bag, Map<String, ColumnType> schema) {
        return FromBag.of(bag, schema);
    }

    /** A frame whose partitions are these tables (same column names and types). */
    public static DataFrame fromTables(List<Table> partitions) {
        if (partitions.isEmpty()) throw new IllegalArgumentException("fromTables needs at least one table");
        LinkedHashMap<String, ColumnType> schema = Tablesx.schemaOf(partitions.get(0));
        for (int i = 1; i < partitions.size(); i++) {
            if (!Tablesx.schemaOf(partitions.get(i)).equals(schema)) {
                throw new IllegalArgumentException("partition " + i + " has columns " + Tablesx.schemaOf(partitions.get(i)) + ", partition 0 has " + schema);
            }
        }
        return new DataFrame(new Plan.Tables(List.copyOf(partitions), schema));
    }

    // ------------------------------------------------------------------ metadata

    /** Column names, known without computing. */
    public List<String> columns() {
        return new ArrayList<>(plan.schema.keySet());
    }

    /** Column types, known without computing. */
    public Map<String, ColumnType> dtypes() {
        return new LinkedHashMap<>(plan.schema);
    }

    public int npartitions() {
        return plan.npartitions;
    }

    // ------------------------------------------------------------------ partition-wise operations

    private DataFrame with(Ops.PartOp op) {
        Plan.Parts p = new Plan.Parts(plan, op);
        return new DataFrame(p, TimeSeries.keepsIndex(index, op, p.schema));
    }

    /** Rows where {@code cond} is true (missing counts as false). */
    public DataFrame filter(Expr cond) { return with(new Ops.Filter(cond)); }

    /** Adds (or replaces) column {@code name} computed by {@code value}. */
    public DataFrame assign(String name, Expr value) { return with(new Ops.Assign(name, value)); }

    /** Only these columns, in this order. */
    public DataFrame select(String... cols) { return with(new Ops.Select(List.of(cols))); }

    public DataFrame drop(String... cols) { return with(new Ops.Drop(List.of(cols))); }

    /** Renames columns ({@code old -> new}). */
    public DataFrame rename(Map<String, String> names) { return with(new Ops.Rename(new LinkedHashMap<>(names))); }

    /** Replaces missing values in the listed columns (all columns whose type fits when none are listed). */
    public DataFrame fillna(Object value, String... cols) { return with(new Ops.Fillna(value, List.of(cols))); }

    /** Drops rows with a missing value in any of {@code subset} (any column when empty). */
    public DataFrame dropna(String... subset) { return with(new Ops.Dropna(List.of(subset))); }

    public DataFrame astype(String column, ColumnType type) { return with(new Ops.Astype(column, Dtypes.name(type))); }

    /** Sorts each partition (not globally) by the columns; {@code "-x"} sorts x descending. */
    DataFrame sortWithinPartitions(String... cols) { return with(new Ops.Sort(List.of(cols))); }

    /**
     * Applies {@code fn} to each partition; {@code meta} declares the output columns and types (as
     * in Dask, the function is not called to find them), in its iteration order (pass a {@code
     * LinkedHashMap} to fix it; partitions are reordered to match). A partition that comes back with
     * other columns or types fails naming both.
     */
    public DataFrame mapPartitions(Fn1<Table, Table> fn, Map<String, ColumnType> meta) {
        LinkedHashMap<String, String> m = new LinkedHashMap<>();
        meta.forEach((c, t) -> m.put(c, Dtypes.name(t)));
        return with(new Ops.MapPartitions(fn, m));
    }

    // ------------------------------------------------------------------ moving rows between partitions

    /**
     * Joins with {@code other} on key columns; {@code how} is inner, left, right or outer. When
     * {@code other} has one partition and how is inner/left it is broadcast to every partition;
     * otherwise both sides are hash-shuffled into {@code max(npartitions)} partitions. Right
     * columns whose names clash get the suffix {@code _right}.
     */
    public DataFrame merge(DataFrame other, List<String> on, String how) {
        return merge(other, on, how, Math.max(npartitions(), other.npartitions()));
    }

    public DataFrame merge(DataFrame other, String on, String how) {
        return merge(other, List.of(on), how);
    }

    /** Like {@link #merge(DataFrame, List, String)} with the shuffle's partition count. */
    public DataFrame merge(DataFrame other, List<String> on, String how, int npartitions) {
        if (npartitions < 1) throw new IllegalArgumentException("npartitions must be >= 1, got " + npartitions);
        DataFrame aligned = Indexed.mergeOnIndex(this, other, List.copyOf(on), how);
        if (aligned != null) return aligned;
        return new DataFrame(new Shuffle.Merge(plan, other.plan, List.copyOf(on), how, npartitions));
    }

    /**
     * A global sort by one column: partition i holds values before partition i + 1's. Divisions come
     * from a sample of every partition (up to 100 values each); missing values go last.
     */
    public DataFrame sortValues(String column) {
        return sortValues(column, true);
    }

    public DataFrame sortValues(String column, boolean ascending) {
        return new DataFrame(new Shuffle.Sort(plan, column, ascending));
    }

    /**
     * Dask's {@code set_index}: sorts globally by {@code column} and records the <b>divisions</b>
     * (each partition's first value, then the last value of the last one), so {@link #loc} reads
     * only the partitions it needs. As in Dask, the divisions are computed now (one pass over the
     * column to sample it). Tablesaw tables have no row index: the column stays a column.
     */
    public DataFrame setIndex(String column) {
        return Indexed.sortAndSet(this, column);
    }

    /**
     * {@code setIndex(column, sorted=true)}: trusts that the partitions are already in order (as files
     * of consecutive time ranges are), reading only the column now to record each partition's first
     * and last value; fails naming the partition when they are not in order.
     */
    public DataFrame setIndex(String column, boolean sorted) {
        return sorted ? Indexed.setSorted(this, column) : setIndex(column);
    }

    /** The index column, or null when the frame has none. */
    public String indexColumn() {
        return index == null ? null : index.column();
    }

    /**
     * The divisions of the index (n + 1 values for n partitions: LocalDateTime, Instant, LocalDate,
     * LocalTime, Double or String), or an empty list when unknown.
     */
    public List<Object> divisions() {
        return index == null || !index.known() ? List.of() : index.values();
    }

    /**
     * The rows whose index is in {@code [from, to]} (both included; null for an open end), reading
     * only the partitions whose divisions overlap. Bounds are values of the index type; a date-time
     * index also takes ISO strings, and a date-only upper bound covers its whole day (pandas' partial
     * string indexing: {@code loc("2024-01-08", "2024-01-14")} is seven days).
     */
    public DataFrame loc(Object from, Object to) {
        return Indexed.loc(this, from, to);
    }

    /** The rows whose index equals {@code value} (a date-only value of a date-time index: that day). */
    public DataFrame loc(Object value) {
        return Indexed.loc(this, value, value);
    }

    /** Partitions cut at these index values (sorted); each output reads only the partitions it overlaps, no shuffle. */
    public DataFrame repartition(List<?> divisions) {
        return Indexed.repartition(this, divisions);
    }

    // ------------------------------------------------------------------ time series

    /** Bins of the date-time index ({@code "1h"}, {@code "15min"}, {@code "1d"}): {@code resample("1h").agg(mean("x"))}. */
    public Resampler resample(String freq) {
        return new Resampler(this, freq);
    }

    /** A window of the last {@code n} rows (this one included), across partitions. */
    public Rolling rolling(int n) {
        return Rolling.rows(this, n);
    }

    /** A window of the date-time index: rows within {@code window} ({@code "7d"}, {@code "24h"}) up to this one. */
    public Rolling rolling(String window) {
        return Rolling.time(this, window);
    }

    /** The columns shifted down by {@code n} rows across partitions (up when negative); the first rows are missing. */
    public DataFrame shift(int n, String... columns) {
        return TimeSeries.shift(this, n, List.of(columns));
    }

    /** Each value minus the one before it (across partitions). */
    public DataFrame diff(String... columns) {
        return TimeSeries.scan(this, "diff", List.of(columns));
    }

    /** Running sums across partitions (missing values skipped). */
    public DataFrame cumsum(String... columns) {
        return TimeSeries.scan(this, "cumsum", List.of(columns));
    }

    /** Running maxima across partitions. */
    public DataFrame cummax(String... columns) {
        return TimeSeries.scan(this, "cummax", List.of(columns));
    }

    /** Running minima across partitions. */
    public DataFrame cummin(String... columns) {
        return TimeSeries.scan(this, "cummin", List.of(columns));
    }

    /**
     * Rows dropped by {@code CsvOptions.onBadLines("skip"|"warn")}, counted lazily (a scan of the
     * files that materializes no column). Zero for frames not read from CSV.
     */
    public Scalar<Long> badLines() {
        return TimeSeries.badLines(this);
    }

    /** {@code n} partitions: neighbours concatenated, or each partition cut into even row ranges. */
    public DataFrame repartition(int n) {
        if (n < 1) throw new IllegalArgumentException("repartition needs n >= 1, got " + n);
        return new DataFrame(new Shuffle.Repartition(plan, n));
    }

    // ------------------------------------------------------------------ reductions

    /** One column as a lazy series. */
    public Series col(String name) {
        Ops.check(plan.schema, List.of(name), "col");
        return new Series(this, name);
    }

    public GroupBy groupBy(String... cols) {
        return new GroupBy(this, Arrays.asList(cols), 1, 8);
    }

    /**
     * Groups by an expression (named by its column, e.g. {@code col("t").dt().floor("1d")} is
     * {@code t}) and columns: {@code groupBy(col("t").dt().floor("1d"), "key")}.
     */
    public GroupBy groupBy(Expr first, String... more) {
        String name = TimeSeries.exprName(first);
        List<String> by = new ArrayList<>();
        by.add(name);
        by.addAll(Arrays.asList(more));
        return assign(name, first).groupBy(by.toArray(new String[0]));
    }

    /** The number of rows, lazily. */
    public Scalar<Long> rowCount() {
        return new Scalar<>(plan, Set.of(), new Reductions.Rows(), 8);
    }

    /** The number of rows (computes now, like Dask's {@code len(df)}). */
    public long len() {
        return rowCount().compute();
    }

    /**
     * The first {@code n} rows (computes now): partitions are computed one at a time, in order,
     * until {@code n} rows are found, so usually only the first partition is read.
     */
    public Table head(int n) {
        List<Table> got = new ArrayList<>();
        int have = 0;
        DataFrame h = with(new Ops.Head(n));
        List<Key> ks = h.keys();
        for (int i = 0; i < ks.size() && have < n; i++) {
            Table t = (Table) Jdask.computeAll(List.of(new Part(h, ks.get(i))), Map.of()).get(0);
            Table part = t.rowCount() > n - have ? t.first(n - have) : t;
            got.add(part);
            have += part.rowCount();
        }
        return Tablesx.concat(got, plan.schema);
    }

    /**
     * count, mean, std, min, 25%, 50%, 75%, max of every numeric column (one row per statistic),
     * lazily; quartiles interpolate linearly as in pandas, exact up to 1,000 values in a column and
     * approximate beyond (merged per-partition samples, as in Dask; see {@link Describe}).
     */
    public Scalar<Table> describe() {
        List<String> numeric = new ArrayList<>();
        plan.schema.forEach((c, t) -> { if (Dtypes.isNumeric(t)) numeric.add(c); });
        if (numeric.isEmpty()) throw new IllegalArgumentException("describe needs a numeric column; the types are " + plan.schema);
        return new Scalar<>(plan, new java.util.HashSet<>(numeric), new Describe(numeric), 8);
    }

    // ------------------------------------------------------------------ Lazy

    private synchronized void lower() {
        if (keys != null) return;
        Plan.Lowering lw = new Plan.Lowering();
        keys = List.copyOf(lw.keys(plan, null));
        graph = lw.b.build();
    }

    @Override
    public TaskGraph graph() {
        lower();
        return graph;
    }

    @Override
    public List<Key> keys() {
        lower();
        return keys;
    }

    @Override
    public Table finish(List<Object> values) {
        List<Table> parts = new ArrayList<>(values.size());
        for (Object v : values) parts.add((Table) v);
        return Tablesx.concat(parts, plan.schema);
    }

    /** {@link #finish} holding only column names and type names (the graph stays here). */
    @Override
    public org.jdask.fn.Fn1<List<Object>, Table> finisher() {
        List<String> names = new ArrayList<>(plan.schema.keySet());
        List<String> types = new ArrayList<>();
        for (ColumnType t : plan.schema.values()) types.add(t.name());
        return values -> {
            LinkedHashMap<String, ColumnType> schema = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) schema.put(names.get(i), ColumnType.valueOf(types.get(i)));
            List<Table> parts = new ArrayList<>(values.size());
            for (Object v : values) parts.add((Table) v);
            return Tablesx.concat(parts, schema);
        };
    }

    @Override
    public DataFrame rebuild(TaskGraph persisted) {
        Map<Key, Node> nodes = new LinkedHashMap<>();
        for (Key k : keys()) nodes.put(k, persisted.get(k));
        return new DataFrame(new FixedPlan(plan.schema, keys(), nodes), index);
    }

    @Override
    public DataFrame persist() {
        return (DataFrame) Jdask.persist(this);
    }

    @Override
    public GraphOptimizer optimizer() {
        return FrameOptimizer.INSTANCE;
    }

    @Override
    public Object tokenIdentity() {
        return plan.token();
    }

    @Override
    public String toString() {
        return "DataFrame(npartitions=" + plan.npartitions + ", columns=" + plan.schema + ")";
    }

    /** One partition of a frame as a collection (for head). */
    private record Part(DataFrame frame, Key key) implements Lazy<Table> {
        public TaskGraph graph() { return frame.graph(); }
        public List<Key> keys() { return List.of(key); }
        public Table finish(List<Object> values) { return (Table) values.get(0); }
        public Lazy<Table> rebuild(TaskGraph persisted) { throw new UnsupportedOperationException(); }
        public GraphOptimizer optimizer() { return FrameOptimizer.INSTANCE; }
    }

    /** Writes each partition to a file: {@code *} in the pattern is replaced by the partition number. */
    public List<Path> toCsv(String pattern) {
        return IoTasks.write(this, pattern, new IoTasks.Writer("csv"));
    }

    /** Writes each partition as an Arrow IPC file; {@code *} in the pattern is the partition number. */
    public List<Path> toArrow(String pattern) {
        return IoTasks.write(this, pattern, new IoTasks.Writer("arrow"));
    }

    /** Writes each partition as a Parquet file; {@code *} in the pattern is the partition number. */
    public List<Path> toParquet(String pattern) {
        return IoTasks.write(this, pattern, new IoTasks.Writer("parquet"));
    }
}
