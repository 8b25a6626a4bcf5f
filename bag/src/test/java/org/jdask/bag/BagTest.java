package org.jdask.bag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.jdask.TaskFailedException;
import org.jdask.graph.Key;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bag operations against a {@code java.util.stream} oracle, with adversarial partitionings
 * (one partition, one record per partition, empty partitions, a ragged split), on every local
 * scheduler.
 */
class BagTest {
    static final List<Integer> DATA;

    static {
        Random r = new Random(42);
        List<Integer> d = new ArrayList<>();
        for (int i = 0; i < 300; i++) d.add(r.nextInt(60) - 20);
        DATA = List.copyOf(d);
    }

    /** (scheduler, label, bag) for every scheduler × partitioning. */
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String s : Schedulers.local()) {
            for (Map.Entry<String, Bag<Integer>> e : partitionings(DATA).entrySet()) out.add(Arguments.of(s, e.getKey(), e.getValue()));
        }
        return out.stream();
    }

    static Map<String, Bag<Integer>> partitionings(List<Integer> data) {
        Map<String, Bag<Integer>> m = new LinkedHashMap<>();
        m.put("one partition", Bag.fromSequence(data, 1));
        m.put("one record per partition", Bag.fromSequence(data, data.size()));
        m.put("more partitions than records", Bag.fromSequence(data.subList(0, 7), 11));
        m.put("ragged 7", Bag.fromSequence(data, 7));
        List<List<Integer>> parts = new ArrayList<>();
        parts.add(List.of());
        parts.add(data.subList(0, 100));
        parts.add(List.of());
        parts.add(List.of());
        parts.add(data.subList(100, data.size()));
        parts.add(List.of());
        m.put("empty partitions around", Bag.fromPartitions(parts));
        m.put("by size 13", Bag.fromSequenceByPartitionSize(data, 13));
        return m;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void recordWise(String s, String label, Bag<Integer> bag) {
        List<Integer> data = Schedulers.compute(bag, s);
        assertEquals(data, bag.toList().stream().toList(), label);
        assertEquals(data.stream().map(x -> x * 3 + 1).toList(), Schedulers.compute(bag.map(x -> x * 3 + 1), s));
        assertEquals(data.stream().filter(x -> x % 3 == 0).toList(), Schedulers.compute(bag.filter(x -> x % 3 == 0), s));
        assertEquals(data.stream().flatMap(x -> Stream.of(x, -x)).toList(),
                Schedulers.compute(bag.flatMap(x -> List.of(x, -x)), s));
        assertEquals(data.stream().map(x -> x * 2).toList(),
                Schedulers.compute(bag.map(x -> List.of(x, x * 2)).<Integer>pluck(1), s));
        assertEquals(data.stream().map(x -> x + 1).toList(),
                Schedulers.compute(bag.mapPartitions(p -> p.stream().map(x -> x + 1).toList()), s));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void reductions(String s, String label, Bag<Integer> bag) {
        List<Integer> data = Schedulers.compute(bag, s);
        List<Object> r = Schedulers.computeAll(s, bag.count(), bag.sum(), bag.min(), bag.max(), bag.mean(), bag.std(), bag.var(1),
                bag.map(x -> x > 30).any(), bag.map(x -> x > -21).all(), bag.map(x -> x * 0.5).sum());
        assertEquals((long) data.size(), r.get(0), label);
        assertEquals(data.stream().mapToLong(x -> x).sum(), r.get(1));
        assertEquals(data.stream().min(Comparator.naturalOrder()).orElseThrow(), r.get(2));
        assertEquals(data.stream().max(Comparator.naturalOrder()).orElseThrow(), r.get(3));
        double mean = data.stream().mapToDouble(x -> x).average().orElseThrow();
        assertEquals(mean, (Double) r.get(4), 1e-9);
        double ss = data.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum();
        assertEquals(Math.sqrt(ss / data.size()), (Double) r.get(5), 1e-9);
        assertEquals(ss / (data.size() - 1), (Double) r.get(6), 1e-9);
        assertEquals(data.stream().anyMatch(x -> x > 30), r.get(7));
        assertEquals(true, r.get(8));
        assertEquals(data.stream().mapToDouble(x -> x * 0.5).sum(), ((Number) r.get(9)).doubleValue(), 1e-9);
        // a user reduction: sum of squares through a tree
        long sq = Schedulers.compute(bag.reduction(p -> p.stream().mapToLong(x -> (long) x * x).sum(),
                (List<Long> ps) -> ps.stream().mapToLong(Long::longValue).sum()), s);
        assertEquals(data.stream().mapToLong(x -> (long) x * x).sum(), sq);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void distinctFrequenciesTopk(String s, String label, Bag<Integer> bag) {
        List<Integer> data = Schedulers.compute(bag, s);
        assertEquals(new ArrayList<>(new LinkedHashSet<>(data)), Schedulers.compute(bag.distinct(), s), label);
        Map<Integer, Long> freq = data.stream().collect(Collectors.groupingBy(Function.identity(), LinkedHashMap::new, Collectors.counting()));
        Map<Integer, Long> got = new LinkedHashMap<>();
        for (Map.Entry<Integer, Long> e : Schedulers.compute(bag.frequencies(), s)) got.put(e.getKey(), e.getValue());
        assertEquals(List.copyOf(freq.entrySet()), List.copyOf(got.entrySet()));
        List<Map.Entry<Integer, Long>> sorted = Schedulers.compute(bag.frequencies(true), s);
        for (int i = 1; i < sorted.size(); i++) assertTrue(sorted.get(i - 1).getValue() >= sorted.get(i).getValue());
        assertEquals(data.stream().sorted(Comparator.reverseOrder()).limit(5).toList(), Schedulers.compute(bag.topk(5), s));
        assertEquals(data.stream().sorted(Comparator.comparing((Integer x) -> Math.abs(x)).reversed()).limit(4).map(Math::abs).toList(),
                Schedulers.compute(bag.topk(4, x -> Math.abs(x)), s).stream().map(Math::abs).toList());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void foldbyAndGroupBy(String s, String label, Bag<Integer> bag) {
        List<Integer> data = Schedulers.compute(bag, s);
        Map<Integer, Long> sums = data.stream().collect(Collectors.groupingBy(x -> Math.floorMod(x, 7), Collectors.summingLong(x -> x)));
        Map<Integer, Long> got = new HashMap<>();
        for (var e : Schedulers.compute(bag.foldby(x -> Math.floorMod(x, 7), (Long acc, Integer x) -> acc + x, 0L, Long::sum, 0L), s)) {
            assertEquals(null, got.put(e.getKey(), e.getValue()), "key appears once");
        }
        assertEquals(sums, got, label);
        Map<Integer, Integer> maxes = new HashMap<>();
        for (var e : Schedulers.compute(bag.foldby(x -> Math.floorMod(x, 7), Math::max), s)) maxes.put(e.getKey(), e.getValue());
        assertEquals(data.stream().collect(Collectors.toMap(x -> Math.floorMod(x, 7), x -> x, Math::max)), maxes);

        Map<Integer, List<Integer>> groups = data.stream().collect(Collectors.groupingBy(x -> Math.floorMod(x, 5)));
        for (int nout : new int[] {1, 3, bag.npartitions()}) {
            Bag<Map.Entry<Integer, List<Integer>>> g = bag.groupBy(x -> Math.floorMod(x, 5), nout);
            assertEquals(nout, g.npartitions());
            Map<Integer, List<Integer>> gotGroups = new HashMap<>();
            for (var e : Schedulers.compute(g, s)) assertEquals(null, gotGroups.put(e.getKey(), e.getValue()), "group " + e.getKey() + " once");
            assertEquals(groups, gotGroups, label + " nout=" + nout);
        }
        // many groups (every distinct value), each in exactly one output partition
        Map<Integer, List<Integer>> byValue = data.stream().collect(Collectors.groupingBy(x -> x));
        Map<Integer, List<Integer>> gotByValue = new HashMap<>();
        for (var e : Schedulers.compute(bag.groupBy(x -> x), s)) assertEquals(null, gotByValue.put(e.getKey(), e.getValue()));
        assertEquals(byValue, gotByValue);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void reshapeZipTake(String s, String label, Bag<Integer> bag) {
        List<Integer> data = Schedulers.compute(bag, s);
        for (int n : new int[] {1, 2, 5, 17, 40}) {
            Bag<Integer> r = bag.repartition(n);
            assertEquals(n, r.npartitions());
            assertEquals(data, Schedulers.compute(r, s), label + " -> " + n);
        }
        Bag<Map.Entry<Integer, Integer>> z = bag.zip(bag.map(x -> x * 10));
        for (Map.Entry<Integer, Integer> e : Schedulers.compute(z, s)) assertEquals(e.getKey() * 10, e.getValue());
        assertEquals(data.size(), Schedulers.compute(z, s).size());
        try (var scope = org.jdask.Config.set("scheduler", s)) {
            for (int n : new int[] {0, 1, 3, 150, 10_000}) assertEquals(data.subList(0, Math.min(n, data.size())), bag.take(n));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schedulers")
    void userFunctionErrorNamesPartitionAndPosition(String s) {
        Bag<Integer> bag = Bag.fromSequence(IntStream.range(0, 40).boxed().toList(), 4);
        Bag<Integer> bad = bag.map(x -> {
            if (x == 27) throw new IllegalStateException("boom at " + x);
            return x;
        });
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> Schedulers.compute(bad.count(), s));
        Throwable c = e.getCause();
        while (c != null && !(c instanceof BagRecordException) && c.getCause() != c) c = c.getCause();
        String msg = e.getMessage() + " / " + (c == null ? "" : c.getMessage());
        assertTrue(msg.contains("record 7 of partition ('" + bad.name() + "', 2)"), msg);
        assertTrue(msg.contains("boom at 27"), msg);
        if (c instanceof BagRecordException b) {
            assertEquals(Key.of(bad.name(), 2), b.partition());
            assertEquals(7, b.position());
        } else if (!s.equals("processes")) {
            throw new AssertionError("no BagRecordException in the cause chain: " + msg);
        }
    }

    static Stream<String> schedulers() {
        return Schedulers.local().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schedulers")
    void emptyBag(String s) {
        Bag<Integer> empty = Bag.fromSequence(List.of(), 3);
        List<Object> r = Schedulers.computeAll(s, empty, empty.count(), empty.sum(), empty.distinct(), empty.frequencies(), empty.any(), empty.all());
        assertEquals(List.of(List.of(), 0L, 0L, List.of(), List.of(), false, true), r);
        assertEquals(List.of(), empty.take(3));
        // the reductions without a value for zero records fail alike: one type, naming the operation
        // (empty after a filter, and a bag of empty partitions only, are empty too)
        List<Map.Entry<String, Item<?>>> noValue = List.of(Map.entry("min", empty.min()), Map.entry("max", empty.max()),
                Map.entry("mean", empty.mean()), Map.entry("var", empty.var(1)), Map.entry("std", empty.std()),
                Map.entry("mean", Bag.fromSequence(DATA, 4).filter(x -> x > 1000).mean()),
                Map.entry("max", Bag.fromPartitions(List.of(List.<Integer>of(), List.of(), List.of())).max()));
        for (Map.Entry<String, Item<?>> e : noValue) {
            TaskFailedException t = assertThrows(TaskFailedException.class, () -> Schedulers.compute(e.getValue(), s), e.getKey());
            EmptyBagException c = assertInstanceOf(EmptyBagException.class, t.getCause(), t.toString());
            assertEquals(e.getKey(), c.operation());
            assertEquals(e.getKey() + " of an empty bag: no records in any partition", c.getMessage());
            assertTrue(t.getMessage().contains(e.getKey() + " of an empty bag"), t.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schedulers")
    void mostlyEmptyPartitionsAreExact(String s) {
        // one record among many empty partitions (more than a reduction level's width), and two
        List<List<Integer>> one = new ArrayList<>();
        for (int i = 0; i < 40; i++) one.add(i == 33 ? List.of(7) : List.of());
        Bag<Integer> b = Bag.fromPartitions(one);
        assertEquals(List.of(7, 7, 7.0, 0.0, 1L), Schedulers.computeAll(s, b.min(), b.max(), b.mean(), b.var(0), b.count()));
        assertTrue(Double.isNaN(Schedulers.compute(b.var(1), s)), "one record, ddof 1: NaN as NumPy, not an error");
        one.set(2, List.of(-3));
        Bag<Integer> two = Bag.fromPartitions(one);
        assertEquals(List.of(-3, 7, 2.0, 25.0, 50.0, 5.0), Schedulers.computeAll(s, two.min(), two.max(), two.mean(), two.var(0), two.var(1),
                two.std()));
    }

    @org.junit.jupiter.api.Test
    void keysAreDeterministic() {
        Fn f = new Fn();
        // the same code (same lambda sites) over the same data gives the same keys, in every run
        Bag<Integer> a = pipeline(DATA, 4);
        Bag<Integer> b = pipeline(new ArrayList<>(DATA), 4);
        assertEquals(a.keys(), b.keys());
        assertEquals(a.graph(), b.graph());
        assertEquals(a.count().key(), b.count().key());
        org.jdask.fn.Fn1<Integer, Integer> mod3 = x -> x % 3;
        assertEquals(a.groupBy(mod3).keys(), b.groupBy(mod3).keys());
        assertNotEquals(a.keys(), Bag.fromSequence(DATA, 4).map(x -> x + 2).filter(x -> x > 0).keys());
        assertNotEquals(a.keys(), pipeline(DATA, 5).keys());
        assertNotEquals(a.keys(), pipeline(DATA.subList(1, DATA.size()), 4).keys());
        assertEquals(a.map(f::twice).keys(), b.map(f::twice).keys());
    }

    static Bag<Integer> pipeline(List<Integer> data, int n) {
        return Bag.fromSequence(data, n).map(x -> x + 1).filter(x -> x > 0);
    }

    static final class Fn implements java.io.Serializable {
        int twice(int x) {
            return 2 * x;
        }
    }

    @org.junit.jupiter.api.Test
    void badArguments() {
        assertThrows(IllegalArgumentException.class, () -> Bag.fromSequence(DATA, 0));
        assertThrows(IllegalArgumentException.class, () -> Bag.fromPartitions(List.of()));
        Bag<Integer> b = Bag.fromSequence(DATA, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.zip(Bag.fromSequence(DATA, 4)));
        assertTrue(e.getMessage().contains("3") && e.getMessage().contains("4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.repartition(0));
        assertThrows(IllegalArgumentException.class, () -> b.take(-1));
        // zip of unequal partition lengths fails when computed, naming the partition
        Bag<Integer> shorter = b.filter(x -> x != DATA.get(0));
        TaskFailedException t = assertThrows(TaskFailedException.class, () -> b.zip(shorter).compute(Map.of("scheduler", "sync")));
        assertTrue(t.getMessage().contains(", 0)"), t.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schedulers")
    void persistAndDelayed(String s) {
        Bag<Integer> b = Bag.fromSequence(DATA, 5).map(x -> x * 2);
        Bag<Integer> p;
        try (var scope = org.jdask.Config.set("scheduler", s, "num_workers", 2)) {
            p = b.persist();
        }
        assertEquals(b.keys(), p.keys());
        assertEquals(DATA.stream().map(x -> x * 2).toList(), Schedulers.compute(p, s));
        assertEquals(DATA.stream().mapToLong(x -> x * 2).sum(), Schedulers.compute(p.sum(), s));
        List<org.jdask.Delayed<List<Integer>>> ds = b.toDelayed();
        assertEquals(5, ds.size());
        List<Integer> joined = new ArrayList<>();
        for (List<Integer> part : org.jdask.Jdask.compute(ds, Schedulers.on(s))) joined.addAll(part);
        assertEquals(DATA.stream().map(x -> x * 2).toList(), joined);
        assertEquals((Object) DATA.stream().mapToLong(x -> x * 2).sum(), Schedulers.compute(p.sum(), s));
    }
}
