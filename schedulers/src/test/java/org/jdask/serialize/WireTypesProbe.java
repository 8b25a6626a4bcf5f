package org.jdask.serialize;

import java.util.List;
import org.jdask.Delayed;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.jdask.graph.Key;
import org.jdask.graph.Task;

/**
 * {@link WireTypesTest}'s fresh JVM: encodes and decodes task frames of every adapter arity
 * used by tasks, runs the decoded function, then prints {@code RESULT <value>} and {@code
 * JIT-THREADS <n>}, the number of Fory code-generation threads that exist (Fory starts them for
 * its first generated serializer).
 */
public final class WireTypesProbe {
    private WireTypesProbe() {}

    public static void main(String[] args) throws Exception {
        Fn1<Integer, Integer> inc = x -> x + 1;
        Fn2<Integer, Integer, Integer> add = Integer::sum;
        Task one = (Task) Codecs.decode(Codecs.encode(Task.of(inc, 41)));
        Task two = (Task) Codecs.decode(Codecs.encode(Task.of(add, Key.of("x"), 2)));
        Object r1 = one.function().invoke(new Object[] {41});
        Object r2 = two.function().invoke(new Object[] {40, 2});
        if (!two.dependencies().equals(List.of(Key.of("x")))) throw new IllegalStateException("dependencies lost: " + two.dependencies());
        // a Delayed fan-in's list function (W1 on processes generated its serializer on both sides)
        Delayed<List<Integer>> all = Delayed.all(List.of(Delayed.value(1), Delayed.value(2)));
        for (Object node : all.graph().nodes().values()) Codecs.decode(Codecs.encode(node));
        System.out.println("RESULT " + r1 + " " + r2);
        long jit = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("fory-jit")).count();
        System.out.println("JIT-THREADS " + jit);
        System.out.flush();
        System.exit(0);
    }
}
