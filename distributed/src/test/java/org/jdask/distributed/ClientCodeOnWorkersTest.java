package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdask.TaskFailedException;
import org.jdask.fn.Fn1;
import org.jdask.graph.JavaCommand;
import org.jdask.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Code shipping's per-worker rules on real worker JVMs (issue 16), one secured cluster for the
 * class: worker A accepts client code (and checks idle clients every second), worker B runs with
 * {@code distributed.worker.accept-client-code: false} and a site jar on {@code JDASK_CLASSPATH}
 * (a locked-down site); neither has test classes. Two clients (this JVM and another) with
 * different versions of one class run it on worker A side by side, each getting its own; when the
 * other client's JVM exits, A drops its loader and keeps this one's. B fails a task needing client
 * code, naming the class and the option, and runs a class from its site jar that no client offers.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ClientCodeOnWorkersTest {
    @TempDir
    static Path tmp;

    private static final List<AutoCloseable> OPEN = new ArrayList<>();
    private static final ClassLoader CONTEXT = Thread.currentThread().getContextClassLoader();
    private static Path keys, v2;
    private static String jdaskOnly; // taken before this thread's context loader is v1 (the class path walk would see it)
    private static SchedulerServer scheduler;
    private static WorkerJvm a, b;
    private static Client client;
    private static URLClassLoader v1, site;

    @BeforeAll
    static void up() throws Exception {
        jdaskOnly = WorkerJvm.jdaskOnly();
        Security sec = Security.temporary();
        keys = tmp.resolve("keys");
        sec.save(keys);
        Path v1Classes = tmp.resolve("v1");
        v2 = tmp.resolve("v2");
        CodeShippingTest.compile("shipped.Greeter", CodeShippingTest.GREETER.formatted("v1"), v1Classes);
        CodeShippingTest.compile("shipped.Greeter", CodeShippingTest.GREETER.formatted("v2"), v2);
        Path toolClasses = tmp.resolve("tool-classes");
        CodeShippingTest.compile("tools.Tool", """
                package tools;
                public class Tool {
                    public static final org.jdask.fn.Fn1<Integer, Integer> TWICE = i -> 2 * i;
                }
                """, toolClasses);
        Path siteJar = CodeShippingTest.jar(toolClasses, tmp.resolve("site.jar"));
        scheduler = SchedulerServer.start("127.0.0.1", 0, sec);
        OPEN.add(scheduler);
        String s = scheduler.address();
        CompletableFuture<WorkerJvm> fa = worker(() -> WorkerJvm.start(s, keys, List.of("-Djdask.distributed.worker.client-code-check=1s",
                "-Djdask.distributed.worker.local-directory=" + tmp.resolve("space-a")), Map.of(), "--name", "A"));
        CompletableFuture<WorkerJvm> fb = worker(() -> WorkerJvm.start(s, keys, List.of("-Djdask.distributed.worker.accept-client-code=false",
                "-Djdask.distributed.worker.local-directory=" + tmp.resolve("space-b")), Map.of(SiteClasspath.ENV, siteJar.toString()), "--name", "B"));
        a = fa.get(180, TimeUnit.SECONDS);
        b = fb.get(180, TimeUnit.SECONDS);
        // this JVM's program has v1 on its class path; the tool jar is not on it (loaded aside, never offered)
        v1 = new URLClassLoader(new URL[] {v1Classes.toUri().toURL()}, CONTEXT);
        site = new URLClassLoader(new URL[] {siteJar.toUri().toURL()}, CONTEXT);
        Thread.currentThread().setContextClassLoader(v1);
        client = Client.connect(s, sec);
        OPEN.add(client);
    }

    private interface Start {
        WorkerJvm start() throws Exception;
    }

    private static CompletableFuture<WorkerJvm> worker(Start s) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                WorkerJvm w = s.start();
                synchronized (OPEN) {
                    OPEN.add(w);
                }
                return w;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @AfterAll
    static void down() {
        Thread.currentThread().setContextClassLoader(CONTEXT);
        for (int i = OPEN.size() - 1; i >= 0; i--) {
            try {
                OPEN.get(i).close();
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    private static <A, R> R on(String worker, Fn1<A, R> fn, A arg) throws Exception {
        return client.submit(fn, arg, SubmitOptions.pure(false).workers(Set.of(worker))).result(120, TimeUnit.SECONDS);
    }

    @Test
    void twoClientsWithTwoVersionsOfAClassShareAWorkerAndALeavingClientsLoaderIsDropped() throws Exception {
        Fn1<Integer, String> text = CodeShippingTest.fn(v1, "shipped.Greeter", "TEXT");
        assertEquals("v1 5", on("A", text, 5));
        // another program, in a JVM of its own, with v2 of the same class: its own loader on worker A
        Path testClasses = Path.of(OtherClientMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String cp = String.join(File.pathSeparator, jdaskOnly, testClasses.toString(), v2.toString());
        Process other = new ProcessBuilder(JavaCommand.java(), "-cp", cp,
                OtherClientMain.class.getName(), scheduler.address(), keys.toString(), "A", "shipped.Greeter").redirectErrorStream(true).start();
        String out = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(other.waitFor(120, TimeUnit.SECONDS), out);
        assertTrue(out.contains("RESULT v2 5"), "the other client got its own version: " + out);
        assertEquals("v1 6", on("A", text, 6), "and this client still gets its own");
        // worker A held one loader per client; the other client's JVM has exited: its loader is dropped, this one's kept
        List<String> ids = offered(a.log());
        assertEquals(2, ids.size(), a.log());
        String mine = ids.get(0), gone = ids.get(1);
        Await.until(() -> a.log().contains("client " + gone + " is gone: its code loader is dropped"), Duration.ofSeconds(60),
                "worker A drops the loader of the client that left");
        assertEquals("v1 7", on("A", text, 7));
        assertFalse(a.log().contains("client " + mine + " is gone"), "this client's loader is kept: " + a.log());
    }

    @Test
    void aWorkerThatDoesNotAcceptClientCodeFailsTheTaskNamingTheClassAndTheOption() throws Exception {
        Fn1<Integer, String> text = CodeShippingTest.fn(v1, "shipped.Greeter", "TEXT");
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> on("B", text, 1));
        String m = String.valueOf(e.getCause());
        assertTrue(m.contains("shipped.Greeter") && m.contains(ClientCode.ACCEPT_KEY + ": false"), m);
        assertFalse(b.log().contains("offers code at"), "worker B never contacted the client's code server: " + b.log());
    }

    @Test
    void aSiteJarOnJdaskClasspathRunsClassesNoClientOffersEvenWhereClientCodeIsRefused() throws Exception {
        Fn1<Integer, Integer> twice = CodeShippingTest.fn(site, "tools.Tool", "TWICE");
        assertEquals(42, on("B", twice, 21), "a site jar works where client code is refused");
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> on("A", twice, 21));
        assertTrue(String.valueOf(e.getCause()).contains("tools.Tool"), String.valueOf(e.getCause()));
    }

    /** The client ids a worker's log says offered it code, in order. */
    private static List<String> offered(String log) {
        List<String> ids = new ArrayList<>();
        Matcher m = Pattern.compile("client (\\S+) offers code at").matcher(log);
        while (m.find()) if (!ids.contains(m.group(1))) ids.add(m.group(1));
        return ids;
    }
}
