package org.jdask.distributed;

import java.util.List;
import java.util.Map;
import org.jdask.fn.Fn1;
import org.jdask.graph.Key;
import org.jdask.graph.RunOptions;
import org.jdask.graph.TaskGraph;

/** Ad-hoc timing probe (not a test): java ... ChainProbe N. */
public class ChainProbe {
    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        Fn1<Integer, Integer> inc = x -> x + 1;
        try (LocalCluster c = LocalCluster.builder().workers(2).threadsPerWorker(2).processes(false).build();
             Client client = Client.connect(c)) {
            for (int rep = 0; rep < 3; rep++) {
                TaskGraph.Builder b = TaskGraph.builder(n).data(Key.of("c", 0), 0);
                for (int i = 1; i < n; i++) b.task(Key.of("c", i), inc, Key.of("c", i - 1));
                long t0 = System.nanoTime();
                List<Object> r = DistributedSchedulerProvider.run(client, b.build(), List.of(Key.of("c", n - 1)), new RunOptions(List.of(), Map.of()));
                System.out.printf("chain %d: %s in %.3f s%n", n, r, (System.nanoTime() - t0) / 1e9);
                long t1 = System.nanoTime();
                var fs = client.map(inc, java.util.stream.IntStream.range(0, n).boxed().toList(), SubmitOptions.pure(false));
                client.gather(fs);
                System.out.printf("map %d in %.3f s%n", n, (System.nanoTime() - t1) / 1e9);
            }
        }
    }
}
