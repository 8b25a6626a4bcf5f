package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.jdask.graph.cds.CdsWarmup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The CDS training JVM runs these warm-ups and only logs a failure (the archive just gets
 * smaller), so a warm-up broken by a later change would go unnoticed: here each must succeed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CdsWarmupsTest {
    @Test
    void everyWarmUpOnTheClassPathRunsCleanly() throws Exception {
        List<String> ran = new ArrayList<>();
        for (CdsWarmup w : ServiceLoader.load(CdsWarmup.class)) {
            w.run();
            ran.add(w.getClass().getName());
        }
        assertTrue(ran.contains(DistributedCdsWarmup.class.getName()), ran.toString());
        assertTrue(ran.contains("org.jdask.schedulers.processes.ProcessesCdsWarmup"), ran.toString());
    }
}
