package org.jdask.distributed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.jdask.distributed.internal.Zap;
import org.zeromq.ZMQ;

/**
 * Encryption and authentication of a cluster's TCP connections with CurveZMQ, and a ZAP allow-list.
 *
 * <p>How it works. A cluster has two CURVE keypairs:
 * <ul>
 *   <li>the <b>scheduler</b> keypair: the scheduler's ROUTER is a CURVE server with it; only the
 *       scheduler needs its secret half;</li>
 *   <li>the <b>cluster</b> keypair, shared by workers, nannies and clients: their DEALERs are CURVE
 *       clients with it, and every worker's data port (worker-to-worker and worker-to-client
 *       transfers) is a CURVE server with it.</li>
 * </ul>
 * Every CURVE server sets a ZAP domain of its own; one ZAP handler per JVM
 * ({@link org.jdask.distributed.internal.Zap}) admits a connecting peer only if its public key is the
 * cluster key, so a plaintext peer, a peer with another key, or one that does not know the server's
 * key fails the handshake before any frame reaches the message decoder. Refused peers are logged at
 * WARN (address and key fingerprint, never a secret) and counted
 * ({@link SchedulerServer#refusedPeers()}). {@code inproc://} connections inside one JVM do not leave
 * the process and carry no handshake.
 *
 * <p>Key files ({@link #save}, {@link #load}): one Z85 key (40 characters) per file,
 * {@code scheduler.pub}, {@code scheduler.secret}, {@code cluster.pub}, {@code cluster.secret}; the
 * secret files are written owner-only ({@code 0600}). Workers and clients need every file but
 * {@code scheduler.secret}: copy the directory without it to their machines. {@link #toString()}
 * says where the keys came from (temporary and in memory only, as Dask's repr says, or the
 * directory) and shows only fingerprints of public keys, never key material.
 *
 * <pre>{@code
 * Security sec = Security.temporary();                 // or Security.load(Path.of("keys"))
 * try (LocalCluster cluster = LocalCluster.builder().workers(2).security(sec).build();
 *      Client client = Client.connect(cluster)) { ... }  // picks up the cluster's security
 * Client remote = Client.connect("tcp://10.0.0.5:8786", Security.load(Path.of("keys")));
 * }</pre>
 */
public final class Security {
    static final String SCHEDULER_PUB = "scheduler.pub", SCHEDULER_SECRET = "scheduler.secret";
    static final String CLUSTER_PUB = "cluster.pub", CLUSTER_SECRET = "cluster.secret";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final String schedulerPublic, schedulerSecret, clusterPublic, clusterSecret;
    /** Where the keys came from, for {@link #toString()}: "temporary keys, in memory only" or "keys from &lt;dir&gt;". */
    private final String origin;

    private Security(String origin, String schedulerPublic, String schedulerSecret, String clusterPublic, String clusterSecret) {
        this.origin = origin;
        this.schedulerPublic = schedulerPublic;
        this.schedulerSecret = schedulerSecret;
        this.clusterPublic = clusterPublic;
        this.clusterSecret = clusterSecret;
    }

    /** Fresh keys for one cluster (scheduler and cluster keypairs), kept in memory only. */
    public static Security temporary() {
        ZMQ.Curve.KeyPair s = ZMQ.Curve.generateKeyPair();
        ZMQ.Curve.KeyPair c = ZMQ.Curve.generateKeyPair();
        return new Security("temporary keys, in memory only", s.publicKey, s.secretKey, c.publicKey, c.secretKey);
    }

    /**
     * Reads keys written by {@link #save}. {@code scheduler.secret} may be absent (a directory for
     * workers and clients); every other file must be present. Errors name the file and what is wrong.
     */
    public static Security load(Path dir) {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("security directory " + dir + " does not exist or is not a directory");
        Path schedSecret = dir.resolve(SCHEDULER_SECRET);
        return new Security("keys from " + dir, readKey(dir.resolve(SCHEDULER_PUB)),
                Files.exists(schedSecret) ? readKey(schedSecret) : null,
                readKey(dir.resolve(CLUSTER_PUB)), readKey(dir.resolve(CLUSTER_SECRET)));
    }

    /**
     * Reads the keys a worker needs from {@code in}: three lines, the cluster public and secret keys
     * and the scheduler's public key (how a {@link Nanny} hands keys to its worker JVM without
     * files or command-line arguments).
     */
    static Security readWorkerKeys(java.io.BufferedReader in, String source) throws IOException {
        String[] k = new String[3];
        String[] names = {CLUSTER_PUB, CLUSTER_SECRET, SCHEDULER_PUB};
        for (int i = 0; i < 3; i++) {
            String line = in.readLine();
            if (line == null) throw new IllegalArgumentException(source + ": missing " + names[i] + " (line " + (i + 1) + ")");
            k[i] = checkKey(line.strip(), source + " line " + (i + 1) + " (" + names[i] + ")");
        }
        return new Security("keys from " + source, k[2], null, k[0], k[1]);
    }

    /** The three lines {@link #readWorkerKeys} reads. */
    String workerKeyLines() {
        return clusterPublic + "\n" + clusterSecret + "\n" + schedulerPublic + "\n";
    }

    /**
     * Writes the keys into {@code dir} (created if needed); secret files get permissions {@code 0600}.
     * Refuses to overwrite existing key files.
     */
    public void save(Path dir) {
        try {
            Files.createDirectories(dir);
            for (String f : List.of(SCHEDULER_PUB, SCHEDULER_SECRET, CLUSTER_PUB, CLUSTER_SECRET)) {
                if (Files.exists(dir.resolve(f))) throw new FileAlreadyExistsException(dir.resolve(f).toString(), null,
                        "key file exists already; not overwriting keys");
            }
            write(dir.resolve(SCHEDULER_PUB), schedulerPublic, false);
            if (schedulerSecret != null) write(dir.resolve(SCHEDULER_SECRET), schedulerSecret, true);
            write(dir.resolve(CLUSTER_PUB), clusterPublic, false);
            write(dir.resolve(CLUSTER_SECRET), clusterSecret, true);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException(e.getFile() + ": " + e.getReason(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write keys to " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void write(Path file, String key, boolean secret) throws IOException {
        byte[] bytes = (key + "\n").getBytes(StandardCharsets.US_ASCII);
        if (secret) {
            // created with 0600 from the start: the secret is never readable by others, not even briefly
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            Files.write(file, bytes, StandardOpenOption.TRUNCATE_EXISTING);
        } else {
            Files.write(file, bytes, StandardOpenOption.CREATE_NEW);
        }
    }

    private static String readKey(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("key file " + file + " is missing");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read key file " + file + ": " + e.getMessage(), e);
        }
        if (file.getFileName().toString().endsWith(".secret")) {
            try {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
                Set<PosixFilePermission> extra = java.util.EnumSet.copyOf(perms);
                extra.removeAll(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
                if (!extra.isEmpty()) {
                    throw new IllegalArgumentException("key file " + file + " is accessible by others (permissions "
                            + PosixFilePermissions.toString(perms) + "); a secret key must be owner-only: chmod 600 " + file);
                }
            } catch (UnsupportedOperationException | IOException notPosix) {
                // a file system without POSIX permissions: nothing to check
            }
        }
        return checkKey(text.strip(), "key file " + file);
    }

    /** A Z85 CURVE key: 40 characters of the Z85 alphabet, decoding to 32 bytes. */
    static String checkKey(String key, String where) {
        if (key.length() != ZMQ.Curve.KEY_SIZE_Z85) {
            throw new IllegalArgumentException(where + ": a CURVE key is " + ZMQ.Curve.KEY_SIZE_Z85 + " Z85 characters, got "
                    + key.length());
        }
        for (int i = 0; i < key.length(); i++) {
            if (Z85.indexOf(key.charAt(i)) < 0) {
                throw new IllegalArgumentException(where + ": not a Z85 key (character " + (i + 1) + " is not in the Z85 alphabet)");
            }
        }
        byte[] raw = ZMQ.Curve.z85Decode(key);
        if (raw == null || raw.length != ZMQ.Curve.KEY_SIZE) {
            throw new IllegalArgumentException(where + ": not a Z85 key (does not decode to " + ZMQ.Curve.KEY_SIZE + " bytes)");
        }
        return key;
    }

    private static final String Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

    /** The scheduler's public key (Z85); clients and workers authenticate the scheduler with it. */
    public String schedulerPublicKey() {
        return schedulerPublic;
    }

    /** The public key (Z85) shared by workers and clients: the one key the allow-list admits. */
    public String clusterPublicKey() {
        return clusterPublic;
    }

    /** Whether these keys can run a scheduler (the scheduler's secret key is present). */
    public boolean canRunScheduler() {
        return schedulerSecret != null;
    }

    // ------------------------------------------------------------------ socket set-up (package-private)

    /** Makes {@code s} (not yet bound) the scheduler's CURVE server; returns its ZAP policy. */
    Zap.Policy schedulerServer(ZMQ.Socket s, String label) {
        if (schedulerSecret == null) {
            throw new IllegalStateException("these keys cannot run a scheduler: " + SCHEDULER_SECRET
                    + " is missing (the key directory is the workers' and clients' copy)");
        }
        return Zap.serve(s, label, schedulerPublic, schedulerSecret, Set.of(clusterPublic));
    }

    /** Makes {@code s} (a worker's data port, not yet bound) a CURVE server with the cluster key. */
    Zap.Policy dataServer(ZMQ.Socket s, String label) {
        return Zap.serve(s, label, clusterPublic, clusterSecret, Set.of(clusterPublic));
    }

    /** Makes {@code s} (not yet connected) a CURVE client of the scheduler. */
    void toScheduler(ZMQ.Socket s) {
        Zap.client(s, clusterPublic, clusterSecret, schedulerPublic);
    }

    /** Makes {@code s} (not yet connected) a CURVE client of a worker's data port. */
    void toWorker(ZMQ.Socket s) {
        Zap.client(s, clusterPublic, clusterSecret, clusterPublic);
    }

    @Override
    public String toString() {
        return "Security(CurveZMQ, " + origin + ", scheduler key " + Zap.fingerprint(schedulerPublic) + ", cluster key "
                + Zap.fingerprint(clusterPublic) + (schedulerSecret == null ? ", no scheduler secret" : "") + ")";
    }
}
