package org.jdask.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jdask.Delayed;
import org.jdask.Ops;
import org.jdask.SerializationException;
import org.jdask.fn.Fn1;
import org.junit.jupiter.api.Test;

class SerializationCheckTest {
    /** Serializable itself, but holding a connection that is not. */
    static final class Client implements Serializable {
        final String host = "db";
        final Socket conn;

        Client(Socket conn) {
            this.conn = conn;
        }
    }

    static final class Opaque {}

    static final class Link implements Serializable {
        Link next;
        Object payload;
    }

    private final Object instanceField = new Opaque();

    private static void assertContains(String haystack, String needle) {
        assertTrue(haystack.contains(needle), () -> "expected <" + needle + "> in:\n" + haystack);
    }

    @Test
    void lambdaCapturingANonSerializableObjectNamesKeyFunctionAndField() throws Exception {
        try (Socket socket = new Socket()) {
            Client client = new Client(socket);
            Fn1<Integer, Integer> query = x -> x + client.host.length();
            Delayed<Integer> d = Delayed.of(query).name("query-0").apply(1);
            SerializationException e = assertThrows(SerializationException.class, () -> SerializationCheck.check(d.graph()));
            assertEquals(Key.of("query-0"), e.key());
            assertEquals("java.net.Socket", e.className());
            assertEquals("captured arg 0 of lambda in SerializationCheckTest -> field 'conn' (java.net.Socket)", e.field());
            assertContains(e.getMessage(), "'query-0'");
            assertContains(e.getMessage(), "function lambda");
            assertContains(e.getMessage(), "transient");
        }
    }

    @Test
    void serializableFunctionsAndValuesPass() {
        int n = 3;
        Fn1<Integer, Integer> addN = x -> x + n;
        Delayed<Integer> a = Delayed.of(addN).apply(Delayed.of(Ops::inc).apply(1));
        Delayed<Integer> b = Delayed.of(Ops::sum).apply(List.of(a, 2, 3));
        Delayed<double[]> big = Delayed.value(new double[1_000]);
        TaskGraph g = TaskGraph.merge(List.of(b.graph(), big.graph(),
                TaskGraph.builder().data(Key.of("map"), new HashMap<>(Map.of("k", List.of(1, 2)))).build()));
        SerializationCheck.check(g); // must not throw
        SerializationCheck.checkValue(Key.of("x"), new ArrayList<>(List.of("a", 1)), "result");
        SerializationCheck.checkValue(Key.of("x"), null, "result");
    }

    @Test
    void plainListsOfKeysPassWithoutATrialAndListsHidingABadValueStillFail() {
        List<Object> keys = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) keys.add(Key.of("inc-" + i));
        keys.add(List.of(1, "two", Key.of("x", 3))); // nested plain lists too
        Fn1<List<Object>, Integer> size = List::size;
        SerializationCheck.check(TaskGraph.builder().task(Key.of("sum"), size, keys).build()); // must not throw
        // the same shapes holding something that does not serialize are still refused, naming it
        List<Object> bad = new ArrayList<>(keys.subList(0, 3));
        bad.add(new ArrayList<>(List.of(new Opaque())));
        SerializationException e = assertThrows(SerializationException.class,
                () -> SerializationCheck.check(TaskGraph.builder().task(Key.of("bad"), size, bad).build()));
        assertContains(e.className(), "Opaque");
        // a view is not a plain collection: its trial serialization fails as before
        Map<String, Integer> m = new HashMap<>(Map.of("a", 1));
        assertThrows(SerializationException.class, () -> SerializationCheck.checkValue(Key.of("v"), m.keySet(), "result"));
    }

    /** A custom FnN that wraps a good lambda but carries a bad field of its own. */
    static final class Wrapper implements org.jdask.fn.FnN {
        final Fn1<Integer, Integer> inner;
        final Object extra = new Opaque();

        Wrapper(Fn1<Integer, Integer> inner) {
            this.inner = inner;
        }

        @Override
        public Object invoke(Object[] args) throws Exception {
            return inner.apply((Integer) args[0]);
        }

        @Override
        public Object target() {
            return inner;
        }
    }

    @Test
    void aGoodFunctionCheckedOnceDoesNotHideABadWrapperOfIt() {
        Fn1<Integer, Integer> inc = Ops::inc;
        TaskGraph g = TaskGraph.builder()
                .task(Key.of("a"), inc, 1)
                .task(Key.of("b"), inc, 2)
                .put(Key.of("c"), Task.ofArray(new Wrapper(inc), new Object[] {3}))
                .build();
        SerializationException e = assertThrows(SerializationException.class, () -> SerializationCheck.check(g));
        assertEquals(Key.of("c"), e.key());
        assertEquals("field 'extra' (" + Opaque.class.getName() + ")", e.field());
    }

    @Test
    void everyTaskSharingABadFunctionIsReportedOnTheFirst() {
        Fn1<Integer, Integer> bad = x -> x + instanceField.hashCode();
        TaskGraph g = TaskGraph.builder().task(Key.of("a"), bad, 1).task(Key.of("b"), bad, 2).build();
        SerializationException e = assertThrows(SerializationException.class, () -> SerializationCheck.check(g));
        assertEquals(Key.of("a"), e.key());
        assertContains(e.getMessage(), "function lambda of task 'a'");
    }

    @Test
    void dataNodeWithANonSerializableValueNamesTheKey() {
        TaskGraph g = TaskGraph.builder().data(Key.of("ok"), 1).data(Key.of("conn", 0), new Opaque()).build();
        SerializationException e = assertThrows(SerializationException.class, () -> SerializationCheck.check(g));
        assertEquals(Key.of("conn", 0), e.key());
        assertEquals(Opaque.class.getName(), e.className());
        assertEquals("value (" + Opaque.class.getName() + ")", e.field());
        assertContains(e.getMessage(), "('conn', 0)");
    }

    @Test
    void pathGoesThroughListsMapsAndFields() {
        Map<String, Object> m = new HashMap<>();
        m.put("settings", List.of(1, new Link()));
        ((Link) ((List<?>) m.get("settings")).get(1)).payload = new Opaque();
        TaskGraph g = TaskGraph.builder().data(Key.of("cfg"), m).build();
        SerializationException e = assertThrows(SerializationException.class, () -> SerializationCheck.check(g));
        assertEquals("value -> value for key \"settings\" -> element 1 -> field 'payload' (" + Opaque.class.getName() + ")", e.field());
    }

    @Test
    void argumentLiteralIsNamedByPositionAndFunction() {
        Fn1<Object, Object> identity = x -> x;
        TaskGraph g = TaskGraph.builder().task(Key.of("t"), identity, List.of(new Opaque())).build();
        SerializationException e = assertThrows(SerializationException.class, () -> SerializationCheck.check(g));
        assertEquals(Key.of("t"), e.key());
        assertEquals("argument 0 of lambda -> element 0 (" + Opaque.class.getName() + ")", e.field());
    }

    @Test
    void nestedTaskArgumentsAreChecked() {
        Fn1<Object, Object> identity = x -> x;
        Task inner = Task.of(identity, new Opaque());
        Fn1<List<Integer>, Integer> sum = Ops::sum;
        TaskGraph g = TaskGraph.builder().put(Key.of("outer"), Task.of(sum, inner)).build();
        SerializationException e = assertThrows(SerializationException.class, () -> SerializationCheck.check(g));
        assertEquals("argument 0 of sum (nested task lambda) -> argument 0 of lambda (" + Opaque.class.getName() + ")", e.field());
    }

    @Test
    void lambdaCapturingTheTestInstanceNamesTheEnclosingClass() {
        Fn1<Integer, Integer> usesField = x -> x + instanceField.hashCode();
        TaskGraph g = TaskGraph.builder().task(Key.of("f"), usesField, 1).build();
        SerializationException e = assertThrows(SerializationException.class, () -> SerializationCheck.check(g));
        assertEquals(getClass().getName(), e.className());
        assertEquals("captured arg 0 of lambda in SerializationCheckTest (" + getClass().getName() + ")", e.field());
    }

    @Test
    void capturedPlainLambdaGetsAdvice() {
        Supplier<Integer> plain = () -> 1;
        Fn1<Integer, Integer> f = x -> x + plain.get();
        TaskGraph g = TaskGraph.builder().task(Key.of("f"), f, 1).build();
        SerializationException e = assertThrows(SerializationException.class, () -> SerializationCheck.check(g));
        assertContains(e.className(), "$$Lambda");
        assertContains(e.getMessage(), "org.jdask.fn.Fn0..Fn6");
    }

    @Test
    void cyclicValuesAreWalkedSafely() {
        Link a = new Link();
        Link b = new Link();
        a.next = b;
        b.next = a;
        b.payload = new Opaque();
        SerializationException e = assertThrows(SerializationException.class,
                () -> SerializationCheck.checkValue(Key.of("k"), a, "result"));
        assertEquals("result -> field 'next' -> field 'payload' (" + Opaque.class.getName() + ")", e.field());
    }

    @Test
    void locateReturnsNullWhenTheClassIsNotReachable() {
        assertNull(SerializationCheck.locate(List.of(1, 2), Opaque.class.getName()));
        assertEquals("", SerializationCheck.locate(new Opaque(), Opaque.class.getName()));
    }

    static final class ThrowsOnWrite implements Serializable {
        private void writeObject(java.io.ObjectOutputStream out) {
            throw new IllegalStateException("refusing to be written");
        }
    }

    @Test
    void otherSerializationFailuresKeepTheCause() {
        SerializationException e = assertThrows(SerializationException.class,
                () -> SerializationCheck.checkValue(Key.of("k"), List.of(new ThrowsOnWrite()), "argument 0 of f"));
        assertEquals(Key.of("k"), e.key());
        assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
        assertContains(e.getMessage(), "refusing to be written");
    }
}
