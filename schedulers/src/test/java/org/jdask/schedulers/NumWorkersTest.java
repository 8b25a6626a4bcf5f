package org.jdask.schedulers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.jdask.Delayed;
import org.jdask.fn.Fn1;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** num_workers must be a whole number >= 1 on the local pools (issue 21: 2.5 was read as 2). */
class NumWorkersTest {
    static final Fn1<Integer, Integer> INC = x -> x + 1;

    @ParameterizedTest
    @ValueSource(strings = {"threads", "processes"})
    void aFractionalOrNonPositiveWorkerCountIsRefusedNamingTheValue(String scheduler) {
        Delayed<Integer> d = Delayed.of(INC).apply(1);
        for (Object bad : List.<Object>of(2.5, "2.5", "many", 0, -3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> d.compute(Map.of("scheduler", scheduler, "num_workers", bad)), String.valueOf(bad));
            assertTrue(e.getMessage().contains("num-workers") && e.getMessage().contains(String.valueOf(bad)), e.getMessage());
        }
        assertEquals(2, d.compute(Map.of("scheduler", scheduler, "num_workers", 2.0)));
        assertEquals(2, d.compute(Map.of("scheduler", scheduler, "num_workers", "")));
    }
}
