package org.jdask.notebooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Classes a notebook defines in its cells reach worker JVMs (issue 16, "classes defined in memory
 * ship too"): a real JShell (the notebook runner's engine JVM) starts a secured {@code LocalCluster}
 * with a worker JVM and runs a lambda written in a cell ({@code Delayed.of((Integer i) -> i + 1)}),
 * and a record declared in a cell as a task's result and as another task's input. JShell's classes
 * exist only in the engine's memory (no file, no class path entry), so the worker must get them
 * from the client's code server.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class JShellShippingTest {
    @Test
    void lambdasAndRecordsDefinedInCellsRunOnWorkerJvms() {
        Notebook nb = NotebookRunnerTest.notebook("""
                import java.util.concurrent.TimeUnit;
                import org.jdask.Delayed;
                import org.jdask.distributed.*;
                System.setProperty("org.slf4j.simpleLogger.log.org.jdask", "warn");
                Security sec = Security.temporary();
                LocalCluster cluster = LocalCluster.builder().workers(1).threadsPerWorker(1).processes(true).security(sec)
                        .dashboardAddress(null).build();
                Client client = Client.connect(cluster.schedulerAddress(), sec);
                """,
                "client.compute(Delayed.of((Integer i) -> i + 1).apply(41)).result(120, TimeUnit.SECONDS)",
                "record Pt(int x, int y) {}",
                "Future<Pt> p = client.submit((Integer i) -> new Pt(i, -i), 3);\np.result(120, TimeUnit.SECONDS)",
                "client.submit((Pt q) -> q.x() * 10 + q.y(), p).result(120, TimeUnit.SECONDS)",
                "cluster.logs().toString().contains(\"offers code at\")", // the worker took them from the client's code server
                "client.close();\ncluster.close();");
        NotebookRunner.Result r = new NotebookRunner(NotebookRunner.Options.defaults()).run(nb);
        assertEquals(List.of(new Output.ExecuteResult(Map.of("text/plain", "42"))), results(r, 1));
        assertEquals(List.of(new Output.ExecuteResult(Map.of("text/plain", "Pt[x=3, y=-3]"))), results(r, 3));
        assertEquals(List.of(new Output.ExecuteResult(Map.of("text/plain", "27"))), results(r, 4));
        assertEquals(List.of(new Output.ExecuteResult(Map.of("text/plain", "true"))), results(r, 5));
    }

    /** Cell {@code i}'s results (its printed lines, such as the cluster's log, left out). */
    private static List<Output> results(NotebookRunner.Result r, int i) {
        return r.cells().get(i).outputs().stream().filter(o -> o instanceof Output.ExecuteResult).toList();
    }
}
