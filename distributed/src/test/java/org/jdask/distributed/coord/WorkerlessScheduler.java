package org.jdask.distributed.coord;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jdask.distributed.SchedulerServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * The fixture of the coordination channel tests: one scheduler without workers (coordination needs
 * none) on a loopback port, shared by every test of a class.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class WorkerlessScheduler {
    static final Duration LONG = Duration.ofSeconds(60);
    static SchedulerServer scheduler;

    @BeforeAll
    static void start() {
        scheduler = SchedulerServer.start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        if (scheduler != null) scheduler.close();
        scheduler = null;
    }
}
