package org.jdask.serialize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import org.jdask.SerializationException;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.jdask.fn.FnN;
import org.jdask.fn.Fns;
import org.jdask.graph.Key;
import org.jdask.graph.Task;
import org.junit.jupiter.api.Test;

/**
 * A map's function travels as its own frame (issue 17): the tasks of one map carry the same
 * bytes, and a JVM decodes them once per class loader; a loader's functions are dropped with it.
 */
class FnFrameTest {
    private static final int BASE = 100;

    @Test
    void theTasksOfOneMapDecodeTheirFunctionOnce() throws Exception {
        int offset = BASE; // captured: a function with state travels with it
        Fn1<Integer, Integer> plus = x -> x + offset;
        FnFrame once = FnFrame.of(Fns.of(plus));
        assertEquals(1, once.arity());
        byte[][] frames = new byte[1_000][];
        for (int i = 0; i < frames.length; i++) frames[i] = Codecs.encode(Task.ofArray(once, new Object[] {i}));
        long before = FnFrame.decodes();
        FnN first = null;
        for (int i = 0; i < frames.length; i++) {
            Task t = (Task) Codecs.decode(frames[i]);
            FnFrame f = assertInstanceOf(FnFrame.class, t.function());
            assertEquals(i + BASE, t.execute(k -> null));
            if (first == null) first = f.resolve();
            else assertSame(first, f.resolve(), "task " + i + " got the cached function");
        }
        assertEquals(1, FnFrame.decodes() - before, "1,000 task frames of one map decode their function once");
    }

    @Test
    void aFunctionWithKeysAmongItsArgumentsRunsAsBefore() throws Exception {
        Fn2<Integer, Integer, Integer> add = Integer::sum;
        Task t = (Task) Codecs.decode(Codecs.encode(Task.ofArray(FnFrame.of(Fns.of(add)), new Object[] {Key.of("a"), 2})));
        assertEquals(java.util.List.of(Key.of("a")), t.dependencies());
        assertEquals(42, t.execute(k -> 40));
        assertThrows(IllegalArgumentException.class, () -> Task.ofArray(FnFrame.of(Fns.of(add)), new Object[] {1}),
                "the arity travels with the frame: a task with the wrong number of arguments is refused where it is built");
    }

    @Test
    void eachClassLoaderDecodesItsOwnCopyAndForgetDropsIt() throws Exception {
        Fn1<Integer, Integer> twice = x -> 2 * x;
        byte[] task = Codecs.encode(Task.ofArray(FnFrame.of(Fns.of(twice)), new Object[] {21}));
        ClassLoader client = new URLClassLoader(new URL[0], getClass().getClassLoader()); // a client's code loader
        FnN outside = ((FnFrame) ((Task) Codecs.decode(task)).function()).resolve();
        FnN inside;
        try (Codecs.LoaderScope s = Codecs.withLoader(client)) {
            Task t = (Task) Codecs.decode(task);
            assertEquals(42, t.execute(k -> null));
            inside = ((FnFrame) t.function()).resolve();
        }
        assertNotSame(outside, inside, "the same bytes are decoded apart for another loader (another client's classes)");
        assertEquals(1, FnFrame.cached(client));
        FnFrame.forget(client); // its client left
        assertEquals(0, FnFrame.cached(client), "the client's functions are dropped with its loader");
        assertTrue(FnFrame.cached(getClass().getClassLoader()) >= 1, "other loaders keep theirs");
    }

    @Test
    void aFrameThatHoldsNoFunctionIsRefusedNamingWhatItHolds() {
        SerializationException e = assertThrows(SerializationException.class, () -> FnFrameCache.decode(Codecs.encode("not code")));
        assertTrue(e.getMessage().contains("java.lang.String") && e.getMessage().contains("not a function"), e.getMessage());
    }
}
