package org.jdask.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.jdask.distributed.Client;
import org.jdask.fn.Fn1;
import org.jdask.serialize.ClassPath;
import org.jdask.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code jdask worker --classpath} for sites that pre-install jars (issue 16): the nanny puts the
 * jar on the class path of the worker JVM it starts, so a class that exists only in that jar (and
 * in a loader of the client's own, never offered: no security, nothing is shipped) runs there.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WorkerClasspathTest {
    @TempDir
    Path dir;

    @Test
    void aJarGivenWithClasspathIsOnTheClassPathOfTheNannysWorkerJvm() throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assumeTrue(javac != null, "needs a JDK (javac), not a JRE: install openjdk-17-jdk-headless");
        Path src = Files.createDirectories(dir.resolve("src/sitetool")).resolve("Tool.java");
        Files.writeString(src, "package sitetool;\npublic class Tool {\n"
                + "    public static final org.jdask.fn.Fn1<Integer, Integer> TWICE = i -> 2 * i;\n}\n");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        assertEquals(0, javac.run(null, null, null, "-d", classes.toString(), "-cp", ClassPath.asString(), src.toString()));
        Path jar = dir.resolve("site.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> s = Files.walk(classes)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                Files.copy(p, out);
                out.closeEntry();
            }
        }
        Path file = dir.resolve("scheduler.json");
        StringWriter schedOut = new StringWriter();
        CommandLine sched = Main.commandLine();
        sched.setOut(new PrintWriter(schedOut, true));
        Thread st = new Thread(() -> sched.execute("scheduler", "--port", "0", "--dashboard-address", ":0", "--scheduler-file", file.toString()));
        st.start();
        Await.until(() -> Files.exists(file), Duration.ofSeconds(30), "the scheduler to write " + file, schedOut::toString);
        String address = SchedulerCommand.addressFromFile(file);
        CommandLine work = Main.commandLine();
        StringWriter workOut = new StringWriter();
        work.setOut(new PrintWriter(workOut, true));
        CompletableFuture<Integer> workerExit = new CompletableFuture<>();
        Thread wt = new Thread(() -> workerExit.complete(work.execute("worker", address, "--nthreads", "1", "--classpath", jar.toString())));
        wt.start();
        try (Client c = Client.connect(address); URLClassLoader own = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
            c.waitForWorkers(1, 90, TimeUnit.SECONDS);
            @SuppressWarnings("unchecked")
            Fn1<Integer, Integer> twice = (Fn1<Integer, Integer>) Class.forName("sitetool.Tool", true, own).getField("TWICE").get(null);
            assertEquals(List.of(42), c.gather(List.of(c.submit(twice, 21))), workOut::toString);
        } finally {
            wt.interrupt();
            workerExit.get(60, TimeUnit.SECONDS);
            st.interrupt();
            st.join(30_000);
        }
    }
}
