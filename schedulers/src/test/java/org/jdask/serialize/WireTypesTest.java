package org.jdask.serialize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jdask.graph.JavaCommand;
import org.jdask.graph.JvmFlags;
import org.jdask.graph.Key;
import org.jdask.graph.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Task frames go through the codecs without Fory generating a serializer (issue 16's first
 * start-up, issue 17's cold start: a generated one held the Fory instance's JIT lock, so a fresh
 * JVM's next encode or decode waited for Janino). In a fresh JVM, since this one's Fory has long
 * generated serializers for other tests.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WireTypesTest {
    @Test
    void taskFramesRoundTripInAFreshJvmWithoutCodeGeneration() throws Exception {
        List<String> cmd = JavaCommand.of(JvmFlags.get(), ClassPath.asString());
        cmd.add(WireTypesProbe.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) lines.add(l);
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM did not exit");
        assertEquals(0, p.exitValue(), "probe JVM failed: " + lines);
        assertTrue(lines.contains("RESULT 42 42"), "decoded tasks did not compute 41 + 1 and 40 + 2: " + lines);
        assertTrue(lines.contains("JIT-THREADS 0"), "Fory generated a serializer for a task frame: " + lines);
    }

    @Test
    void theRegisteredClassesAreTaskKeyTheAdaptersAndJdasksTaskFunctions() {
        List<Class<?>> t = WireTypes.types();
        assertTrue(t.contains(Task.class) && t.contains(Key.class), t.toString());
        assertEquals(11 + WireTypes.FUNCTION_CLASSES.size(), t.size(), "the seven Fns adapters (Fn0..Fn6), Task, Key, DataNode, Alias and jdask's task functions: " + t);
        for (String name : WireTypes.FUNCTION_CLASSES) assertTrue(t.stream().anyMatch(c -> c.getName().equals(name)), name);
    }

    @Test
    void aTaskTravelsAsItsFunctionAndArgumentsAndComesBackWhole() throws Exception {
        Key a = Key.of("a"), b = Key.of("b", 3);
        org.jdask.fn.FnN sum = args -> {
            long total = 0;
            for (Object x : args) total += x instanceof java.util.List<?> l ? l.stream().mapToLong(v -> ((Number) v).longValue()).sum() : ((Number) x).longValue();
            return total;
        };
        Task inner = Task.ofArray(sum, new Object[] {b, 10});
        Task t = Task.ofArray(sum, new Object[] {a, java.util.List.of(a, b), inner, new org.jdask.graph.DataNode(5), 7});
        Task back = (Task) Codecs.decode(Codecs.encode(t));
        assertEquals(t.dependencies(), back.dependencies(), "dependencies found again from the arguments");
        java.util.Map<Key, Object> values = java.util.Map.of(a, 1, b, 2);
        assertEquals(t.execute(values::get), back.execute(values::get));
        assertEquals(1 + (1 + 2) + (2 + 10) + 5 + 7L, back.execute(values::get));
        // the same key object twice stays one object (reference tracking across the hand-written serializer)
        Task twice = (Task) Codecs.decode(Codecs.encode(Task.ofArray(sum, new Object[] {a, a})));
        assertTrue(twice.arg(0) == twice.arg(1));
        assertEquals(java.util.List.of(a), twice.dependencies());
    }
}
