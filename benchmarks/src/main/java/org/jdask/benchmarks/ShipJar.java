package org.jdask.benchmarks;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.jdask.Config;
import org.jdask.distributed.Client;
import org.jdask.distributed.LocalCluster;
import org.jdask.distributed.Security;
import org.jdask.distributed.SubmitOptions;
import org.jdask.fn.Fn1;
import org.jdask.serialize.ClassPath;

/**
 * Issue 16's "first-task latency with user jars to fetch": a jar of {@code MB} megabytes (one small
 * class whose function the task runs, plus incompressible filler, stored uncompressed) that no
 * worker has, offered with {@link Client#uploadJar}; the time from {@code submit} to the result of
 * the first task on a worker JVM that has just started (the cluster's start-up is not counted), in
 * two states of the worker's code cache:
 * <ul>
 *   <li>{@code cold}: a fresh cluster and a jar no worker has seen (a new one each repetition): it
 *       crosses from the client, through the scheduler's code relay by default
 *       ({@code --route direct}: from the client's own port);</li>
 *   <li>{@code disk}: another fresh cluster, the same jar: found in the machine's code cache
 *       ({@code distributed.worker.local-directory}/code) by its hash.</li>
 * </ul>
 * {@code --bulk false}: jar bytes over CurveZMQ, as before the bulk channel carried them.
 * Prints one table row per size and state (median and max over {@code reps}). Run alone:
 * <pre>
 * java @graph/target/classes/org/jdask/jvm-flags.txt -cp benchmarks/target/benchmarks.jar \
 *     org.jdask.benchmarks.Runner shipjar [--mb 1,50] [--reps 3] [--route scheduler|direct] [--bulk true|false]
 * </pre>
 */
final class ShipJar {
    private ShipJar() {}

    static void run(List<Integer> sizesMb, int reps, String route, boolean bulk) throws Exception {
        Path dir = Files.createTempDirectory("jdask-shipjar");
        System.out.printf("| jar MB | route | jar bytes over | cache | first task median ms | max ms |%n|---|---|---|---|---|---|%n");
        // the relay and the client's code server read the bulk switch when they start, in this thread
        try (var r = Config.set("distributed.client.code-route", route, "distributed.comm.bulk.enabled", bulk)) {
            for (int mb : sizesMb) {
                double[][] ms = new double[2][reps];
                for (int i = 0; i < reps; i++) {
                    Path jar = userJar(dir.resolve("mb" + mb + "-" + i), mb, mb * 1000L + i + System.nanoTime());
                    ClassLoader app = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ShipJar.class.getClassLoader());
                    @SuppressWarnings("unchecked")
                    Fn1<Integer, Integer> fn = (Fn1<Integer, Integer>) Class.forName("shipbench.Payload", true, app).getField("FN").get(null);
                    for (int state = 0; state < 2; state++) {
                        Security sec = Security.temporary();
                        try (LocalCluster c = LocalCluster.builder().workers(1).threadsPerWorker(1).processes(true).security(sec)
                                .dashboardAddress(null).build(); Client client = Client.connect(c.schedulerAddress(), sec)) {
                            client.uploadJar(jar);
                            long t0 = System.nanoTime();
                            int got = client.submit(fn, i, SubmitOptions.pure(false)).result();
                            ms[state][i] = (System.nanoTime() - t0) / 1e6;
                            if (got != i + 1) throw new IllegalStateException("the shipped function gave " + got + " for " + i);
                        }
                    }
                }
                String[] names = {"cold", "disk"};
                for (int s = 0; s < 2; s++) {
                    double[] v = ms[s].clone();
                    Arrays.sort(v);
                    System.out.printf("| %d | %s | %s | %s | %.0f | %.0f |%n", mb, route, bulk ? "bulk channel" : "CurveZMQ", names[s],
                            v[v.length / 2], v[v.length - 1]);
                }
            }
        }
    }

    /** {@code dir/user.jar}: class shipbench.Payload (FN = i -> i + 1) and {@code mb} MB of random bytes (from {@code seed}), stored. */
    static Path userJar(Path dir, int mb, long seed) throws IOException {
        Path src = Files.createDirectories(dir.resolve("src/shipbench")).resolve("Payload.java");
        Files.writeString(src, "package shipbench;\npublic class Payload {\n"
                + "    public static final org.jdask.fn.Fn1<Integer, Integer> FN = i -> i + 1;\n}\n");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) throw new IllegalStateException("shipjar needs a JDK (javax.tools), not a JRE");
        int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp", ClassPath.asString(), src.toString());
        if (rc != 0) throw new IllegalStateException("cannot compile " + src);
        Path jar = dir.resolve("user.jar");
        byte[] filler = new byte[1 << 20];
        Random random = new Random(seed);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            List<Path> files = new ArrayList<>();
            try (var s = Files.walk(classes)) {
                s.filter(Files::isRegularFile).forEach(files::add);
            }
            for (Path p : files) {
                out.putNextEntry(new JarEntry(classes.relativize(p).toString()));
                Files.copy(p, out);
                out.closeEntry();
            }
            for (int i = 0; i < mb; i++) {
                random.nextBytes(filler);
                JarEntry e = new JarEntry("shipbench/filler-" + i + ".bin");
                e.setMethod(ZipEntry.STORED);
                CRC32 crc = new CRC32();
                crc.update(filler);
                e.setSize(filler.length);
                e.setCompressedSize(filler.length);
                e.setCrc(crc.getValue());
                out.putNextEntry(e);
                out.write(filler);
                out.closeEntry();
            }
        }
        return jar;
    }
}
