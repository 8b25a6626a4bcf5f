package org.jdask.benchmarks;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jdask.Delayed;
import org.jdask.Jdask;
import org.jdask.graph.Key;
import org.jdask.graph.RunOptions;
import org.jdask.graph.Scheduler;
import org.jdask.graph.Schedulers;
import org.jdask.graph.TaskGraph;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-task overhead of the local engine: runs a prebuilt, pre-optimized 10,000-task graph (W1's
 * fan-in and chain shapes) through the scheduler's {@code get}; time per op / 10,000 = per-task
 * cost. The graph is built once in setup, so this isolates the scheduler from {@code Delayed}.
 *
 * <p>Run: {@code java @graph/target/classes/org/jdask/jvm-flags.txt -jar benchmarks/target/benchmarks.jar
 * EngineOverheadBench -f 1 -wi 3 -i 5}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class EngineOverheadBench {
    @Param({"sync", "threads"})
    public String scheduler;

    @Param({"fanin", "chain"})
    public String shape;

    private TaskGraph graph;
    private List<Key> outputs;
    private Scheduler sch;
    private RunOptions options;

    @Setup
    public void setup() {
        Delayed<?> d = shape.equals("fanin") ? W1.fanIn(W1.N) : W1.chain(W1.N);
        graph = Jdask.optimize(d);
        outputs = d.keys();
        options = new RunOptions(List.of(), Map.of("scheduler", scheduler, "num-workers", 2));
        sch = Schedulers.resolve(options);
    }

    @Benchmark
    public Object run() {
        return sch.get(graph, outputs, options).get(0);
    }

    /** The floor: the same 10,000 calls of {@code inc} in a plain loop. */
    @Benchmark
    public int plainLoop() {
        int x = 0;
        for (int i = 0; i < W1.N; i++) x = W1.inc(x);
        return x;
    }
}
