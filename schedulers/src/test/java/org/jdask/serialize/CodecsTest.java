package org.jdask.serialize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdask.Config;
import org.jdask.SerializationException;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.jdask.graph.DataNode;
import org.jdask.graph.Key;
import org.jdask.graph.Task;
import org.junit.jupiter.api.Test;

class CodecsTest {
    record Point(int x, String label) {}

    static int twice(int x) {
        return 2 * x;
    }

    private static Object roundTrip(Object v) {
        return Codecs.decode(Codecs.encode(v));
    }

    @Test
    void primitiveArraysUseTheRawFrame() {
        double[] d = {1.5, -0.0, Double.NaN, Double.MAX_VALUE};
        byte[] frame = Codecs.encode(d);
        assertEquals(RawArrays.DOUBLES, frame[0]);
        assertEquals(1 + 4 + 8 * d.length, frame.length);
        assertEquals(4, ByteBuffer.wrap(frame, 1, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
        assertArrayEquals(d, (double[]) roundTrip(d));
        assertArrayEquals(new long[] {Long.MIN_VALUE, 0, 7}, (long[]) roundTrip(new long[] {Long.MIN_VALUE, 0, 7}));
        assertArrayEquals(new int[] {-1, 2}, (int[]) roundTrip(new int[] {-1, 2}));
        assertArrayEquals(new byte[] {-128, 0, 127}, (byte[]) roundTrip(new byte[] {-128, 0, 127}));
        assertArrayEquals(new boolean[] {true, false, true}, (boolean[]) roundTrip(new boolean[] {true, false, true}));
        assertArrayEquals(new double[0], (double[]) roundTrip(new double[0]));
        assertEquals(RawArrays.BOOLEANS, Codecs.encode(new boolean[0])[0]);
    }

    @Test
    void generalValuesRoundTripThroughFory() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", List.of(1, 2L, 3.0));
        m.put("date", LocalDate.of(2026, 11, 22));
        m.put("point", new Point(3, "p"));
        m.put("key", Key.of("x", 0, 1));
        byte[] frame = Codecs.encode(m);
        assertEquals(Codecs.FORY, frame[0]);
        assertEquals(m, Codecs.decode(frame));
        assertNull(roundTrip(null));
        assertEquals("s", roundTrip("s"));
        // shared references survive
        List<Object> shared = new ArrayList<>(List.of("x"));
        @SuppressWarnings("unchecked")
        List<List<Object>> back = (List<List<Object>>) roundTrip(new ArrayList<>(List.of(shared, shared)));
        assertTrue(back.get(0) == back.get(1));
    }

    @Test
    void keysRoundTripInsideListsAndTasksWithTheirHash() {
        List<Key> keys = new ArrayList<>();
        for (int i = 0; i < 1000; i++) keys.add(i % 3 == 0 ? Key.of("inc-" + i) : Key.of("block-" + i, i, -i, Integer.MAX_VALUE, Integer.MIN_VALUE));
        keys.add(keys.get(0)); // the same key twice
        assertEquals(keys, roundTrip(keys));
        Key k = (Key) roundTrip(Key.of("x", 2, 3));
        assertEquals(Key.of("x", 2, 3), k);
        assertEquals(Key.of("x", 2, 3).hashCode(), k.hashCode());
        assertEquals(Key.of("y"), roundTrip(Key.of("y")));
        Task t = Task.of((Fn1<List<Integer>, Integer>) l -> l.size(), new Object[] {new ArrayList<>(keys.subList(0, 10))});
        assertEquals(t.dependencies(), ((Task) roundTrip(t)).dependencies());
    }

    @Test
    void decodesFromAByteBufferWithOffset() {
        byte[] frame = Codecs.encode(new long[] {5, 6});
        ByteBuffer b = ByteBuffer.allocate(frame.length + 3);
        b.put(new byte[] {9, 9, 9}).put(frame).flip().position(3);
        assertArrayEquals(new long[] {5, 6}, (long[]) Codecs.codec().decode(b));
    }

    @Test
    void lambdasMethodReferencesAndTasksRoundTripAndRun() throws Exception {
        int offset = 10;
        Fn1<Integer, Integer> lambda = x -> x + offset;
        Fn1<Integer, Integer> ref = CodecsTest::twice;
        @SuppressWarnings("unchecked")
        Fn1<Integer, Integer> l2 = (Fn1<Integer, Integer>) roundTrip(lambda);
        @SuppressWarnings("unchecked")
        Fn1<Integer, Integer> r2 = (Fn1<Integer, Integer>) roundTrip(ref);
        assertEquals(15, l2.apply(5));
        assertEquals(14, r2.apply(7));

        Fn2<Integer, List<Integer>, Integer> add = (a, xs) -> a + xs.stream().mapToInt(Integer::intValue).sum();
        Task inner = Task.of(lambda, Key.of("y"));
        Task t = Task.of(add, Key.of("x", 0), List.of(Key.of("x", 1), inner));
        Map<Key, Object> values = Map.of(Key.of("x", 0), 1, Key.of("x", 1), 2, Key.of("y"), 3);
        Task back = (Task) roundTrip(t);
        assertEquals(t.dependencies(), back.dependencies());
        assertEquals(t.execute(values::get), back.execute(values::get));
        assertEquals(1 + 2 + 13, back.execute(values::get));

        Task data = Task.of(ref, new DataNode(21));
        assertEquals(42, ((Task) roundTrip(data)).execute(k -> null));
    }

    /** The strict mode: class-path classes are not trusted, only the allow-list opens the policy. */
    static Config.Scope strict() {
        return Config.set("serialization.trust-classpath", false);
    }

    @Test
    void classesOutsideThePolicyAreRefusedOnDecode() throws Exception {
        // a java.io frame written by hand (tag + stream), as a hostile peer would
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(Codecs.JAVA);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new ArrayList<>(List.of("ok", new evil.Gadget())));
        }
        try (Config.Scope s = strict()) {
            SerializationException e = assertThrows(SerializationException.class, () -> Codecs.decode(bytes.toByteArray()));
            assertEquals("evil.Gadget", e.className());
            assertTrue(e.getMessage().contains("Codecs.allow(\"evil\")"), e.getMessage());
            assertTrue(e.getMessage().contains("serialization.allowed-packages"), e.getMessage());
        }
        // by default a class of this JVM's own class path is the user's code: trusted
        assertEquals(2, ((List<?>) Codecs.decode(bytes.toByteArray())).size());

        ByteArrayOutputStream swing = new ByteArrayOutputStream();
        swing.write(Codecs.JAVA);
        try (ObjectOutputStream out = new ObjectOutputStream(swing)) {
            out.writeObject(new javax.swing.JPanel());
        }
        // JDK classes outside the allowed set stay refused, trusted class path or not
        SerializationException s = assertThrows(SerializationException.class, () -> Codecs.decode(swing.toByteArray()));
        assertEquals("javax.swing.JPanel", s.className());
    }

    @Test
    void classesOutsideThePolicyAreRefusedByFory() {
        try (Config.Scope s = strict()) {
            SerializationException e = assertThrows(SerializationException.class, () -> Codecs.encode(List.of(new evil.Gadget())));
            assertTrue(e.getMessage().contains("evil.Gadget"), e.getMessage());
            SerializationException l = assertThrows(SerializationException.class, () -> Codecs.encode(evil.Gadget.lambda()));
            // the lambda's real class, never a hidden name like evil.Gadget$$Lambda$92/0x...
            assertEquals("evil.Gadget", l.className(), l.getMessage());
            assertTrue(!l.getMessage().contains("$$Lambda") && l.getMessage().contains("Codecs.allow(\"evil\")"), l.getMessage());
        }
        assertTrue(Codecs.decode(Codecs.encode(evil.Gadget.lambda())) != null, "trusted by default: on this JVM's class path");
    }

    @Test
    void aRefusedDefaultPackageClassIsNamedWithAdviceThatWorks() {
        SerializationException e = ClassPolicy.refused("Dash$$Lambda$92/0x00007facb809da00");
        assertEquals("Dash", e.className());
        assertTrue(e.getMessage().contains("default package") && e.getMessage().contains("Codecs.allow(\"Dash\")"), e.getMessage());
        assertTrue(!e.getMessage().contains("0x"), e.getMessage());
        try (Config.Scope s = strict()) {
            assertTrue(!Codecs.isAllowed("Dash"));
            Codecs.allow("Dash");
            assertTrue(Codecs.isAllowed("Dash") && Codecs.isAllowed("Dash$$Lambda$92/0x00007facb809da00"));
        }
    }

    @Test
    void jdkExceptionsKeepClassMessageCauseAndTrace() {
        Exception e = new java.io.UncheckedIOException("wrapped", new java.io.IOException("inner", new java.io.FileNotFoundException("root")));
        e.addSuppressed(new java.nio.file.NoSuchFileException("/x"));
        try (Config.Scope s = strict()) { // not a class-path rule: JDK exceptions are allowed as such
            Throwable back = (Throwable) Codecs.decode(Codecs.encode(e));
            assertEquals(java.io.UncheckedIOException.class, back.getClass());
            assertEquals("wrapped", back.getMessage());
            assertEquals(java.io.IOException.class, back.getCause().getClass());
            assertEquals(java.io.FileNotFoundException.class, back.getCause().getCause().getClass());
            assertEquals("root", back.getCause().getCause().getMessage());
            assertEquals("/x", back.getSuppressed()[0].getMessage());
            assertArrayEquals(e.getStackTrace(), back.getStackTrace());
            assertTrue(Codecs.isAllowed("java.lang.RuntimeException"), "not caught by the java.lang.Runtime denial");
        }
    }

    @Test
    void configAndAllowOpenThePolicy() {
        assertTrue(!Codecs.isAllowed("cfgonly.Thing"));
        try (Config.Scope s = Config.set("serialization.allowed-packages", List.of("cfgonly"))) {
            assertTrue(Codecs.isAllowed("cfgonly.Thing"));
            assertTrue(Codecs.isAllowed("[Lcfgonly.Thing;"));
            assertTrue(!Codecs.isAllowed("cfgonlyx.Thing"));
        }
        assertTrue(!Codecs.isAllowed("cfgonly.Thing"));
        assertTrue(!Codecs.isAllowed("java.lang.reflect.Method"));
        assertTrue(!Codecs.isAllowed("java.lang.ProcessBuilder"));
        assertTrue(Codecs.isAllowed("[D"));
        Codecs.allow("allowedbytest");
        assertTrue(Codecs.isAllowed("allowedbytest.X"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void allowedPackagesTravelInAConfigMapToAnotherJvm() {
        Map<String, Object> config = Map.of("k", 1);
        Codecs.allow("carriedbytest");
        Map<String, Object> carried = Codecs.carryAllowed(config);
        assertEquals(1, carried.get("k"));
        // what a worker JVM does with the decoded map: allow, and see the caller's config only
        Map<String, Object> seen = Codecs.acceptAllowed((Map<String, Object>) Codecs.decode(Codecs.encode(new LinkedHashMap<>(carried))));
        assertEquals(Map.of("k", 1), seen);
        assertTrue(Codecs.isAllowed("carriedbytest.X"));
        assertTrue(Codecs.acceptAllowed(config) == config, "a map without the entry is returned as is");
    }

    static final class Holder implements java.io.Serializable {
        final Object conn;

        Holder(Object conn) {
            this.conn = conn;
        }
    }

    @Test
    void unserializableValuesNameTheClass() {
        SerializationException e = assertThrows(SerializationException.class, () -> Codecs.encode(new Holder(new Thread())));
        assertTrue(e.getMessage().contains("java.lang.Thread"), e.getMessage());
    }

    @Test
    void corruptAndTruncatedFramesFailClearly() {
        assertThrows(SerializationException.class, () -> Codecs.decode(new byte[0]));
        assertThrows(SerializationException.class, () -> Codecs.decode(new byte[] {99}));
        byte[] d = Codecs.encode(new double[] {1, 2, 3});
        SerializationException raw = assertThrows(SerializationException.class, () -> Codecs.decode(Arrays.copyOf(d, d.length - 1)));
        assertTrue(raw.getMessage().contains("truncated"), raw.getMessage());
        assertThrows(SerializationException.class, () -> Codecs.decode(new byte[] {RawArrays.INTS, 1}));
        byte[] bad = Codecs.encode(new int[] {1});
        bad[4] = (byte) 0x80; // negative length
        assertThrows(SerializationException.class, () -> Codecs.decode(bad));

        byte[] f = Codecs.encode(Map.of("k", List.of(1, 2, 3), "v", new Point(1, "abc")));
        for (int cut = 1; cut < f.length; cut++) {
            byte[] part = Arrays.copyOf(f, cut);
            SerializationException x = assertThrows(SerializationException.class, () -> Codecs.decode(part), "cut at " + cut);
            assertTrue(x.getMessage().contains("frame"), x.getMessage());
        }
        byte[] j = new byte[] {Codecs.JAVA, 1, 2, 3};
        assertThrows(SerializationException.class, () -> Codecs.decode(j));
    }
}
