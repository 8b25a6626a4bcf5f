package org.jdask.distributed.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.stream.IntStream;
import org.jdask.distributed.Client;
import org.jdask.distributed.Future;
import org.jdask.distributed.LocalCluster;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * {@code /status} in a real headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}) while a graph runs: the task stream, the progress bars, the worker
 * table and the graph get filled, the browser logs no error, and a screenshot is saved to
 * {@code target/dashboard.png}. Runs only with {@code -Pbrowser}; there it fails (never skips) when
 * the browser cannot start.
 */
@Tag("browser")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DashboardBrowserTest {
    static final String CHROMIUM = System.getProperty("jdask.chromium", "/usr/bin/chromium");
    static final String DRIVER = System.getProperty("jdask.chromedriver", "/usr/bin/chromedriver");

    static int napping(int x) throws InterruptedException {
        Thread.sleep(40);
        return x + 1;
    }

    static int total(List<Integer> xs) {
        return xs.stream().mapToInt(Integer::intValue).sum();
    }

    static WebDriver startBrowser(Path profile) {
        for (String exe : List.of(CHROMIUM, DRIVER)) {
            if (!new File(exe).canExecute()) {
                throw new AssertionError("the browser test needs " + exe + " (apt-get install chromium chromium-driver; "
                        + "or -Djdask.chromium=/-Djdask.chromedriver=)");
            }
        }
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM);
        o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--window-size=1400,1100",
                "--user-data-dir=" + profile.toAbsolutePath());
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        o.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER)).usingAnyFreePort().build();
        try {
            return new ChromeDriver(service, o);
        } catch (RuntimeException e) {
            throw new AssertionError("headless Chromium did not start (" + CHROMIUM + " with " + DRIVER + "): " + e.getMessage(), e);
        }
    }

    @Test
    void statusPageFillsWhileAGraphRuns() throws Exception {
        Path profile = Files.createTempDirectory("jdask-chromium-");
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(2).processes(false).dashboardAddress(":0").build();
             Client client = Client.connect(cluster)) {
            WebDriver driver = startBrowser(profile);
            try {
                driver.get(cluster.dashboardLink());
                assertEquals("jdask dashboard", driver.getTitle());
                int n = 200;
                // the futures are held to the end, so the graph stays on the scheduler for the graph view
                List<Future<Integer>> held = new java.util.concurrent.CopyOnWriteArrayList<>();
                CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> {
                    List<Future<Integer>> fs = client.map(DashboardBrowserTest::napping, IntStream.range(0, n).boxed().toList());
                    held.addAll(fs);
                    Future<Integer> sum = client.submit(DashboardBrowserTest::total, fs);
                    held.add(sum);
                    return sum.result();
                });
                // the page redraws every second, so elements found a moment ago may be gone: retry those reads
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60), Duration.ofMillis(100));
                wait.ignoring(StaleElementReferenceException.class);
                // while it runs: bars appear and rectangles are drawn
                wait.until(d -> Integer.parseInt(d.findElement(By.id("task-stream")).getAttribute("data-count")) > 0);
                wait.until(d -> !d.findElements(By.cssSelector(".progress-row[data-prefix='napping']")).isEmpty());
                assertEquals(n * (n + 1) / 2, run.get(60, TimeUnit.SECONDS));
                // and they catch up with the end of the graph
                wait.until(d -> {
                    List<WebElement> rows = d.findElements(By.cssSelector(".progress-row[data-prefix='napping']"));
                    return !rows.isEmpty() && rows.get(0).getAttribute("data-done").equals(String.valueOf(n));
                });
                wait.until(d -> Integer.parseInt(d.findElement(By.id("task-stream")).getAttribute("data-total")) >= n + 1);
                // one atomic read of the row (between two redraws)
                @SuppressWarnings("unchecked")
                List<Object> row = (List<Object>) ((JavascriptExecutor) driver).executeScript(
                        "var r = document.querySelector(\".progress-row[data-prefix='napping']\");"
                                + "return [r.textContent, r.querySelectorAll('.seg-done').length];");
                assertTrue(String.valueOf(row.get(0)).contains(n + " / " + n), String.valueOf(row.get(0)));
                assertEquals(1L, row.get(1));
                wait.until(d -> d.findElements(By.cssSelector("#workers .worker-row")).size() == 2);
                wait.until(d -> Integer.parseInt(d.findElement(By.id("graph")).getAttribute("data-nodes")) > 0);
                assertTrue(driver.findElement(By.id("summary")).getText().contains("completed"));
                // a click on a task of the graph shows its story
                ((JavascriptExecutor) driver).executeScript(
                        "document.querySelector('#graph circle').dispatchEvent(new MouseEvent('click', {bubbles: true}));");
                wait.until(d -> d.findElement(By.id("story")).getText().contains("released -> waiting"));
                Path shot = Path.of("target", "dashboard.png");
                Files.createDirectories(shot.getParent());
                Files.write(shot, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
                assertTrue(Files.size(shot) > 10_000, "screenshot " + shot.toAbsolutePath());

                assertEquals("0", driver.findElement(By.tagName("body")).getAttribute("data-js-errors"));
                assertTrue(!driver.findElement(By.id("error")).isDisplayed(), driver.findElement(By.id("error")).getText());
                List<String> severe = new ArrayList<>();
                for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
                    if (e.getLevel().intValue() >= Level.SEVERE.intValue()) severe.add(e.getMessage());
                }
                assertEquals(List.of(), severe, "errors in the browser console");
                assertEquals(n + 1, held.size());
            } finally {
                driver.quit();
            }
        } finally {
            deleteTree(profile);
        }
    }

    private static void deleteTree(Path p) {
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (java.io.IOException | RuntimeException ignored) {
            // a temp dir; best effort
        }
    }
}
