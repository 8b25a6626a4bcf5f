package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.IntStream;
import org.jdask.Config;
import org.jdask.JdaskException;
import org.jdask.bag.Bag;
import org.jdask.distributed.internal.Wire;
import org.jdask.distributed.internal.Zap;
import org.jdask.distributed.internal.Zmq;
import org.jdask.fn.Fn1;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;
import org.jdask.testing.Await;

/**
 * CurveZMQ and the ZAP allow-list on real loopback sockets and real worker JVMs: secured clusters
 * compute; clients and raw sockets without the cluster's key are refused during the handshake
 * (their frames never reach the decoder, which would have answered {@code ERROR}), counted, and
 * the scheduler keeps serving; key files round-trip and bad ones fail with the file's name.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SecurityTest {
    static final Fn1<Integer, Integer> INC = x -> x + 1;
    static final Fn1<List<Integer>, Integer> SUM = l -> l.stream().mapToInt(Integer::intValue).sum();

    @TempDir
    Path tmp;

    // ------------------------------------------------------------------ key files

    @Test
    void saveAndLoadRoundTripWithOwnerOnlySecrets() throws Exception {
        Security sec = Security.temporary();
        Path dir = tmp.resolve("keys");
        sec.save(dir);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("scheduler.secret"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("cluster.secret"))));
        Security back = Security.load(dir);
        assertEquals(sec.schedulerPublicKey(), back.schedulerPublicKey());
        assertEquals(sec.clusterPublicKey(), back.clusterPublicKey());
        assertTrue(back.canRunScheduler());
        assertEquals(sec.workerKeyLines(), back.workerKeyLines()); // the secrets too
        String keys = "scheduler key " + Zap.fingerprint(sec.schedulerPublicKey()) + ", cluster key "
                + Zap.fingerprint(sec.clusterPublicKey());
        assertEquals("Security(CurveZMQ, temporary keys, in memory only, " + keys + ")", sec.toString());
        assertEquals("Security(CurveZMQ, keys from " + dir + ", " + keys + ")", back.toString());
        String secretS = Files.readString(dir.resolve("scheduler.secret")).strip();
        String secretC = Files.readString(dir.resolve("cluster.secret")).strip();
        assertFalse(sec.toString().contains(secretS) || sec.toString().contains(secretC), sec.toString());
        assertFalse(sec.toString().contains(sec.clusterPublicKey()), "only fingerprints are shown: " + sec);

        // saving again over existing keys is refused, naming the file
        IllegalStateException again = assertThrows(IllegalStateException.class, () -> sec.save(dir));
        assertTrue(again.getMessage().contains("scheduler.pub") && again.getMessage().contains("not overwriting"), again.getMessage());

        // the workers' copy has no scheduler secret: loads, but cannot run a scheduler
        Files.delete(dir.resolve("scheduler.secret"));
        Security workers = Security.load(dir);
        assertFalse(workers.canRunScheduler());
        IllegalStateException noSched = assertThrows(IllegalStateException.class, () -> SchedulerServer.start("127.0.0.1", 0, workers));
        assertTrue(noSched.getMessage().contains("scheduler.secret is missing"), noSched.getMessage());
    }

    @Test
    void badKeyFilesFailNamingTheFileAndTheProblem() throws Exception {
        Path dir = tmp.resolve("bad");
        Security.temporary().save(dir);
        Path pub = dir.resolve("cluster.pub");
        String good = Files.readString(pub).strip();

        Files.writeString(pub, good.substring(0, 39) + "~\n"); // '~' is not in the Z85 alphabet
        assertMessage(dir, pub + ": not a Z85 key (character 40");
        Files.writeString(pub, good.substring(0, 30) + "\n");
        assertMessage(dir, pub + ": a CURVE key is 40 Z85 characters, got 30");
        Files.writeString(pub, "");
        assertMessage(dir, pub + ": a CURVE key is 40 Z85 characters, got 0");
        Files.writeString(pub, good + "\n");
        Security.load(dir); // fine again

        Path secret = dir.resolve("cluster.secret");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        assertMessage(dir, "key file " + secret + " is accessible by others (permissions rw-r--r--)");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));

        Files.delete(dir.resolve("scheduler.pub"));
        assertMessage(dir, "key file " + dir.resolve("scheduler.pub") + " is missing");
        IllegalArgumentException noDir = assertThrows(IllegalArgumentException.class, () -> Security.load(tmp.resolve("nope")));
        assertTrue(noDir.getMessage().contains("nope") && noDir.getMessage().contains("does not exist"), noDir.getMessage());
    }

    private static void assertMessage(Path dir, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Security.load(dir));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }

    // ------------------------------------------------------------------ secured clusters compute

    @Test
    void securedThreadsClusterComputesForInJvmAndTcpClients() throws Exception {
        Security sec = Security.temporary();
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(false).security(sec).build()) {
            assertTrue(cluster.schedulerAddress().startsWith("tcp://127.0.0.1:"), cluster.schedulerAddress());
            try (Client client = Client.connect(cluster)) {
                checkComputes(client);
            }
            // a client in this JVM over TCP: the scheduler's CURVE port admits the cluster key
            try (Client tcp = Client.connect(cluster.schedulerAddress(), sec)) {
                assertEquals(List.of(2, 3, 4), tcp.gather(tcp.map(INC, List.of(1, 2, 3))));
            }
            assertEquals(0, cluster.refusedPeers());
        }
    }

    @Test
    void securedWorkerJvmClusterComputesAndKeepsKeysOffTheCommandLine() throws Exception {
        Security sec = Security.temporary();
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).security(sec).build();
             Client client = Client.connect(cluster)) {
            checkComputes(client);
            // scatter to and gather from the workers' CURVE data ports; a sum that needs data from both workers
            List<Integer> values = IntStream.range(0, 50).boxed().toList();
            List<Future<Integer>> scattered = client.scatter(values);
            assertEquals(values, client.gather(scattered));
            assertEquals(50 * 49 / 2, client.submit(SUM, scattered).result(60, TimeUnit.SECONDS));
            for (ProcessHandle p : cluster.workerProcesses()) {
                // what ps shows: the full argument list from /proc (ProcessHandle.Info truncates it)
                String cmd = new String(Files.readAllBytes(Path.of("/proc/" + p.pid() + "/cmdline"))).replace('\0', ' ');
                assertFalse(cmd.isEmpty(), "no command line for worker JVM " + p.pid());
                assertTrue(cmd.contains("--security-stdin"), cmd);
                // no key of any kind on the command line (ps shows it)
                String lines = sec.workerKeyLines();
                for (String k : lines.split("\n")) assertFalse(cmd.contains(k), "a key is on the worker's command line: " + cmd);
            }
            // a killed worker JVM is restarted by its nanny with the keys again, and the cluster computes on
            ProcessHandle victim = cluster.workerProcesses().get(0);
            victim.destroyForcibly();
            victim.onExit().get(30, TimeUnit.SECONDS);
            Await.until(() -> cluster.nannies().get(0).restarts() >= 1 && cluster.workers().size() >= 2, Duration.ofSeconds(90),
                    "the nanny to restart the killed worker");
            assertEquals(2, cluster.workers().size(), "the nanny restarted the worker with its keys");
            assertEquals(IntStream.range(1, 41).boxed().toList(), client.gather(client.map(INC, IntStream.range(0, 40).boxed().toList())));
            assertEquals(0, cluster.refusedPeers());
        }
    }

    private static void checkComputes(Client client) throws Exception {
        assertEquals(42, client.submit(INC, 41).result(60, TimeUnit.SECONDS));
        List<Future<Integer>> fs = client.map(INC, IntStream.range(0, 100).boxed().toList());
        assertEquals(IntStream.range(1, 101).boxed().toList(), client.gather(fs));
        assertEquals(100 * 101 / 2, client.submit(SUM, fs).result(60, TimeUnit.SECONDS));
        List<Integer> seq = IntStream.range(0, 1000).boxed().toList();
        Number total = client.compute(Bag.fromSequence(seq, 7).map(x -> x * 3).sum()).result(60, TimeUnit.SECONDS);
        assertEquals(seq.stream().mapToLong(x -> x * 3L).sum(), total.longValue());
    }

    // ------------------------------------------------------------------ refused peers

    @Test
    void clientsWithoutOrWithWrongKeysAreRefusedAndTheSchedulerStaysHealthy() throws Exception {
        Security sec = Security.temporary();
        Path good = tmp.resolve("good"), other = tmp.resolve("other"), wrongCluster = tmp.resolve("wrong-cluster");
        sec.save(good);
        Security.temporary().save(other);
        // the scheduler's real public key but a cluster keypair the scheduler does not know
        RefusalTest.wrongClusterKeys(good, other, wrongCluster);
        try (var cfg = Config.set("distributed.comm.timeouts.connect", 3);
             LocalCluster cluster = LocalCluster.builder().workers(1).threadsPerWorker(1).processes(false).security(sec).build()) {
            String addr = cluster.schedulerAddress();

            long t0 = System.nanoTime();
            JdaskException noKeys = assertThrows(JdaskException.class, () -> Client.connect(addr));
            // ZeroMQ gives up on a plaintext peer of a CurveZMQ port: refused at once, naming the fix
            assertTrue(noKeys.getMessage().contains("requires CurveZMQ") && noKeys.getMessage().contains("Security.load"),
                    noKeys.getMessage());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20), "not a hang");

            // a key the allow-list does not hold: refused by ZAP, reported at once
            JdaskException wrongKey = assertThrows(JdaskException.class, () -> Client.connect(addr, Security.load(wrongCluster)));
            assertTrue(wrongKey.getMessage().contains("refused this peer's CURVE key"), wrongKey.getMessage());

            // all keys of another cluster (the scheduler's key is wrong too): the handshake fails; a timeout naming the key
            Security stranger = Security.load(other);
            JdaskException wrongAll = assertThrows(JdaskException.class, () -> Client.connect(addr, stranger));
            assertTrue(wrongAll.getMessage().contains(stranger.schedulerPublicKey()), wrongAll.getMessage());

            // workers too: a refused key fails at once, no keys within the connect timeout, and neither registers
            IllegalStateException badWorker = assertThrows(IllegalStateException.class,
                    () -> Worker.start(addr, Worker.Options.defaults().withThreads(1), Security.load(wrongCluster)));
            assertTrue(badWorker.getMessage().contains("refused this peer's CURVE key"), badWorker.getMessage());
            IllegalStateException plainWorker = assertThrows(IllegalStateException.class,
                    () -> Worker.start(addr, Worker.Options.defaults().withThreads(1)));
            assertTrue(plainWorker.getMessage().contains("--security-dir"), plainWorker.getMessage());
            assertEquals(1, cluster.workers().size());

            awaitAtLeast(cluster::refusedPeers, 5);
            try (Client ok = Client.connect(addr, Security.load(good))) {
                assertEquals(List.of(2, 3), ok.gather(ok.map(INC, List.of(1, 2))));
            }
            try (Client inJvm = Client.connect(cluster)) {
                assertEquals(11, inJvm.submit(INC, 10).result(30, TimeUnit.SECONDS));
            }
            // scheduler=distributed through config: scheduler-address plus the key directory
            try (var dist = Config.set("scheduler", "distributed", "scheduler-address", addr, "distributed.security-dir", good.toString())) {
                Number sum = Bag.fromSequence(List.of(1, 2, 3, 4), 2).sum().compute();
                assertEquals(10, sum.intValue());
            } finally {
                Client c = Client.current(); // the provider's cached client to this cluster
                if (c != null) c.close();
            }
        }
    }

    @Test
    void rawPlaintextCurveAndGarbagePeersAreRefusedAtTheSchedulerAndAWorkerDataPort() throws Exception {
        Security sec = Security.temporary();
        try (LocalCluster cluster = LocalCluster.builder().workers(0).processes(false).security(sec).build()) {
            // a worker in this JVM over TCP: its data port is a CURVE server
            Worker w = Worker.start(cluster.schedulerAddress(), Worker.Options.defaults().withThreads(1).withName("tcp-worker"), sec);
            try {
                assertTrue(w.address().startsWith("tcp://"), w.address());
                hostilePeers(cluster.schedulerAddress(), sec.schedulerPublicKey(), cluster::refusedPeers);
                hostilePeers(w.address(), sec.clusterPublicKey(), w::refusedPeers);
                try (Client client = Client.connect(cluster.schedulerAddress(), sec)) {
                    assertEquals(8, client.submit(INC, 7).result(30, TimeUnit.SECONDS)); // runs on the TCP worker
                    List<Future<String>> sc = client.scatter(List.of("still", "serving"));
                    assertEquals(List.of("still", "serving"), client.gather(sc));
                }
            } finally {
                w.close();
            }
        }
    }

    /**
     * Three hostile peers against {@code address}: a plaintext DEALER, a CURVE DEALER with an unknown
     * key (that knows the server's key), and raw TCP bytes. An unsecured jdask socket answers such
     * frames with {@code ERROR} (see FaultTest); here none gets any answer, and each is counted.
     */
    private static void hostilePeers(String address, String serverKey, LongSupplier refused) throws Exception {
        long before = refused.getAsLong();
        ZMQ.Socket plain = Zmq.socket(SocketType.DEALER, 1 << 20);
        ZMQ.Socket curve = Zmq.socket(SocketType.DEALER, 1 << 20);
        try {
            plain.setIdentity(Wire.remoteIdentity());
            plain.setReceiveTimeOut(1500);
            plain.connect(address);
            plain.send(new byte[] {1, 2, 3}, 0);                 // garbage, would get "not a jdask message"
            plain.send(new byte[] {'J', 'D', (byte) Wire.VERSION, 0}, 0); // an empty, valid batch
            assertNull(plain.recv(0), "a plaintext peer got an answer from " + address);
            awaitAtLeast(refused, before + 1);

            ZMQ.Curve.KeyPair k = ZMQ.Curve.generateKeyPair();
            curve.setIdentity(Wire.remoteIdentity());
            curve.setCurvePublicKey(k.publicKey.getBytes());
            curve.setCurveSecretKey(k.secretKey.getBytes());
            curve.setCurveServerKey(serverKey.getBytes());
            curve.setReceiveTimeOut(1500);
            curve.connect(address);
            curve.send(new byte[] {9, 9, 9}, 0);
            assertNull(curve.recv(0), "a CURVE peer with an unknown key got an answer from " + address);
            awaitAtLeast(refused, before + 2);
        } finally {
            Zmq.close(plain);
            Zmq.close(curve);
        }
        URI u = URI.create(address);
        try (java.net.Socket raw = new java.net.Socket()) {
            raw.connect(new InetSocketAddress(u.getHost(), u.getPort()), 5000);
            raw.setSoTimeout(3000);
            OutputStream out = raw.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
            out.write(new byte[4096]);
            out.flush();
            // the server may send its greeting's first bytes; it never answers with a jdask frame, then drops us
            byte[] buf = new byte[8192];
            int total = 0;
            try {
                for (int n; (n = raw.getInputStream().read(buf)) > 0; ) total += n;
            } catch (java.net.SocketException | java.net.SocketTimeoutException closedOrSilent) {
                // reset by the server, or nothing more
            }
            assertTrue(total < 64, "got " + total + " bytes: more than a ZMTP greeting");
        }
        awaitAtLeast(refused, before + 3);
    }

    private static void awaitAtLeast(LongSupplier counter, long n) throws InterruptedException {
        Await.until(() -> counter.getAsLong() >= n, Duration.ofSeconds(10), "at least " + n + " refused peers",
                () -> "refused-peer count is " + counter.getAsLong());
    }

    @Test
    void closingASecuredSocketReleasesItsZapPolicyAndMonitor() throws Exception {
        // sockets of earlier tests (all closed) are gone within a moment: nothing leaks
        awaitPolicies(0);
        SchedulerServer s = SchedulerServer.start("127.0.0.1", 0, Security.temporary());
        assertTrue(s.isSecure());
        // its ROUTER socket and, with security, the code relay beside it (CodeRelay)
        assertEquals(2, org.jdask.distributed.internal.Zap.activePolicies());
        s.close();
        awaitPolicies(0);
    }

    private static void awaitPolicies(int n) throws InterruptedException {
        Await.until(() -> org.jdask.distributed.internal.Zap.activePolicies() == n, Duration.ofSeconds(10), n + " active ZAP policies",
                () -> org.jdask.distributed.internal.Zap.activePolicies() + " active");
        assertEquals(n, org.jdask.distributed.internal.Zap.activePolicies());
    }

    @Test
    void aClusterWithoutSecurityStillAcceptsPlainPeers() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().workers(1).threadsPerWorker(1).processes(false).build();
             Client tcp = Client.connect(cluster.schedulerAddress())) {
            assertNull(cluster.security());
            assertEquals(5, tcp.submit(INC, 4).result(30, TimeUnit.SECONDS));
            assertEquals(0, cluster.refusedPeers());
        }
    }

    @Test
    void workerKeysOnStdinAreCheckedLineByLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Security.readWorkerKeys(
                new java.io.BufferedReader(new java.io.StringReader("short\n")), "standard input"));
        assertTrue(e.getMessage().contains("standard input line 1 (cluster.pub)"), e.getMessage());
        Security s = Security.temporary();
        String two = String.join("\n", new ArrayList<>(List.of(s.workerKeyLines().split("\n"))).subList(0, 2)) + "\n";
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> Security.readWorkerKeys(
                new java.io.BufferedReader(new java.io.StringReader(two)), "standard input"));
        assertTrue(missing.getMessage().contains("missing scheduler.pub (line 3)"), missing.getMessage());
    }
}
