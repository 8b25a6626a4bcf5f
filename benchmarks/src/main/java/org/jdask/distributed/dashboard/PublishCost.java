package org.jdask.distributed.dashboard;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdask.distributed.internal.SchedulerEvent;
import org.jdask.distributed.internal.SchedulerInstruction;
import org.jdask.distributed.internal.SchedulerState;
import org.jdask.graph.Key;

/**
 * What the dashboard costs the scheduler thread, measured without sockets or load noise: the time
 * (CPU time of the scheduler thread) of one snapshot (taken every 200 ms while a page is open) for N tasks in memory, and the time
 * to record one finished task (always, while the dashboard is on).
 *
 * <pre>
 * java @graph/target/classes/org/jdask/jvm-flags.txt -cp benchmarks/target/benchmarks.jar \
 *     org.jdask.distributed.dashboard.PublishCost
 * </pre>
 */
public final class PublishCost {
    private PublishCost() {}

    public static void main(String[] args) {
        for (int n : new int[] {10_000, 100_000}) {
            SchedulerState st = new SchedulerState(SchedulerState.Options.defaults());
            st.handle(new SchedulerEvent.AddWorker("w1", "worker-0", 4, Map.of()), 0);
            List<SchedulerEvent.NewTask> tasks = new ArrayList<>(n);
            List<Key> keys = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Key k = Key.of("inc-" + i);
                keys.add(k);
                tasks.add(new SchedulerEvent.NewTask(k, "spec", null, List.of(), 0, i, 0, null, null, "inc"));
            }
            Dashboard d = Dashboard.start("tcp://127.0.0.1:1", "127.0.0.1", ":0");
            try {
                List<SchedulerInstruction> out = new ArrayList<>(st.handle(new SchedulerEvent.UpdateGraph("c", tasks, keys, false), 1));
                long recordNs = 0;
                int finished = 0;
                while (!out.isEmpty()) { // run every task to memory, recording each in the dashboard as the shell does
                    List<SchedulerInstruction> next = new ArrayList<>();
                    for (SchedulerInstruction i : out) {
                        if (i instanceof SchedulerInstruction.Compute c) {
                            long t0 = System.nanoTime();
                            d.taskFinished(st, "w1", c.key(), 0.001, 1, 1, 2);
                            recordNs += System.nanoTime() - t0; // wall time, median-free: an upper bound under load
                            finished++;
                            next.addAll(st.handle(new SchedulerEvent.TaskFinished("w1", c.key(), 28, 0.001), 2));
                        }
                    }
                    out = next;
                }
                for (int w = 0; w < 20; w++) d.publish(st, 3); // warm-up
                int reps = 50;
                // CPU time of this thread, not wall time: on a loaded machine wall time mostly measures waiting for a core
                java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
                long t0 = mx.getCurrentThreadCpuTime();
                for (int r = 0; r < reps; r++) d.publish(st, 3);
                double publishMs = (mx.getCurrentThreadCpuTime() - t0) / 1e6 / reps;
                System.out.printf("%,d tasks in memory: snapshot %.2f ms (every 200 ms while watched: %.1f%% of the scheduler thread); "
                        + "recording a finished task %.0f ns (%,d recorded)%n", n, publishMs, publishMs / 200 * 100,
                        (double) recordNs / finished, finished);
            } finally {
                d.close();
            }
        }
    }
}
