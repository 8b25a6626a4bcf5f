package org.jdask.bag;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jdask.Delayed;
import org.jdask.Jdask;
import org.jdask.Lazy;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.jdask.fn.FnN;
import org.jdask.graph.DataNode;
import org.jdask.graph.Globs;
import org.jdask.graph.GraphOptimizer;
import org.jdask.graph.Key;
import org.jdask.graph.Node;
import org.jdask.graph.Task;
import org.jdask.graph.TaskGraph;
import org.jdask.graph.Tokenizable;
import org.jdask.graph.Tokenize;

/**
 * A lazy, partitioned collection of records (Dask's {@code dask.bag}): log lines, JSON-like maps,
 * any Java objects. Partition {@code i} is the task {@code (name, i)} whose value is a {@code
 * List<T>}; operations add layers of tasks with deterministic keys (a token of the operation,
 * its functions and the input's name), so the same pipeline over the same inputs always has the
 * same keys and {@code Jdask.compute(a, b, c)} runs shared steps once.
 *
 * <pre>{@code
 * Bag<String> wiki = Bag.readText("data/wikistats/part-*");
 * Bag<String> obama = wiki.filter(W5::find);
 * Object[] r = Jdask.compute(obama, obama.count(), wiki.count());   // reads every file once
 * }</pre>
 *
 * <p>Record-wise functions ({@link #map}, {@link #filter}, ...) are serializable {@code Fn1}s,
 * so bags run unchanged on {@code sync}, {@code threads}, {@code processes} and {@code
 * distributed}. A function that throws on a record fails the compute with a {@link
 * BagRecordException} naming the partition key and the record's position. Reductions ({@link
 * #count}, {@link #sum}, {@link #reduction}) return a lazy {@link Item}; those that produce many
 * values ({@link #distinct}, {@link #frequencies}, {@link #topk}, {@link #foldby}) return a
 * one-partition bag; {@link #groupBy} shuffles records between partitions through tasks.
 *
 * <p>Like Dask's bag, the order of records is the partitions' order but is not otherwise
 * meaningful after shuffles.
 *
 * @param <T> the record type
 */
public final class Bag<T> extends LazyNode implements Lazy<List<T>>, Tokenizable {
    /** Branching factor of reduction trees (Dask's {@code split_every}). */
    public static final int SPLIT_EVERY = 8;

    private final String name;
    private final int npartitions;

    Bag(String name, int npartitions, Map<Key, Node> layer, LazyNode... deps) {
        super(layer, deps);
        if (npartitions < 1) throw new IllegalArgumentException("a bag needs at least one partition, got " + npartitions);
        this.name = name;
        this.npartitions = npartitions;
    }

    // ------------------------------------------------------------------------------ sources

    /** A bag of {@code seq} in up to 100 partitions of about equal size. */
    public static <T> Bag<T> fromSequence(List<T> seq) {
        return fromSequence(seq, Math.max(1, Math.min(100, seq.size())));
    }

    /**
     * A bag of {@code seq} in exactly {@code npartitions} partitions of near-equal size (some
     * empty when there are fewer records than partitions; unlike Dask, which may make fewer).
     */
    public static <T> Bag<T> fromSequence(List<T> seq, int npartitions) {
        Objects.requireNonNull(seq, "seq");
        if (npartitions < 1) throw new IllegalArgumentException("npartitions must be >= 1, got " + npartitions);
        List<List<T>> parts = new ArrayList<>(npartitions);
        int n = seq.size();
        for (int i = 0; i < npartitions; i++) {
            parts.add(seq.subList((int) ((long) n * i / npartitions), (int) ((long) n * (i + 1) / npartitions)));
        }
        return fromPartitions(parts);
    }

    /** A bag of {@code seq} cut into partitions of {@code partitionSize} records (the last may be shorter). */
    public static <T> Bag<T> fromSequenceByPartitionSize(List<T> seq, int partitionSize) {
        if (partitionSize < 1) throw new IllegalArgumentException("partitionSize must be >= 1, got " + partitionSize);
        List<List<T>> parts = new ArrayList<>();
        for (int i = 0; i < seq.size(); i += partitionSize) parts.add(seq.subList(i, Math.min(seq.size(), i + partitionSize)));
        if (parts.isEmpty()) parts.add(List.of());
        return fromPartitions(parts);
    }

    /** A bag with exactly these partitions (copied). */
    public static <T> Bag<T> fromPartitions(List<? extends List<T>> partitions) {
        if (partitions.isEmpty()) throw new IllegalArgumentException("a bag needs at least one partition");
        List<List<T>> copy = new ArrayList<>(partitions.size());
        for (List<T> p : partitions) copy.add(new ArrayList<>(p));
        String name = "from-sequence-" + Tokenize.token(copy);
        Map<Key, Node> layer = new LinkedHashMap<>();
        for (int i = 0; i < copy.size(); i++) layer.put(Key.of(name, i), new DataNode(copy.get(i)));
        return new Bag<>(name, copy.size(), layer);
    }

    /** The lines of the files matching {@code pattern} (a path, a directory, or a glob), one partition per file. */
    public static Bag<String> readText(String pattern) {
        return readText(pattern, TextOptions.defaults());
    }

    /** Like {@link #readText(String)} with uncompressed files cut into blocks of about {@code blocksize} bytes. */
    public static Bag<String> readText(String pattern, long blocksize) {
        return readText(pattern, TextOptions.defaults().blocksize(blocksize));
    }

    /**
     * The lines (each with its {@code '\n'}, as in Dask) of the files matching {@code pattern}.
     * The glob is expanded now (sorted; no match fails naming the pattern); files are read when
     * the bag is computed, by suffix-detected decompression, in {@code options.encoding()}.
     */
    public static Bag<String> readText(String pattern, TextOptions options) {
        return TextSource.bag(TextSource.expand(pattern), pattern, options, false);
    }

    /** The lines of these files (each must exist now). */
    public static Bag<String> readText(List<String> paths, TextOptions options) {
        return TextSource.bag(TextSource.existing(paths), paths.toString(), options, false);
    }

    /** Like {@link #readText(String, TextOptions)}, each record a {@code (line, path)} entry. */
    public static Bag<Map.Entry<String, String>> readTextWithPath(String pattern, TextOptions options) {
        return TextSource.bag(TextSource.expand(pattern), pattern, options, true);
    }

    /** The records of several bags, partitions side by side. */
    @SafeVarargs
    public static <T> Bag<T> concat(Bag<? extends T>... bags) {
        if (bags.length == 0) throw new IllegalArgumentException("concat needs at least one bag");
        List<String> names = new ArrayList<>();
        for (Bag<?> b : bags) names.add(b.name);
        String name = "concat-" + Tokenize.token(names);
        Map<Key, Node> layer = new LinkedHashMap<>();
        int i = 0;
        for (Bag<?> b : bags) {
            for (int j = 0; j < b.npartitions; j++) layer.put(Key.of(name, i++), Task.ofArray(IDENTITY, new Object[] {b.key(j)}));
        }
        return new Bag<>(name, i, layer, bags);
    }

    private static final FnN IDENTITY = new Identity();

    private static final class Identity implements FnN {
        @Override public Object invoke(Object[] a) { return a[0]; }
        @Override public int arity() { return 1; }
        @Override public String toString() { return "identity"; }
        @Override public boolean equals(Object o) { return o instanceof Identity; }
        @Override public int hashCode() { return 12; }
    }

    // ------------------------------------------------------------------------------ record-wise

    /** {@code fn} of every record. */
    public <R> Bag<R> map(Fn1<? super T, ? extends R> fn) {
        return records("map", PartFns.Records.MAP, fn, null);
    }

    /** The records for which {@code predicate} is true. */
    public Bag<T> filter(Fn1<? super T, Boolean> predicate) {
        return records("filter", PartFns.Records.FILTER, predicate, null);
    }

    /** The elements of {@code fn(record)} for every record, concatenated. */
    public <R> Bag<R> flatMap(Fn1<? super T, ? extends Iterable<? extends R>> fn) {
        return records("flatmap", PartFns.Records.FLATMAP, fn, null);
    }

    /**
     * Field {@code key} of every record: a map's value, a list's or array's element, a pair's
     * part (0/1), or a record component by name. A missing key fails naming the record.
     */
    public <R> Bag<R> pluck(Object key) {
        return records("pluck", PartFns.Records.PLUCK, null, key);
    }

    private <R> Bag<R> records(String op, int kind, Fn1<?, ?> fn, Object pluckKey) {
        String n = op + "-" + Tokenize.token(name, kind, fn, pluckKey);
        return perPartition(n, new PartFns.Records(kind, fn, pluckKey, n));
    }

    /** {@code fn} of each whole partition (a {@code List<T>}); it must not modify its argument. */
    public <R> Bag<R> mapPartitions(Fn1<List<T>, ? extends List<R>> fn) {
        String n = "map-partitions-" + Tokenize.token(name, fn);
        return perPartition(n, new PartFns.Whole("mapPartitions", fn, n));
    }

    private <R> Bag<R> perPartition(String newName, FnN fn) {
        Map<Key, Node> layer = new LinkedHashMap<>(npartitions * 2);
        for (int i = 0; i < npartitions; i++) layer.put(Key.of(newName, i), Task.ofArray(fn, new Object[] {key(i), i}));
        return new Bag<>(newName, npartitions, layer, this);
    }

    // ------------------------------------------------------------------------------ reductions

    /**
     * A tree reduction: {@code perPartition} of each partition, then {@code aggregate} of lists
     * of up to {@link #SPLIT_EVERY} partial results, level by level, to one value.
     */
    public <R> Item<R> reduction(Fn1<List<T>, R> perPartition, Fn1<List<R>, R> aggregate) {
        return reduce("reduction", perPartition, aggregate, null).item();
    }

    /** The number of records. */
    @SuppressWarnings("unchecked")
    public Item<Long> count() {
        return reduce("count", (Fn1<List<T>, Long>) (Fn1<?, ?>) Aggs.COUNT, Aggs::sumLongs, null).item();
    }

    /** The sum: a {@code Long} when every record is an integral number (overflow fails), else a {@code Double}; 0 when empty. */
    public Item<Number> sum() {
        return reduce("sum", Aggs::sum, Aggs::sum, null).item();
    }

    /** The smallest record (records must be {@code Comparable}); an empty bag fails with {@link EmptyBagException}. */
    @SuppressWarnings("unchecked")
    public Item<T> min() {
        Fn1<List<T>, T> part = xs -> (T) Aggs.min(xs);
        return reduce("min", part, part, v -> (T) Aggs.minOrFail(v)).item();
    }

    /** The largest record (records must be {@code Comparable}); an empty bag fails with {@link EmptyBagException}. */
    @SuppressWarnings("unchecked")
    public Item<T> max() {
        Fn1<List<T>, T> part = xs -> (T) Aggs.max(xs);
        return reduce("max", part, part, v -> (T) Aggs.maxOrFail(v)).item();
    }

    /** The mean of numeric records; an empty bag fails with {@link EmptyBagException}. */
    public Item<Double> mean() {
        return reduce("mean", Aggs::moments, Aggs::mergeMoments, Aggs::mean).item();
    }

    /**
     * The variance with {@code ddof} delta degrees of freedom (0: population, as Dask's default);
     * an empty bag fails with {@link EmptyBagException}, a bag of at most {@code ddof} records
     * gives NaN (as NumPy).
     */
    public Item<Double> var(int ddof) {
        return reduce("var", Aggs::moments, Aggs::mergeMoments, Aggs.variance(ddof), ddof).item();
    }

    /** The population standard deviation (ddof 0, as Dask's default). */
    public Item<Double> std() {
        return std(0);
    }

    /** The standard deviation with {@code ddof} delta degrees of freedom. */
    public Item<Double> std(int ddof) {
        return reduce("std", Aggs::moments, Aggs::mergeMoments, Aggs.std(ddof), ddof).item();
    }

    /** Whether any record is {@code true} (records must be Booleans). */
    public Item<Boolean> any() {
        return reduce("any", Aggs::any, Aggs::anyOf, null).item();
    }

    /** Whether every record is {@code true} (records must be Booleans; true when empty). */
    public Item<Boolean> all() {
        return reduce("all", Aggs::all, Aggs::allOf, null).item();
    }

    /** The distinct records in order of first appearance, as one partition. */
    @SuppressWarnings("unchecked")
    public Bag<T> distinct() {
        return (Bag<T>) (Bag<?>) reduce("distinct", Aggs::distinct, Aggs::distinctMerge, null).bag();
    }

    /** {@code (record, count)} for every distinct record, in order of first appearance, as one partition. */
    public Bag<Map.Entry<T, Long>> frequencies() {
        return frequencies(false);
    }

    /** Like {@link #frequencies()}, most frequent first when {@code sort}. */
    @SuppressWarnings("unchecked")
    public Bag<Map.Entry<T, Long>> frequencies(boolean sort) {
        Fn1<Map<Object, Long>, List<Object>> fin = sort ? Aggs::entriesByCount : Aggs::entries;
        return (Bag<Map.Entry<T, Long>>) (Bag<?>) reduce("frequencies", Aggs::frequencies, Aggs::mergeFrequencies, fin, sort).bag();
    }

    /** The {@code k} largest records (records must be {@code Comparable}), largest first, as one partition. */
    public Bag<T> topk(int k) {
        return topk(k, null);
    }

    /** The {@code k} records with the largest {@code key}, largest first, as one partition. */
    @SuppressWarnings("unchecked")
    public <C extends Comparable<? super C>> Bag<T> topk(int k, Fn1<? super T, C> key) {
        if (k < 0) throw new IllegalArgumentException("k must be >= 0, got " + k);
        Fn1<Object, Object> kf = (Fn1<Object, Object>) (Fn1<?, ?>) key;
        Fn1<List<T>, List<Object>> part = xs -> Aggs.topk(xs, k, kf);
        Fn1<List<List<Object>>, List<Object>> agg = ps -> Aggs.topk(Aggs.concat(ps), k, kf);
        return (Bag<T>) (Bag<?>) reduce("topk", part, agg, null, k, key).bag();
    }

    /**
     * Dask's {@code foldby}: per partition, fold the records of each key with {@code binop}
     * starting from {@code initial}; then merge the per-partition results of each key with
     * {@code combine} starting from {@code combineInitial}. No shuffle: one result partition of
     * {@code (key, value)} entries. Initial values are shared, so they must be immutable.
     */
    @SuppressWarnings("unchecked")
    public <K, A> Bag<Map.Entry<K, A>> foldby(Fn1<? super T, K> key, Fn2<A, ? super T, A> binop, A initial,
                                              Fn2<A, A, A> combine, A combineInitial) {
        return (Bag<Map.Entry<K, A>>) (Bag<?>) foldby0(key, binop, initial, combine, combineInitial);
    }

    /** {@code foldby} where the per-key results are merged with {@code combine} and no initial value. */
    @SuppressWarnings("unchecked")
    public <K, A> Bag<Map.Entry<K, A>> foldby(Fn1<? super T, K> key, Fn2<A, ? super T, A> binop, A initial, Fn2<A, A, A> combine) {
        return (Bag<Map.Entry<K, A>>) (Bag<?>) foldby0(key, binop, initial, combine, Aggs.NoInitial.INSTANCE);
    }

    /** {@code foldby} with one function for folding and merging, starting each key from its first record. */
    @SuppressWarnings("unchecked")
    public <K> Bag<Map.Entry<K, T>> foldby(Fn1<? super T, K> key, Fn2<T, T, T> binop) {
        return (Bag<Map.Entry<K, T>>) (Bag<?>) foldby0(key, binop, Aggs.NoInitial.INSTANCE, binop, Aggs.NoInitial.INSTANCE);
    }

    @SuppressWarnings("unchecked")
    private Bag<?> foldby0(Fn1<?, ?> key, Fn2<?, ?, ?> binop, Object initial, Fn2<?, ?, ?> combine, Object combineInitial) {
        Fn1<Object, Object> k = (Fn1<Object, Object>) key;
        Fn2<Object, Object, Object> b = (Fn2<Object, Object, Object>) binop;
        Fn2<Object, Object, Object> c = (Fn2<Object, Object, Object>) combine;
        Fn1<List<T>, Map<Object, Object>> part = xs -> Aggs.fold(xs, k, b, initial);
        Fn1<List<Map<Object, Object>>, Map<Object, Object>> agg = ps -> Aggs.combineFolds(ps, c, combineInitial);
        return reduce("foldby", part, agg, (Fn1<Map<Object, Object>, List<Object>>) Aggs::entries, key, binop, initial, combine,
                combineInitial).bag();
    }

    /** A reduction tree under construction: its layer and the key of the final value. */
    private record Tree(Bag<?> source, String name, Map<Key, Node> layer, Key root) {
        <R> Item<R> item() {
            return new Item<>(root, layer, source);
        }

        Bag<Object> bag() {
            return new Bag<>(name, 1, layer, source);
        }
    }

    private <P> Tree reduce(String op, Fn1<List<T>, P> perPartition, Fn1<List<P>, P> aggregate, Fn1<P, ?> finish, Object... extra) {
        String tok = Tokenize.token(name, op, perPartition, aggregate, finish, extra);
        String partName = op + "-part-" + tok;
        String aggName = op + "-agg-" + tok;
        String outName = op + "-" + tok;
        Map<Key, Node> layer = new LinkedHashMap<>();
        FnN per = new PartFns.Whole(op, perPartition, partName);
        List<Key> level = new ArrayList<>(npartitions);
        for (int i = 0; i < npartitions; i++) {
            Key k = Key.of(partName, i);
            layer.put(k, Task.ofArray(per, new Object[] {key(i), i}));
            level.add(k);
        }
        PartFns.Combine comb = new PartFns.Combine(op + "-aggregate", aggregate, null);
        int depth = 0;
        while (level.size() > SPLIT_EVERY) {
            List<Key> next = new ArrayList<>();
            for (int j = 0; j * SPLIT_EVERY < level.size(); j++) {
                Key k = Key.of(aggName, depth, j);
                layer.put(k, Task.ofArray(comb, new Object[] {
                        new ArrayList<Object>(level.subList(j * SPLIT_EVERY, Math.min(level.size(), (j + 1) * SPLIT_EVERY)))}));
                next.add(k);
            }
            level = next;
            depth++;
        }
        Key root = Key.of(outName, 0);
        layer.put(root, Task.ofArray(new PartFns.Combine(op, aggregate, finish), new Object[] {new ArrayList<Object>(level)}));
        return new Tree(this, outName, layer, root);
    }

    // ------------------------------------------------------------------------------ shuffles, reshaping

    /** {@code (key, records)} groups over the same number of partitions, by a hash shuffle. */
    public <K> Bag<Map.Entry<K, List<T>>> groupBy(Fn1<? super T, K> key) {
        return groupBy(key, npartitions);
    }

    /**
     * {@code (key, records)} groups in {@code npartitions} partitions: each input partition is
     * split into buckets by a stable hash of the key (one task per input), a pick task per
     * (input, output) pair takes one bucket, and each output partition gathers its buckets (one
     * task per output), so all records of a key meet in one partition however many partitions
     * they came from. That is {@code inputs × outputs} pick tasks: fine up to a few hundred
     * partitions each way (Dask's multi-stage task shuffle is not implemented). Records keep their
     * input order within a group.
     */
    public <K> Bag<Map.Entry<K, List<T>>> groupBy(Fn1<? super T, K> key, int npartitions) {
        if (npartitions < 1) throw new IllegalArgumentException("npartitions must be >= 1, got " + npartitions);
        String tok = Tokenize.token(name, key, npartitions);
        String splitName = "shuffle-split-" + tok;
        String outName = "groupby-" + tok;
        Map<Key, Node> layer = new LinkedHashMap<>();
        FnN split = new PartFns.Split(key, npartitions, name);
        List<Object> splits = new ArrayList<>(this.npartitions);
        for (int i = 0; i < this.npartitions; i++) {
            Key k = Key.of(splitName, i);
            layer.put(k, Task.ofArray(split, new Object[] {key(i), i}));
            splits.add(k);
        }
        // one small task per (split, output) pair picks that output's bucket, so each gather task
        // receives only its own records (what a scheduler ships between workers)
        String pickName = "shuffle-pick-" + tok;
        FnN pick = new PartFns.Bucket();
        FnN group = new PartFns.Group(key);
        for (int j = 0; j < npartitions; j++) {
            List<Object> buckets = new ArrayList<>(this.npartitions);
            for (int i = 0; i < this.npartitions; i++) {
                Key pk = Key.of(pickName, i, j);
                layer.put(pk, Task.ofArray(pick, new Object[] {splits.get(i), j}));
                buckets.add(pk);
            }
            layer.put(Key.of(outName, j), Task.ofArray(group, new Object[] {buckets}));
        }
        return new Bag<>(outName, npartitions, layer, this);
    }

    /**
     * The same records in {@code n} partitions: fewer by concatenating neighbours, more by
     * cutting each partition into near-equal pieces. Record order is kept.
     */
    public Bag<T> repartition(int n) {
        if (n < 1) throw new IllegalArgumentException("npartitions must be >= 1, got " + n);
        if (n == npartitions) return this;
        String newName = "repartition-" + Tokenize.token(name, n);
        Map<Key, Node> layer = new LinkedHashMap<>();
        if (n < npartitions) {
            FnN concat = new PartFns.Concat();
            for (int j = 0; j < n; j++) {
                List<Object> ins = new ArrayList<>();
                for (int i = (int) ((long) npartitions * j / n); i < (long) npartitions * (j + 1) / n; i++) ins.add(key(i));
                layer.put(Key.of(newName, j), Task.ofArray(concat, new Object[] {ins}));
            }
        } else {
            FnN slice = new PartFns.Slice();
            int j = 0;
            for (int i = 0; i < npartitions; i++) {
                int pieces = (int) ((long) n * (i + 1) / npartitions - (long) n * i / npartitions);
                for (int k = 0; k < pieces; k++) layer.put(Key.of(newName, j++), Task.ofArray(slice, new Object[] {key(i), k, pieces}));
            }
        }
        return new Bag<>(newName, n, layer, this);
    }

    /**
     * {@code (a, b)} pairs of this bag's and {@code other}'s records, partition by partition.
     * Both must have the same number of partitions (checked now) and equally long partitions
     * (checked when computed, naming the partition).
     */
    public <U> Bag<Map.Entry<T, U>> zip(Bag<U> other) {
        if (other.npartitions != npartitions) {
            throw new IllegalArgumentException("zip needs bags with the same number of partitions: " + name + " has " + npartitions
                    + ", " + other.name + " has " + other.npartitions);
        }
        String newName = "zip-" + Tokenize.token(name, other.name);
        FnN zip = new PartFns.Zip(newName);
        Map<Key, Node> layer = new LinkedHashMap<>();
        for (int i = 0; i < npartitions; i++) layer.put(Key.of(newName, i), Task.ofArray(zip, new Object[] {key(i), other.key(i), i}));
        return new Bag<>(newName, npartitions, layer, this, other);
    }

    // ------------------------------------------------------------------------------ results

    /**
     * The first {@code n} records, computing only the leading partitions needed (one, then two,
     * four, ... at a time). Fewer when the bag is shorter.
     */
    public List<T> take(int n) {
        if (n < 0) throw new IllegalArgumentException("n must be >= 0, got " + n);
        List<T> out = new ArrayList<>(Math.min(n, 1 << 16));
        int next = 0;
        int batch = 1;
        while (out.size() < n && next < npartitions) {
            int to = Math.min(npartitions, next + batch);
            List<Key> ks = new ArrayList<>();
            for (int i = next; i < to; i++) ks.add(key(i));
            for (T t : new Partitions<T>(this, ks).compute()) {
                if (out.size() == n) break;
                out.add(t);
            }
            next = to;
            batch *= 2;
        }
        return out;
    }

    /** All records, computed (same as {@link #compute()}). */
    public List<T> toList() {
        return compute();
    }

    /** One {@link Delayed} per partition, each computing that partition's list. */
    public List<Delayed<List<T>>> toDelayed() {
        List<Delayed<List<T>>> out = new ArrayList<>(npartitions);
        for (int i = 0; i < npartitions; i++) out.add(Delayed.from(new Partitions<T>(this, List.of(key(i)))));
        return out;
    }

    /** Writes each partition to a file named by {@code pattern} (see {@link #toTextFiles(String, Compression)}), compression by suffix. */
    public List<java.nio.file.Path> toTextFiles(String pattern) {
        return toTextFiles(pattern, Compression.forPath(pattern));
    }

    /**
     * Writes partition {@code i} to {@code pattern} with its one {@code *} replaced by {@code i},
     * zero-padded to the width of the last index so the files sort in partition order (a pattern
     * without {@code *} is a directory: {@code dir/i.part}), one record per line
     * ({@code toString()}, a newline added unless present), compressed with {@code compression};
     * computes now and returns the files written.
     */
    public List<java.nio.file.Path> toTextFiles(String pattern, Compression compression) {
        List<java.nio.file.Path> out = new ArrayList<>();
        for (String s : toTextFilesLazy(pattern, compression).compute()) out.add(java.nio.file.Path.of(s));
        return out;
    }

    /** The lazy form of {@link #toTextFiles(String, Compression)}: computing it writes the files. */
    public Item<List<String>> toTextFilesLazy(String pattern, Compression compression) {
        String p = pattern.contains("*") ? pattern : pattern + (pattern.endsWith("/") ? "" : "/") + "*.part";
        String newName = "to-textfiles-" + Tokenize.token(name, p, compression.id());
        FnN write = new PartFns.WriteText();
        Map<Key, Node> layer = new LinkedHashMap<>();
        List<Object> written = new ArrayList<>();
        List<String> files = Globs.outputPaths(p, npartitions, "toTextFiles");
        for (int i = 0; i < npartitions; i++) {
            Key k = Key.of(newName, i);
            layer.put(k, Task.ofArray(write, new Object[] {key(i), files.get(i), compression.id()}));
            written.add(k);
        }
        Key root = Key.of(newName + "-all", 0);
        layer.put(root, Task.ofArray(new PartFns.ListOf(), new Object[] {written}));
        return new Item<>(root, layer, this);
    }

    // ------------------------------------------------------------------------------ Lazy

    /** The layer name: partition {@code i} is {@code (name, i)}. */
    public String name() {
        return name;
    }

    public int npartitions() {
        return npartitions;
    }

    /** The key of partition {@code i}. */
    public Key key(int i) {
        if (i < 0 || i >= npartitions) throw new IndexOutOfBoundsException("partition " + i + " of " + npartitions + " in " + name);
        return Key.of(name, i);
    }

    @Override
    public TaskGraph graph() {
        return assemble();
    }

    @Override
    public List<Key> keys() {
        List<Key> ks = new ArrayList<>(npartitions);
        for (int i = 0; i < npartitions; i++) ks.add(Key.of(name, i));
        return ks;
    }

    @Override
    public List<T> finish(List<Object> values) {
        return concat(values);
    }

    @Override
    public org.jdask.fn.Fn1<List<Object>, List<T>> finisher() {
        return Bag::concat;
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> concat(List<Object> values) {
        int n = 0;
        for (Object v : values) n += ((List<?>) v).size();
        List<T> out = new ArrayList<>(n);
        for (Object v : values) out.addAll((List<T>) v);
        return out;
    }

    @Override
    public Bag<T> rebuild(TaskGraph persisted) {
        Map<Key, Node> layer = new LinkedHashMap<>();
        for (Key k : keys()) layer.put(k, persisted.get(k));
        return new Bag<>(name, npartitions, layer);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Bag<T> persist() {
        return (Bag<T>) Jdask.persist(this);
    }

    @Override
    public GraphOptimizer optimizer() {
        return OPTIMIZER;
    }

    @Override
    public Object tokenIdentity() {
        return name;
    }

    @Override
    public String toString() {
        return "Bag<" + name + ", npartitions=" + npartitions + ">";
    }

    /** Some partitions of a bag, computed as one concatenated list ({@link #take}, {@link #toDelayed}). */
    private static final class Partitions<T> implements Lazy<List<T>> {
        private final Bag<T> bag;
        private final List<Key> keys;

        Partitions(Bag<T> bag, List<Key> keys) {
            this.bag = bag;
            this.keys = keys;
        }

        @Override public TaskGraph graph() { return bag.graph(); }
        @Override public List<Key> keys() { return keys; }
        @Override public List<T> finish(List<Object> values) { return bag.finish(values); }
        @Override public org.jdask.fn.Fn1<List<Object>, List<T>> finisher() { return Bag::concat; }
        @Override public Lazy<List<T>> rebuild(TaskGraph persisted) {
            return new Partitions<>(new Bag<>(bag.name, bag.npartitions, persisted.nodes()), keys);
        }
        @Override public GraphOptimizer optimizer() { return OPTIMIZER; }
    }
}
