package org.jdask.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DemoCommandTest {
    /** Runs {@code jdask args...} in this JVM; returns exit code, stdout and stderr. */
    record Run(int code, String out, String err) {}

    static Run jdask(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void demoRunsEndToEnd(@TempDir Path tmp) throws Exception {
        Run r = jdask("demo", "--replicates", "3", "--draws", "10000", "--out", tmp.toString());
        assertEquals(0, r.code(), r.err());
        long lines = r.out().lines().filter(l -> l.startsWith("replicate ")).count();
        assertEquals(3, lines, r.out());
        assertTrue(r.out().contains("mean of means:"), r.out());
        assertTrue(r.out().contains("on scheduler '"), r.out());
        assertTrue(r.out().matches("(?s).*time: \\d+\\.\\d{3} s.*"), r.out());
        String dot = Files.readString(tmp.resolve("task_graph.dot"));
        assertTrue(dot.startsWith("digraph"), dot);
        assertTrue(dot.contains("calcMean") || dot.contains("calc"), dot);
        List<Path> csv;
        try (var s = Files.list(tmp.resolve("data"))) {
            csv = s.sorted().toList();
        }
        assertEquals(4, csv.size(), csv.toString());
        assertEquals(SampleData.HEADER, Files.readAllLines(csv.get(0)).get(0));
        // svg exists when Graphviz is installed, else the output says why not
        assertTrue(Files.exists(tmp.resolve("task_graph.svg")) || r.out().contains("task_graph.svg not written"), r.out());
    }

    @Test
    void replicatesAreSeededAndStatisticallySane() {
        assertArrayEquals(CalcMean.calcMean(3, 50_000), CalcMean.calcMean(3, 50_000));
        assertNotEquals(CalcMean.calcMean(3, 1000)[0], CalcMean.calcMean(4, 1000)[0]);
        double[] r = CalcMean.calcMean(7, 200_000);
        assertEquals(0.0, r[0], 0.02);   // sd of the mean is 1/sqrt(2e5) = 0.0022
        assertEquals(1.0, r[1], 0.02);
        CalcMean.Summary s = CalcMean.summarize(List.of(new double[] {1, 2}, new double[] {3, 4}));
        assertEquals(2.0, s.meanOfMeans());
        assertEquals(3.0, s.meanOfStds());
    }

    @Test
    void badNumberNamesTheOption() {
        Run r = jdask("demo", "--replicates", "many");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("--replicates"), r.err());
    }

    @Test
    void outOfRangeValuesNameTheOption() {
        Run r = jdask("demo", "--draws", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--draws") && r.err().contains("must be at least 1"), r.err());
        r = jdask("demo", "--replicates", "-1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--replicates"), r.err());
    }

    @Test
    void unknownSchedulerListsTheKnownOnes() {
        Run r = jdask("demo", "--scheduler", "nope");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--scheduler") && r.err().contains("'nope'") && r.err().contains("reference"), r.err());
    }

    @Test
    @SuppressWarnings("try")
    void failureDuringTheRunIsExitOneWithAMessage(@TempDir Path tmp) {
        Run r;
        try (var scope = org.jdask.Config.set("scheduler", "bogus")) {
            r = jdask("demo", "--replicates", "1", "--draws", "10", "--out", tmp.toString());
        }
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().startsWith("jdask demo: failed:") && r.err().contains("'bogus'")
                && r.err().contains("known schedulers"), r.err());
    }

    @Test
    void progressBarReachesTheEnd() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.PrintStream ps = new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8);
        org.jdask.Delayed<double[]> d = org.jdask.Delayed.of(CalcMean::calcMean).apply(1, 10);
        try (var bar = new org.jdask.diagnostics.ProgressBar(ps)) {
            d.compute();
        }
        assertTrue(bytes.toString(java.nio.charset.StandardCharsets.UTF_8).contains("100%"), bytes.toString());
    }

    @Test
    void unknownOptionIsNamed() {
        Run r = jdask("demo", "--bogus");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("--bogus"), r.err());
    }

    @Test
    void outThatIsAFileIsRefused(@TempDir Path tmp) throws Exception {
        Path f = Files.writeString(tmp.resolve("f.txt"), "x");
        Run r = jdask("demo", "--out", f.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--out"), r.err());
    }

    @Test
    void noCommandPrintsUsageAndFails() {
        Run r = jdask();
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Usage: jdask") && r.err().contains("demo"), r.err());
    }

    @Test
    void helpListsDemoOptions() {
        Run r = jdask("demo", "--help");
        assertEquals(0, r.code());
        for (String o : List.of("--replicates", "--draws", "--scheduler", "--out")) assertTrue(r.out().contains(o), r.out());
    }

    @Test
    void failuresAreOneLineWithCauses() {
        Exception e = new IllegalStateException("outer", new java.io.IOException("disk full"));
        assertEquals("outer; caused by IOException: disk full", Failures.describe(e));
    }
}
