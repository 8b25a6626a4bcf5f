package org.jdask.graph;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdask.fn.FnN;
import org.jdask.fn.Fns;

/**
 * The function of a fused task: a small straight-line program. {@code tasks[i]} computes local
 * key {@code keys[i]}; tasks are in dependency order and the last one is the result. The fused
 * task's arguments are the values of {@code inputs}, the keys read from outside the program.
 *
 * <p>Why a flat program and not nested tasks: a chain of 10,000 tasks as nested arguments would
 * be evaluated, printed, hashed and Java-serialized by recursion 10,000 deep. Here every walk is
 * a loop over arrays, and each local result is dropped as soon as its last reader has run.
 */
final class FusedFn implements FnN {
    private static final long serialVersionUID = 1L;

    private final Key[] inputs;
    private final Key[] keys;
    private final Task[] tasks;
    /** releaseAfter[i]: local results whose last reader is task i, dropped once it has run. */
    private final int[][] releaseAfter;

    FusedFn(Key[] inputs, Key[] keys, Task[] tasks) {
        if (keys.length != tasks.length || keys.length == 0) throw new IllegalArgumentException("empty or mismatched program");
        this.inputs = inputs;
        this.keys = keys;
        this.tasks = tasks;
        Map<Key, Integer> local = new HashMap<>(keys.length * 4 / 3 + 1);
        for (int i = 0; i < keys.length; i++) local.put(keys[i], i);
        int[] last = new int[keys.length];
        Arrays.fill(last, -1);
        int[] count = new int[tasks.length];
        for (int i = 0; i < tasks.length; i++) {
            for (int j = 0; j < tasks[i].dependencyCount(); j++) {
                Integer l = local.get(tasks[i].dependency(j));
                if (l == null) continue;
                if (l >= i) throw new IllegalArgumentException("task " + keys[i] + " reads " + keys[l] + " before it is computed");
                if (last[l] >= 0) count[last[l]]--;
                last[l] = i;
                count[i]++;
            }
        }
        this.releaseAfter = new int[tasks.length][];
        for (int i = 0; i < tasks.length; i++) releaseAfter[i] = new int[count[i]];
        for (int l = 0; l < keys.length; l++) {
            if (last[l] >= 0) releaseAfter[last[l]][--count[last[l]]] = l;
        }
    }

    /** The keys fused into this program, in execution order (the result's key last). */
    List<Key> keys() {
        return List.of(keys);
    }

    List<Task> tasks() {
        return List.of(tasks);
    }

    @Override
    public int arity() {
        return inputs.length;
    }

    @Override
    public Object invoke(Object[] args) throws Exception {
        Map<Key, Object> values = new HashMap<>();
        for (int i = 0; i < inputs.length; i++) values.put(inputs[i], args[i]);
        Object result = null;
        for (int i = 0; i < tasks.length; i++) {
            try {
                result = tasks[i].execute(values::get);
            } catch (Exception | StackOverflowError e) {
                // keep the user's exception as is (it becomes the TaskFailedException's cause) and
                // say which fused part failed, since the outer key names the whole program
                e.addSuppressed(new org.jdask.JdaskException("failed in fused part " + keys[i] + " = " + tasks[i]
                        + " (" + (i + 1) + " of " + tasks.length + ")"));
                throw e;
            }
            for (int l : releaseAfter[i]) values.remove(keys[l]);
            values.put(keys[i], result);
        }
        return result;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FusedFn f && Arrays.equals(inputs, f.inputs) && Arrays.equals(keys, f.keys)
                && Arrays.equals(tasks, f.tasks);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(keys) * 31 + Arrays.hashCode(inputs);
    }

    /** {@code fused[inc, inc, add]}, bounded. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("fused[");
        for (int i = 0; i < tasks.length; i++) {
            if (i > 0) b.append(", ");
            if (i == 8 && tasks.length > 10) {
                b.append("... ").append(tasks.length - 9).append(" more ..., ").append(Fns.name(tasks[tasks.length - 1].function()));
                break;
            }
            b.append(Fns.name(tasks[i].function()));
        }
        return b.append(']').toString();
    }
}
