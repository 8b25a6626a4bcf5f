package org.jdask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.jdask.fn.Fn1;
import org.junit.jupiter.api.Test;

/** Delayed.LargeObjects: one warning when the same big plain object is an argument of several calls. */
class LargeObjectWarningTest {
    private static final String WARNING = "large plain object";
    private static final Fn1<double[], Integer> LEN = a -> a.length;

    /** Runs {@code body} and returns what slf4j-simple (writing to System.err) printed meanwhile. */
    private static String stderrOf(Runnable body) {
        PrintStream saved = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(saved);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) n++;
        return n;
    }

    @Test
    void sameBigArrayInTwoCallsWarnsOnceWithSizeAndAdvice() {
        double[] big = new double[262_144]; // 2 MiB
        String first = stderrOf(() -> Delayed.of(LEN).apply(big));
        assertEquals(0, count(first, WARNING), "one use alone does not warn: " + first);
        String second = stderrOf(() -> Delayed.of(LEN).apply(big));
        assertEquals(1, count(second, WARNING), second);
        assertTrue(second.contains("WARN"), second);
        assertTrue(second.contains("double[262144]") && second.contains("2.1 MB"), "names the size: " + second);
        assertTrue(second.contains("Delayed.value"), "suggests Delayed.value: " + second);
        String third = stderrOf(() -> Delayed.of(LEN).apply(big));
        assertEquals(0, count(third, WARNING), "warned once per object: " + third);
    }

    @Test
    void oneUseSmallObjectsAndDelayedValueDoNotWarn() {
        double[] big = new double[262_144];
        double[] small = new double[1_000];
        String out = stderrOf(() -> {
            Delayed.of(LEN).apply(big);
            Delayed.of(LEN).apply(small);
            Delayed.of(LEN).apply(small);
            Delayed<double[]> shared = Delayed.value(new double[262_144]);
            Delayed.of(LEN).apply(shared);
            Delayed.of(LEN).apply(shared);
        });
        assertEquals(0, count(out, WARNING), out);
    }

    @Test
    void equalButDistinctArraysAreSeparateObjects() {
        String out = stderrOf(() -> {
            Delayed.of(LEN).apply(new double[262_144]);
            Delayed.of(LEN).apply(new double[262_144]);
        });
        assertEquals(0, count(out, WARNING), out);
    }
}
