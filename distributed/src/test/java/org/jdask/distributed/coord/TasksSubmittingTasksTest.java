package org.jdask.distributed.coord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.jdask.TaskFailedException;
import org.jdask.distributed.Client;
import org.jdask.distributed.Future;
import org.jdask.distributed.LocalCluster;
import org.jdask.distributed.SharedCluster;
import org.jdask.distributed.Worker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 19: tasks that submit tasks, on 2 worker JVMs of 1 thread each (the case that deadlocks
 * without secede), real sockets. A wait without secede is limited to 3 s here (config
 * {@code distributed.worker.wait-without-secede}, carried to the worker JVMs by their nannies).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class TasksSubmittingTasksTest {
    static LocalCluster cluster;
    static Client client;

    @RegisterExtension
    static final SharedCluster SHARED = new SharedCluster(LocalCluster.builder().workers(2).threadsPerWorker(1).dashboardAddress("none")).property("jdask.distributed.worker.wait-without-secede", "3s");

    /** Recursive fib, each call a task; the task secedes while it waits on its two children. */
    static int fib(int n) {
        if (n < 2) return n;
        try (WorkerClient c = WorkerClient.open()) {
            Future<Integer> a = c.submit(TasksSubmittingTasksTest::fib, n - 1);
            Future<Integer> b = c.submit(TasksSubmittingTasksTest::fib, n - 2);
            return a.result() + b.result();
        }
    }

    /** The same without secede: each waiting task holds its worker's only thread. */
    static int fibHolding(int n) {
        if (n < 2) return n;
        Client c = Client.current();
        Future<Integer> a = c.submit(TasksSubmittingTasksTest::fibHolding, n - 1);
        Future<Integer> b = c.submit(TasksSubmittingTasksTest::fibHolding, n - 2);
        return a.result() + b.result();
    }

    static String whereAmI(int ignored) {
        return Client.current().schedulerAddress() + " " + ProcessHandle.current().pid();
    }

    @Test
    void fibByTasksSubmittingTasksFinishesOnTwoSingleThreadWorkers() throws Exception {
        assertEquals(610, client.submit(TasksSubmittingTasksTest::fib, 15).result(180, TimeUnit.SECONDS));
    }

    @Test
    void withoutSecedeTheWaitEndsInAClearErrorNotAHang() {
        TaskFailedException e = assertThrows(TaskFailedException.class,
                () -> client.submit(TasksSubmittingTasksTest::fibHolding, 6).result(120, TimeUnit.SECONDS));
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) all.append(t.getMessage()).append('\n');
        String text = all.toString();
        assertTrue(text.contains("while holding one of the worker's threads") && text.contains("WorkerClient.open()")
                && text.contains("distributed.worker.wait-without-secede"), text);
    }

    @Test
    void clientCurrentInsideATaskIsTheWorkersClientOfTheSameScheduler() throws Exception {
        String where = client.submit(TasksSubmittingTasksTest::whereAmI, 1).result(60, TimeUnit.SECONDS);
        assertEquals(cluster.schedulerAddress(), where.split(" ")[0]);
        assertTrue(!where.endsWith(" " + ProcessHandle.current().pid()), "ran in a worker JVM: " + where);
    }

    @Test
    void secedeAndWorkerClientOutsideATaskSayWhereTheyWork() {
        IllegalStateException e = assertThrows(IllegalStateException.class, Worker::secede);
        assertTrue(e.getMessage().contains("only inside a task"), e.getMessage());
        e = assertThrows(IllegalStateException.class, WorkerClient::open);
        assertTrue(e.getMessage().contains("only inside a task"), e.getMessage());
    }
}
