package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The first LocalCluster's pre-start warm-up: started by {@code LocalCluster.builder()}, once per JVM. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterPrestartTest {
    @Test
    void theBuilderStartsItAndOnlyOncePerJvm() {
        LocalCluster.builder(); // started here, or earlier by another test's cluster in this JVM
        assertFalse(ClusterPrestart.begin(), "the builder started it already: no second side thread");
        assertFalse(ClusterPrestart.begin());
        assertTrue(ClusterPrestart.run(), "its warm-ups run without failing (a failure would only be logged at debug level)");
    }
}
