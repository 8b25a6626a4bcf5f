package org.jdask.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.jdask.Config;
import org.jdask.Ops;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fns;
import org.junit.jupiter.api.Test;

class TokenizeTest {
    private static String t(Object... v) {
        return Tokenize.tokenize(v);
    }

    // ------------------------------------------------------------------ equal and different inputs

    @Test
    void tokensAre32HexDigits() {
        assertTrue(t(1).matches("[0-9a-f]{32}"), t(1));
    }

    @Test
    void equalInputsGiveEqualTokens() {
        assertEquals(t(1, "a", 2.5), t(1, "a", 2.5));
        assertEquals(t(new ArrayList<>(List.of(1, 2))), t(List.of(1, 2)), "lists by content, not class");
        assertEquals(t(new String(new char[] {'a', 'b'})), t("ab"));
        assertEquals(t((Object) new double[] {1, 2}), t((Object) new double[] {1, 2}));
        assertEquals(t(List.of(List.of(1), Map.of("k", List.of(2.0)))), t(List.of(List.of(1), Map.of("k", List.of(2.0)))));
    }

    @Test
    void differentInputsGiveDifferentTokens() {
        List<Object> values = List.of(
                1, 1L, "1", 1.0, 1.0f, (short) 1, (byte) 1, '1', true, false,
                List.of(1, 2), List.of(2, 1), List.of(List.of(1), 2), List.of(1, List.of(2)), List.of(List.of(1, 2)),
                new double[] {1, 2}, new double[] {1, 3}, new double[] {2, 1}, new long[] {1, 2}, new int[] {1, 2},
                new Object[] {1, 2}, Set.of(1, 2), Map.of(1, 2), Map.of(2, 1),
                "", List.of(), Set.of(), Map.of(), new double[0],
                "ab", "a\u0000b", "\uD800", "?", "x".repeat(65), "x".repeat(66), -0.0, 0.0,
                Key.of("x"), Key.of("x", 0), Key.of("x", 1), Key.of("x", 0, 0), "x", TimeUnit.SECONDS, TimeUnit.MINUTES,
                String.class, Integer.class);
        Map<String, Object> seen = new HashMap<>();
        for (Object v : values) {
            Object before = seen.put(t(v), v);
            if (before != null) throw new AssertionError("same token for " + describe(before) + " and " + describe(v));
        }
        assertNotEquals(t((Object) null), t("null"));
        assertNotEquals(t(1, 2), t(List.of(1, 2)), "several arguments are not a list argument");
    }

    private static String describe(Object v) {
        return v.getClass().isArray() ? v.getClass().getSimpleName() + Arrays.deepToString(new Object[] {v}) : v + " (" + v.getClass().getName() + ")";
    }

    @Test
    void setsAndMapsAreOrderIndependent() {
        Set<String> a = new LinkedHashSet<>(List.of("x", "y", "z"));
        Set<String> b = new LinkedHashSet<>(List.of("z", "x", "y"));
        assertEquals(t(a), t(b));
        assertEquals(t(a), t(new TreeSet<>(b)));
        assertEquals(t(a), t(new HashSet<>(a)));
        Map<String, Integer> m1 = new LinkedHashMap<>();
        m1.put("a", 1);
        m1.put("b", 2);
        Map<String, Integer> m2 = new LinkedHashMap<>();
        m2.put("b", 2);
        m2.put("a", 1);
        assertEquals(t(m1), t(m2));
        assertEquals(t(m1), t(new TreeMap<>(m2)));
        assertNotEquals(t(m1), t(Map.of("a", 2, "b", 1)), "keys and values stay paired");
        Map<String, Object> withNull = new HashMap<>();
        withNull.put(null, null);
        withNull.put("k", null);
        assertEquals(t(withNull), t(new HashMap<>(withNull)));
        assertNotEquals(t(withNull), t(Map.of("k", "v")));
    }

    record Pair(String name, Object value) {}

    record OtherPair(String name, Object value) {}

    @Test
    void recordsByClassAndComponents() {
        assertEquals(t(new Pair("a", List.of(1))), t(new Pair("a", List.of(1))));
        assertNotEquals(t(new Pair("a", 1)), t(new Pair("a", 2)));
        assertNotEquals(t(new Pair("a", 1)), t(new OtherPair("a", 1)), "record class is part of the token");
        assertNotEquals(t(new Pair("a", 1)), t(List.of("a", 1)));
    }

    @Test
    void enumsByClassAndName() {
        assertEquals(t(TimeUnit.SECONDS), t(TimeUnit.valueOf("SECONDS")));
        assertNotEquals(t(TimeUnit.SECONDS), t("SECONDS"));
    }

    @Test
    void keysByNameAndIndex() {
        assertEquals(t(Key.of("x", 0, 1)), t(Key.of("x", 0, 1)));
        assertNotEquals(t(Key.of("x", 0, 1)), t(Key.of("x", 1, 0)));
    }

    static Fn1<Integer, Integer> adder(int n) {
        return x -> x + n;
    }

    static Fn1<Integer, Integer> otherAdder(int n) {
        return x -> x + n;
    }

    @Test
    void methodReferencesAndLambdasBySourceAndCapturedValues() {
        Fn1<Integer, Integer> inc1 = Ops::inc;
        Fn1<Integer, Integer> inc2 = Ops::inc;
        Fn1<Integer, Integer> boom = Ops::boom;
        assertEquals(t(inc1), t(inc2));
        assertNotEquals(t(inc1), t(boom));
        assertEquals(t(inc1), t(Fns.of(inc1)), "an FnN adapter is tokenized as the function it wraps");
        assertEquals(t(adder(1)), t(adder(1)), "same code, same captured value");
        assertNotEquals(t(adder(1)), t(adder(2)), "different captured value");
        assertNotEquals(t(adder(1)), t(otherAdder(1)), "same body written in two places is two functions");
        assertNotEquals(t(inc1), t(adder(1)));
    }

    static final class Named implements Tokenizable {
        final String id;
        final Object noise = new Object(); // would make the token random if it were used

        Named(String id) {
            this.id = id;
        }

        @Override
        public Object tokenIdentity() {
            return id;
        }
    }

    @Test
    void tokenizableUsesItsIdentity() {
        assertEquals(t(new Named("a")), t(new Named("a")));
        assertNotEquals(t(new Named("a")), t(new Named("b")));
        assertNotEquals(t(new Named("a")), t("a"), "the class is part of the token");
    }

    @Test
    void pathsOptionalsAndCharsetsByContent() {
        assertEquals(t(Path.of("data", "a.csv")), t(Path.of("data/a.csv")));
        assertNotEquals(t(Path.of("data/a.csv")), t(Path.of("data/b.csv")));
        assertNotEquals(t(Path.of("a.csv")), t("a.csv"));
        assertEquals(t(java.util.Optional.of(List.of(1))), t(java.util.Optional.of(List.of(1))));
        assertNotEquals(t(java.util.Optional.empty()), t((Object) null));
        assertNotEquals(t(java.util.Optional.of(1)), t(java.util.Optional.of(2)));
        assertEquals(t(StandardCharsets.ISO_8859_1), t(java.nio.charset.Charset.forName("latin1")));
        assertNotEquals(t(StandardCharsets.ISO_8859_1), t(StandardCharsets.UTF_8));
        try (Config.Scope s = Config.set("tokenize.ensure-deterministic", true)) {
            t(Path.of("x"), java.util.Optional.empty(), StandardCharsets.UTF_8); // deterministic: no error
        }
    }

    static final class Bean implements Serializable {
        final int x;
        final List<String> tags;

        Bean(int x, List<String> tags) {
            this.x = x;
            this.tags = tags;
        }
    }

    @Test
    void plainSerializableObjectsByTheirBytes() {
        assertEquals(t(new Bean(1, List.of("a"))), t(new Bean(1, List.of("a"))));
        assertNotEquals(t(new Bean(1, List.of("a"))), t(new Bean(2, List.of("a"))));
    }

    @Test
    void bigDoubleArrayIsHashedByContent() {
        double[] big = new double[40_000_000];
        for (int i = 0; i < big.length; i += 4096) big[i] = i;
        String first = t((Object) big);
        big[big.length - 1] = 1e-300;
        String changed = t((Object) big);
        assertNotEquals(first, changed, "the last element is part of the token");
        big[big.length - 1] = 0;
        assertEquals(first, t((Object) big));
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void selfReferencingListFailsClearly() {
        List<Object> l = new ArrayList<>();
        l.add(1);
        l.add(l);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t(l));
        assertTrue(e.getMessage().contains("java.util.ArrayList") && e.getMessage().contains("contains itself"), e.getMessage());
    }

    @Test
    void cyclesThroughMapsRecordsAndTokenizablesFailClearly() {
        Map<String, Object> m = new HashMap<>();
        m.put("self", List.of(m));
        assertThrows(IllegalArgumentException.class, () -> t(m));
        List<Object> holder = new ArrayList<>();
        Pair p = new Pair("p", holder);
        holder.add(p);
        assertThrows(IllegalArgumentException.class, () -> t(p));
        Tokenizable self = new Tokenizable() {
            @Override
            public Object tokenIdentity() {
                return this;
            }
        };
        assertThrows(IllegalArgumentException.class, () -> t(self));
    }

    @Test
    void sharedButAcyclicValuesAreFine() {
        List<Integer> shared = List.of(1, 2);
        assertEquals(t(List.of(shared, shared)), t(List.of(List.of(1, 2), List.of(1, 2))));
    }

    @Test
    void veryDeepNestingFailsWithoutStackOverflow() {
        Object v = 0;
        for (int i = 0; i < 10_000; i++) v = List.of(v);
        Object deep = v;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t(deep));
        assertTrue(e.getMessage().contains("nested deeper"), e.getMessage());
    }

    static final class Opaque {
        @Override
        public String toString() {
            return "opaque";
        }
    }

    static final class BadSerializable implements Serializable {
        final Object inner = new Opaque();
    }

    @Test
    void opaqueObjectsGetRandomTokensByDefault() {
        Opaque o = new Opaque();
        assertNotEquals(t(o), t(o), "no content to hash: a fresh random token each time");
        assertNotEquals(t(new BadSerializable()), t(new BadSerializable()));
    }

    @Test
    void opaqueObjectsFailWhenDeterminismIsRequired() {
        try (Config.Scope s = Config.set("tokenize.ensure-deterministic", true)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t(new Opaque()));
            assertTrue(e.getMessage().contains(Opaque.class.getName()), e.getMessage());
            assertTrue(e.getMessage().contains("tokenize.ensure-deterministic"), e.getMessage());
            IllegalArgumentException inList = assertThrows(IllegalArgumentException.class, () -> t(List.of(1, new Opaque())));
            assertTrue(inList.getMessage().contains(Opaque.class.getName()), inList.getMessage());
            IllegalArgumentException inRecord = assertThrows(IllegalArgumentException.class, () -> t(new Pair("a", new Opaque())));
            assertTrue(inRecord.getMessage().contains(Opaque.class.getName()), inRecord.getMessage());
            IllegalArgumentException badSer = assertThrows(IllegalArgumentException.class, () -> t(new BadSerializable()));
            assertTrue(badSer.getMessage().contains(BadSerializable.class.getName()), badSer.getMessage());
            // deterministic values are still fine
            assertEquals(t(List.of(1)), t(List.of(1)));
        }
    }

    // ------------------------------------------------------------------ stable across JVM runs

    /** Computed once (see TokenGolden) and pinned: a change here changes every pure key. */
    static final Map<String, String> GOLDEN = golden();

    private static Map<String, String> golden() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("int-1", "534b85416dd79d1e42daa80d5c9128dd");
        m.put("long-1", "1ef671e516bbcc9c6d9c4774d1c3db53");
        m.put("string-1", "7a9ee1c06df22e593e48e6ce8c202632");
        m.put("string-unicode", "ea3d3c5a8b1ced378531f3e5cec441f3");
        m.put("string-long", "4f2a7a4bcf04827c652678e508f13ee3");
        m.put("null", "e44752a8d0c68ede801bc4337137f56e");
        m.put("list", "b960b1d177054e2e76e84580499cf756");
        m.put("nested", "5c6491df9f3b786a20f35bd8a96eb640");
        m.put("map", "0b1cfb4fa1d9cf165990ecf4dd471a17");
        m.put("set", "402d2258c33ddb697882843b24fc8a7f");
        m.put("double-array", "77dbc7360829a4503970bd5256533022");
        m.put("record", "83a7cf407a2e17c653fc6ef4bb6ade0e");
        m.put("enum", "6051a020aee868bebe1682a689f76527");
        m.put("key", "d898c750e3cdd6ea25acaec4683df81e");
        m.put("method-ref", "2fc3b28c2b2b93e3c86890cd2890272b");
        m.put("several", "38c6432e6f01d07aed608310f18847d3");
        return m;
    }

    @Test
    void goldenTokensInThisJvm() {
        assertEquals(GOLDEN, TokenGolden.tokens());
    }

    @Test
    void goldenTokensInAFreshJvm() throws Exception {
        Process p = new ProcessBuilder(JavaCommand.java(), "-cp", System.getProperty("java.class.path"), TokenGolden.class.getName())
                .redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> copy(p.getInputStream(), out));
        reader.start();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        if (!done) p.destroyForcibly();
        reader.join(5_000);
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(done, "child JVM did not finish in 60 s; output so far:\n" + text);
        assertEquals(0, p.exitValue(), text);
        Map<String, String> child = new LinkedHashMap<>();
        for (String line : text.split("\\R")) {
            int eq = line.indexOf('=');
            if (eq > 0) child.put(line.substring(0, eq), line.substring(eq + 1));
        }
        assertEquals(GOLDEN, child, text);
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
