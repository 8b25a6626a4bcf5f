package org.jdask.schedulers.processes;

import java.util.Map;
import org.jdask.Delayed;

/** A parent JVM for {@link OrphanTest}: starts a 2-worker pool, prints its worker pids, then waits to be killed. */
public final class OrphanParent {
    private OrphanParent() {}

    static int inc(int x) {
        return x + 1;
    }

    public static void main(String[] args) throws Exception {
        int r = Delayed.of(OrphanParent::inc).apply(1).compute(Map.of("scheduler", "processes", "num-workers", 2));
        ProcessPool.shared().ensure(2); // the run may have begun before the second JVM connected
        StringBuilder b = new StringBuilder("PIDS");
        for (long p : ProcessPool.shared().pids()) b.append(' ').append(p);
        System.out.println("DIR " + ProcessPool.shared().directory());
        System.out.println(b + " RESULT " + r);
        System.out.flush();
        Thread.sleep(120_000);
    }
}
