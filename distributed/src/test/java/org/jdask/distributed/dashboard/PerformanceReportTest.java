package org.jdask.distributed.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.jdask.distributed.Client;
import org.jdask.distributed.Future;
import org.jdask.distributed.LocalCluster;
import org.jdask.distributed.SharedCluster;
import org.jdask.distributed.report.PerformanceReport;
import org.jdask.distributed.report.TaskRecord;
import org.jdask.testing.Tools;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.jdask.testing.Await;

/** {@code client.performanceReport} and {@code client.taskStream()} on worker JVMs (one cluster for the class). */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PerformanceReportTest {
    static LocalCluster cluster;
    static Client client;
    @TempDir
    static Path dir;

    static int napping(int x) throws InterruptedException {
        Thread.sleep(20);
        return x + 1;
    }

    static int total(List<Integer> xs) {
        return xs.stream().mapToInt(Integer::intValue).sum();
    }

    @RegisterExtension
    static final SharedCluster SHARED = new SharedCluster(LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).dashboardAddress(":0"));

    /**
     * Runs 40 tasks and a sum under a report; returns the report (closed, file written) and the keys
     * that ran. {@code base} makes the tasks new (pure tasks of an earlier run could still be held).
     */
    static PerformanceReport run(Path file, Set<String> keys, int base) throws Exception {
        PerformanceReport report;
        try (PerformanceReport r = client.performanceReport(file)) {
            report = r;
            List<Future<Integer>> parts = client.map(PerformanceReportTest::napping, IntStream.range(base, base + 40).boxed().toList());
            Future<Integer> sum = client.submit(PerformanceReportTest::total, parts);
            assertEquals(IntStream.range(base + 1, base + 41).sum(), sum.result(60, TimeUnit.SECONDS));
            for (Future<Integer> f : parts) keys.add(f.key().toString());
            keys.add(sum.key().toString());
            // the sum fetched the other worker's parts: wait for the heartbeat that counts the transfer
            Await.until(() -> client.workers().stream().mapToLong(w -> w.get("transfers") instanceof Number n ? n.longValue() : 0).sum() > 0,
                    Duration.ofSeconds(30), "a worker to report values fetched from its peer");
        }
        return report;
    }

    @Test
    void theReportIsOneSelfContainedFileWithTheRunsTasks() throws Exception {
        Path file = dir.resolve("report.html");
        Set<String> keys = new HashSet<>();
        PerformanceReport report = run(file, keys, 0);
        assertTrue(Files.size(file) > 1000, file.toString());
        String html = Files.readString(file);
        // nothing is loaded from anywhere: no http(s) or protocol-relative src/href, no external stylesheet or script
        Matcher external = Pattern.compile("(?i)(src|href)\\s*=\\s*[\"']?\\s*(https?:)?//").matcher(html);
        assertFalse(external.find(), () -> "external reference: " + html.substring(external.start(), Math.min(html.length(), external.start() + 80)));
        assertFalse(html.contains("<link"), "no linked resources");
        // every task of the run is in the task stream, as data and on the page
        Set<String> recorded = new HashSet<>();
        for (TaskRecord t : report.tasks()) recorded.add(t.key());
        assertTrue(recorded.containsAll(keys), "missing from the report: " + diff(keys, recorded));
        for (String k : keys) assertTrue(html.contains(k), "the page does not name task " + k);
        Matcher count = Pattern.compile("id=\"task-stream\" data-count=\"(\\d+)\"").matcher(html);
        assertTrue(count.find());
        assertTrue(Integer.parseInt(count.group(1)) >= keys.size(), count.group());
        // per function: 40 napping, 1 total
        assertTrue(html.contains("class=\"fn\" data-prefix=\"napping\" data-count=\"40\""), "napping row");
        assertTrue(html.contains("class=\"fn\" data-prefix=\"total\" data-count=\"1\""), "total row");
        // worker memory over time (one line per worker) and the transfers
        assertTrue(html.contains("id=\"memory\" data-series=\"2\""), "a memory line per worker");
        for (String w : client.workerAddresses()) { // a worker's first sample may predate its first heartbeat
            assertTrue(report.samples().stream().anyMatch(s -> s.worker().equals(w) && s.memory() > 0), w + ": " + report.samples());
        }
        assertTrue(html.contains("class=\"transfer\""), "the transfers table");
        assertTrue(report.samples().stream().anyMatch(s -> s.transfers() > 0 && s.transferBytes() > 0), String.valueOf(report.samples()));
        // the code that ran: this file, with the line that opened the report marked
        assertTrue(report.code().frame().startsWith(PerformanceReportTest.class.getName() + ".run(PerformanceReportTest.java:"), report.code().frame());
        assertTrue(report.code().source().isPresent(), "source found below " + Path.of("").toAbsolutePath());
        assertTrue(html.contains("class=\"hl\"") && html.contains("client.performanceReport(file)"), "the calling line, highlighted");
        // the same records as data at any time
        Set<String> streamed = new HashSet<>();
        for (TaskRecord t : client.taskStream()) {
            streamed.add(t.key());
            assertTrue(t.stopMs() >= t.startMs() && t.thread() >= 1 && t.worker().startsWith("tcp://"), t.toString());
        }
        assertTrue(streamed.containsAll(keys), "missing from taskStream(): " + diff(keys, streamed));
    }

    @Test
    void aReportIntoAMissingDirectoryIsRefusedAtOnceNamingThePath() {
        Path bad = dir.resolve("no-such-dir").resolve("report.html");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> client.performanceReport(bad));
        assertTrue(e.getMessage().contains(bad.getParent().toString()) && e.getMessage().contains("does not exist"), e.getMessage());
    }

    /** The report in headless Chromium (Debian's chromium and chromium-driver): the page shows the run's tasks, without errors; screenshot in target/. */
    @Test
    @Tag("browser")
    void theReportOpensInHeadlessChromium() throws Exception {
        Tools.assumeExecutables("chromium chromium-driver", List.of(Path.of(DashboardBrowserTest.CHROMIUM), Path.of(DashboardBrowserTest.DRIVER)));
        Path file = dir.resolve("browser-report.html");
        Set<String> keys = new HashSet<>();
        run(file, keys, 1000);
        Path profile = Files.createTempDirectory("jdask-chromium-");
        WebDriver driver = DashboardBrowserTest.startBrowser(profile);
        try {
            driver.get(file.toUri().toString());
            assertEquals("jdask performance report", driver.getTitle());
            assertTrue(driver.findElements(By.cssSelector("#task-stream rect.task")).size() >= keys.size());
            assertEquals(1, driver.findElements(By.cssSelector("#functions tr.fn[data-prefix='napping']")).size());
            assertEquals(2, driver.findElements(By.cssSelector("#memory polyline")).size());
            assertTrue(driver.findElement(By.id("code")).getText().contains("PerformanceReportTest"));
            assertTrue(driver.findElement(By.id("task-stream")).getSize().getWidth() > 500, "the task stream is drawn");
            Path shot = Path.of("target", "performance-report.png");
            Files.createDirectories(shot.getParent());
            Files.write(shot, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            assertTrue(Files.size(shot) > 10_000, "screenshot " + shot.toAbsolutePath());
            List<String> severe = new ArrayList<>();
            for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
                if (e.getLevel().intValue() >= Level.SEVERE.intValue()) severe.add(e.getMessage());
            }
            assertEquals(List.of(), severe, "errors in the browser console");
        } finally {
            driver.quit();
        }
    }

    private static Set<String> diff(Set<String> want, Set<String> got) {
        Set<String> d = new HashSet<>(want);
        d.removeAll(got);
        return d;
    }
}
