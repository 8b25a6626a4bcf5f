package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.jdask.SerializationException;
import org.jdask.TaskFailedException;
import org.jdask.fn.Fn1;
import org.jdask.serialize.ClassPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.jdask.testing.Await;

/**
 * Code shipping (issue 16) with a worker JVM whose class path has only jdask and its
 * dependencies (no test classes): tasks whose functions live in classes this test compiles at run
 * time reach it from the client's class path (a class directory, packed), from {@link
 * Client#uploadJar}, and from memory; a class found nowhere fails its task naming the class and
 * where it was looked for; without security nothing is shipped, and the error says so.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CodeShippingTest {
    @TempDir
    Path tmp;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final ClassLoader context = Thread.currentThread().getContextClassLoader();

    @AfterEach
    void closeAll() {
        Thread.currentThread().setContextClassLoader(context);
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    static final String GREETER = """
            package shipped;
            import org.jdask.fn.Fn1;
            public class Greeter {
                public record Greeting(String text, int n) {}
                public static Greeting greet(Integer i) { return new Greeting("%s " + i, i); }
                public static final Fn1<Integer, Greeting> FN = Greeter::greet;
                public static final Fn1<Integer, String> TEXT = i -> greet(i).text();
                public static final Fn1<Object, String> SHOW = o -> "shown " + o;
            }
            """;

    // ------------------------------------------------------------------ helpers

    /** Compiles {@code source} (class {@code name}) into {@code out} against this JVM's class path. */
    static void compile(String name, String source, Path out) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Assumptions.assumeTrue(javac != null, "needs a JDK (javac), not a JRE: install openjdk-17-jdk-headless");
        Path src = out.resolveSibling(out.getFileName() + "-src").resolve(name.replace('.', '/') + ".java");
        Files.createDirectories(src.getParent());
        Files.createDirectories(out);
        Files.writeString(src, source);
        int rc = javac.run(null, null, null, "-d", out.toString(), "-cp", ClassPath.asString(), src.toString());
        assertEquals(0, rc, "javac " + src);
    }

    static Path jar(Path classes, Path jar) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> s = Files.walk(classes)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace(File.separatorChar, '/')));
                Files.copy(p, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    @SuppressWarnings("unchecked")
    static <A, R> Fn1<A, R> fn(ClassLoader l, String className, String field) throws Exception {
        return (Fn1<A, R>) Class.forName(className, true, l).getField(field).get(null);
    }

    /** A scheduler in this JVM and one worker JVM whose class path holds no test classes. */
    private SchedulerServer cluster(Security sec, Path cache) throws Exception {
        SchedulerServer s = SchedulerServer.start("127.0.0.1", 0, sec);
        open.add(s);
        List<String> cp = new ArrayList<>();
        for (File f : ClassPath.entries()) if (!f.getPath().contains("test-classes")) cp.add(f.getPath());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djdask.distributed.worker.local-directory=" + cache,
                "-cp", String.join(File.pathSeparator, cp), WorkerMain.class.getName(), s.address(), "--nthreads", "2",
                "--parent-pid", String.valueOf(ProcessHandle.current().pid())));
        if (sec != null) {
            Path keys = tmp.resolve("keys");
            if (!Files.exists(keys)) sec.save(keys); // a second scheduler of the same cluster keys
            cmd.addAll(List.of("--security-dir", keys.toString()));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        open.add(() -> p.destroyForcibly().waitFor(20, TimeUnit.SECONDS));
        CompletableFuture<String> up = new CompletableFuture<>();
        StringBuilder log = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (log) {
                        log.append(line).append('\n');
                    }
                    System.out.println("[worker] " + line);
                    if (line.startsWith("Worker at: ")) up.complete(line);
                }
            } catch (IOException ignored) {
                // the worker is gone
            }
            up.completeExceptionally(new IllegalStateException("worker exited: " + log));
        }, "worker-log");
        reader.setDaemon(true);
        reader.start();
        up.get(120, TimeUnit.SECONDS);
        return s;
    }

    private Client connect(SchedulerServer s, Security sec) {
        Client c = sec == null ? Client.connect(s.address()) : Client.connect(s.address(), sec);
        open.add(c);
        return c;
    }

    // ------------------------------------------------------------------ tests

    @Test
    void classesOfTheClientsClassPathAreFetchedOnDemandAndCachedByHash() throws Exception {
        Security sec = Security.temporary();
        Path cache = tmp.resolve("cache");
        SchedulerServer s = cluster(sec, cache);
        Path classes = tmp.resolve("greeter-classes");
        compile("shipped.Greeter", GREETER.formatted("hello"), classes);
        URLClassLoader app = new URLClassLoader(new URL[] {classes.toUri().toURL()}, context);
        Thread.currentThread().setContextClassLoader(app); // the user's program runs with its classes on its class path
        Client client = connect(s, sec);
        Fn1<Integer, String> text = fn(app, "shipped.Greeter", "TEXT");
        assertEquals("hello 5", client.submit(text, 5).result(120, TimeUnit.SECONDS));
        // a value of a shipped class comes back as itself
        Fn1<Integer, Object> greet = fn(app, "shipped.Greeter", "FN");
        Object g = client.submit(greet, 7).result(120, TimeUnit.SECONDS);
        assertEquals("shipped.Greeter$Greeting", g.getClass().getName());
        assertEquals(g, app.loadClass("shipped.Greeter").getMethod("greet", Integer.class).invoke(null, 7));
        // ... and as an input of another task on the worker
        Fn1<Object, String> show = fn(app, "shipped.Greeter", "SHOW"); // (a lambda of this test's own class would not ship: org.jdask.*)
        assertTrue(client.submit(show, client.submit(greet, 8)).result(120, TimeUnit.SECONDS).contains("hello 8"));
        try (Stream<Path> cached = Files.list(cache.resolve("code"))) {
            List<Path> jars = cached.filter(p -> p.toString().endsWith(".jar")).toList();
            // the packed class directory, by hash; on demand: no dependency jar (the worker has them), at most the
            // test classes directory too (its default package is probed by Fory for a bare class name)
            assertTrue(jars.contains(cache.resolve("code").resolve(CodeOffer.sha256(CodeOffer.pack(classes)) + ".jar")), jars.toString());
            assertTrue(jars.size() <= 2, "fetched only what was missing: " + jars);
        }
    }

    @Test
    void oneCodeServerServesTheClientsOfTwoSchedulersEachThroughItsOwnRelay() throws Exception {
        Security sec = Security.temporary();
        SchedulerServer first = cluster(sec, tmp.resolve("cache-1")), second = cluster(sec, tmp.resolve("cache-2"));
        Path classes = tmp.resolve("two-classes");
        compile("shipped.Greeter", GREETER.formatted("twice"), classes);
        URLClassLoader app = new URLClassLoader(new URL[] {classes.toUri().toURL()}, context);
        Thread.currentThread().setContextClassLoader(app);
        Client one = connect(first, sec), two = connect(second, sec); // one code server in this JVM, attached to both relays
        Fn1<Integer, String> text = fn(app, "shipped.Greeter", "TEXT");
        assertEquals("twice 1", one.submit(text, 1).result(120, TimeUnit.SECONDS));
        // the first scheduler (and its relay) gone: the second's worker still gets the code, through its own scheduler's relay
        one.close();
        first.close();
        assertEquals("twice 2", two.submit(text, 2).result(120, TimeUnit.SECONDS));
    }

    @Test
    void uploadJarAndInMemoryClassesShipAndAMissingClassIsNamed() throws Exception {
        Security sec = Security.temporary();
        SchedulerServer s = cluster(sec, tmp.resolve("cache"));
        // in memory: a class loader that defines classes from bytes it holds (as JShell does)
        Path memClasses = tmp.resolve("mem-classes");
        compile("shipped.Greeter", GREETER.formatted("from memory"), memClasses);
        ClassLoader memory = new InMemoryLoader(memClasses, context);
        Thread.currentThread().setContextClassLoader(memory);
        Client client = connect(s, sec);
        Fn1<Integer, String> fromMemory = fn(memory, "shipped.Greeter", "TEXT");
        assertEquals("from memory 1", client.submit(fromMemory, 1).result(120, TimeUnit.SECONDS));

        // a jar the client does not have on its class path, offered with uploadJar
        Path toolClasses = tmp.resolve("tool-classes");
        compile("tools.Tool", """
                package tools;
                public class Tool {
                    public static final org.jdask.fn.Fn1<Integer, Integer> TWICE = i -> 2 * i;
                }
                """, toolClasses);
        Path toolJar = jar(toolClasses, tmp.resolve("tool.jar"));
        URLClassLoader tools = new URLClassLoader(new URL[] {toolJar.toUri().toURL()}, memory);
        Thread.currentThread().setContextClassLoader(tools);
        Fn1<Integer, Integer> twice = fn(tools, "tools.Tool", "TWICE");
        TaskFailedException missing = assertThrows(TaskFailedException.class, () -> client.submit(twice, 21).result(120, TimeUnit.SECONDS));
        String m = String.valueOf(missing.getCause());
        assertTrue(m.contains("tools.Tool") && m.contains("in-memory classes") && m.contains("worker's class path"), m);
        client.uploadJar(toolJar);
        assertEquals(42, client.submit(twice, 21, SubmitOptions.pure(false)).result(120, TimeUnit.SECONDS));
    }

    @Test
    void withoutSecurityNothingIsShippedAndTheErrorSaysWhy() throws Exception {
        SchedulerServer s = cluster(null, tmp.resolve("cache"));
        Path classes = tmp.resolve("greeter-classes");
        compile("shipped.Greeter", GREETER.formatted("hi"), classes);
        URLClassLoader app = new URLClassLoader(new URL[] {classes.toUri().toURL()}, context);
        Thread.currentThread().setContextClassLoader(app);
        Client client = connect(s, null);
        Fn1<Integer, String> text = fn(app, "shipped.Greeter", "TEXT");
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> client.submit(text, 5).result(120, TimeUnit.SECONDS));
        SerializationException se = assertInstanceOf(SerializationException.class, e.getCause());
        assertTrue(se.getMessage().contains("shipped.Greeter") && se.getMessage().contains("authenticated clients"), se.getMessage());
        assertThrows(IllegalStateException.class, () -> client.uploadJar(classes));
    }

    @Test
    void aJarWhoseBytesDoNotMatchTheOfferedHashIsRefused() throws Exception {
        CodeCache cache = new CodeCache(tmp.resolve("code"));
        byte[] real = "real jar".getBytes(StandardCharsets.UTF_8);
        String hash = CodeOffer.sha256(real);
        IOException e = assertThrows(IOException.class, () -> cache.jar(hash, "jar x.jar of client c", () -> "tampered".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("x.jar") && e.getMessage().contains("not the offered " + hash) && e.getMessage().contains("refused"), e.getMessage());
        Path ok = cache.jar(hash, "jar x.jar", () -> real);
        Files.write(ok, "damaged".getBytes(StandardCharsets.UTF_8)); // a damaged cache file is fetched again
        assertEquals(ok, cache.jar(hash, "jar x.jar", () -> real));
        assertEquals("real jar", Files.readString(ok));
    }

    @Test
    void twoClientsWithDifferentVersionsOfAClassDoNotClashAndALeavingClientsLoaderIsDropped() throws Exception {
        Security sec = Security.temporary();
        List<CodeServer> servers = new ArrayList<>();
        for (String v : List.of("v1", "v2")) {
            Path classes = tmp.resolve(v + "-classes");
            compile("shipped.Greeter", GREETER.formatted(v), classes);
            CodeOffer offer = new CodeOffer(List.of(new URLClassLoader(new URL[] {classes.toUri().toURL()}, context)));
            CodeServer s = CodeServer.startPrivate(sec, "127.0.0.1", offer);
            open.add(s::stop);
            servers.add(s);
        }
        ClientCode worker = ClientCode.forWorker(sec, 500);
        List<Object> said = new ArrayList<>();
        for (CodeServer s : servers) {
            Class<?> g = Class.forName("shipped.Greeter", true, worker.loaderOf(s.ref()));
            said.add(g.getMethod("greet", Integer.class).invoke(null, 5).toString());
        }
        assertEquals(List.of("Greeting[text=v1 5, n=5]", "Greeting[text=v2 5, n=5]"), said);
        assertEquals(2, worker.clients());
        servers.get(0).stop(); // the first client leaves
        Await.until(() -> worker.clients() <= 1, Duration.ofSeconds(60), "the leaving client's loader is dropped");
        assertEquals(1, worker.clients(), "the leaving client's loader is dropped, the other kept");
    }

    @Test
    void acceptClientCodeFalseRefusesShippedCode() throws Exception {
        Security sec = Security.temporary();
        try (var off = org.jdask.Config.set(ClientCode.ACCEPT_KEY, false)) {
            ClientCode worker = ClientCode.forWorker(sec, 500);
            assertEquals(null, worker.loaderOf("id|tcp://127.0.0.1:1|0"));
        }
        assertTrue(ClientCode.forWorker(sec, 500).loaderOf("id|tcp://127.0.0.1:1|0") != null);
        assertEquals(null, ClientCode.forWorker(null, 500).loaderOf("id|tcp://127.0.0.1:1|0"), "never without security");
    }

    /** Defines classes from bytes it holds and serves them as resources, like JShell's loader. */
    static final class InMemoryLoader extends ClassLoader {
        private final Map<String, byte[]> bytes = new java.util.HashMap<>();

        InMemoryLoader(Path classes, ClassLoader parent) throws IOException {
            super(parent);
            try (Stream<Path> s = Files.walk(classes)) {
                for (Path p : s.filter(f -> f.toString().endsWith(".class")).toList()) {
                    bytes.put(classes.relativize(p).toString().replace(File.separatorChar, '/'), Files.readAllBytes(p));
                }
            }
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] b = bytes.get(name.replace('.', '/') + ".class");
            if (b == null) throw new ClassNotFoundException(name);
            return defineClass(name, b, 0, b.length);
        }

        @Override
        public InputStream getResourceAsStream(String name) {
            byte[] b = bytes.get(name);
            return b != null ? new java.io.ByteArrayInputStream(b) : super.getResourceAsStream(name);
        }
    }
}
