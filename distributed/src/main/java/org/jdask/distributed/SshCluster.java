package org.jdask.distributed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.jdask.distributed.internal.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A scheduler and workers started over SSH on a list of hosts (Dask's {@code SSHCluster} and
 * {@code dask-ssh}): {@code jdask scheduler} on the first host (or a scheduler in this JVM, see
 * {@link Builder#localScheduler}) and {@code jdask worker ADDRESS} processes spread over the hosts,
 * each host taking its share ({@code host [nworkers]} lines of a hostfile).
 *
 * <pre>{@code
 * try (SshCluster cluster = SshCluster.builder().hosts("node1", "node2", "node3").user("me")
 *         .identity(Path.of("/home/me/.ssh/id_ecdsa")).nthreads(4).build();
 *      Client client = Client.connect(cluster.schedulerAddress())) { ... }
 * }</pre>
 * Every remote command's output is kept, prefixed with its host ({@link #logs()}); {@link #close()}
 * stops them all, and a remote process also stops when its SSH connection drops, so nothing is
 * left running. The hosts need Java and the {@code jdask} launcher ({@link Builder#remoteCommand}
 * names another one); their host keys are checked against {@link Builder#knownHosts} when given.
 * Keys are OpenSSH RSA or ECDSA files (Ed25519 needs an EdDSA provider on the classpath).
 */
public final class SshCluster extends ClusterBase {
    private static final Logger LOG = LoggerFactory.getLogger(SshCluster.class);
    private static final Pattern SCHEDULER_AT = Pattern.compile("Scheduler at: (tcp://\\S+)");
    private static final Pattern WORKER_AT = Pattern.compile("Worker at: (\\S+)");
    private static final Pattern HOST = Pattern.compile("(?:([^@\\s]+)@)?([^@:\\s]+|\\[[^\\]\\s]+\\])(?::(\\d+))?");

    /** One host: who to log in as, where, and how many workers it takes. */
    public record Host(String user, String name, int port, int nworkers) {
        @Override
        public String toString() {
            return user + "@" + name + ":" + port;
        }
    }

    /** Options of an {@link SshCluster}. */
    public static final class Builder {
        final List<String[]> hostSpecs = new ArrayList<>(); // {spec, nworkers or null, origin}
        String user = System.getProperty("user.name");
        int port = 22;
        final List<Path> identities = new ArrayList<>();
        Path knownHosts;
        int nworkers = 1, nthreads = 0;
        List<String> remoteCommand = List.of("jdask");
        int schedulerPort = 8786;
        String localScheduler;
        boolean nanny = true;
        long connectTimeoutMs = 10_000, startTimeoutMs = 60_000;

        /** Hosts as {@code [user@]host[:port]}; the first runs the scheduler (unless {@link #localScheduler}). */
        public Builder hosts(String... hosts) {
            return hosts(List.of(hosts));
        }

        public Builder hosts(List<String> hosts) {
            for (String h : hosts) hostSpecs.add(new String[] {h, null, "host '" + h + "'"});
            return this;
        }

        /**
         * Reads hosts from a file of {@code host [nworkers]} lines ({@code #} starts a comment);
         * a bad line is reported with the file and line number.
         */
        public Builder hostfile(Path file) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read hostfile " + file + ": " + e.getMessage(), e);
            }
            int before = hostSpecs.size();
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i);
                int hash = l.indexOf('#');
                if (hash >= 0) l = l.substring(0, hash);
                l = l.strip();
                if (l.isEmpty()) continue;
                String where = file + ":" + (i + 1);
                String[] parts = l.split("\\s+");
                if (parts.length > 2) {
                    throw new IllegalArgumentException(where + ": expected 'host [nworkers]', got '" + l + "'");
                }
                if (parts.length == 2 && !parts[1].matches("[1-9]\\d{0,5}")) {
                    throw new IllegalArgumentException(where + ": nworkers must be a whole number >= 1, got '" + parts[1] + "'");
                }
                parseHost(parts[0], where, "x", 1, 1);
                hostSpecs.add(new String[] {parts[0], parts.length == 2 ? parts[1] : null, where});
            }
            if (hostSpecs.size() == before) throw new IllegalArgumentException("hostfile " + file + " lists no hosts");
            return this;
        }

        /** The login name (default: this JVM's {@code user.name}). */
        public Builder user(String u) {
            user = ClusterOptions.word("user", u);
            return this;
        }

        /** The SSH port (default 22) of hosts that do not name one. */
        public Builder port(int p) {
            port = ClusterOptions.port("port", p, 1);
            return this;
        }

        /** A private key file (OpenSSH RSA or ECDSA); default: {@code ~/.ssh/id_ecdsa} and {@code ~/.ssh/id_rsa} if present. */
        public Builder identity(Path keyFile) {
            if (!Files.isReadable(keyFile)) throw new IllegalArgumentException("identity file " + keyFile + " is not readable");
            identities.add(keyFile);
            return this;
        }

        /** Accept only host keys listed in this OpenSSH known_hosts file (default: any host key, with a warning). */
        public Builder knownHosts(Path file) {
            if (!Files.isReadable(file)) throw new IllegalArgumentException("known_hosts file " + file + " is not readable");
            knownHosts = file;
            return this;
        }

        /** Workers per host (default 1) for hosts that do not say. */
        public Builder nworkers(int n) {
            nworkers = ClusterOptions.atLeast("nworkers", n, 1);
            return this;
        }

        /** Threads per worker (default: the host's cores divided among its workers). */
        public Builder nthreads(int n) {
            nthreads = ClusterOptions.atLeast("nthreads", n, 1);
            return this;
        }

        /**
         * The command that runs jdask on the hosts (default {@code jdask}, the launcher on the
         * remote PATH), e.g. {@code "/opt/jdask/jdask"}; {@code scheduler}/{@code worker} and
         * their options are appended.
         */
        public Builder remoteCommand(String... command) {
            remoteCommand = ClusterOptions.command("remoteCommand", command);
            return this;
        }

        /** The scheduler's port (default 8786; 0 picks a free one). */
        public Builder schedulerPort(int p) {
            schedulerPort = ClusterOptions.port("schedulerPort", p, 0);
            return this;
        }

        /** Runs the scheduler in this JVM, listening on {@code listenHost} (an address the hosts can reach). */
        public Builder localScheduler(String listenHost) {
            localScheduler = ClusterOptions.word("localScheduler", listenHost);
            return this;
        }

        /** Workers under nannies (default) or {@code --no-nanny} (one JVM per worker). */
        public Builder nanny(boolean n) {
            nanny = n;
            return this;
        }

        /** How long connecting and authenticating may take per host (default 10 s). */
        public Builder connectTimeoutMillis(long ms) {
            connectTimeoutMs = ClusterOptions.atLeast("connectTimeoutMillis", ms, 1);
            return this;
        }

        /** How long a remote scheduler or worker may take to start (default 60 s). */
        public Builder startTimeoutMillis(long ms) {
            startTimeoutMs = ClusterOptions.atLeast("startTimeoutMillis", ms, 1);
            return this;
        }

        /** The hosts as parsed (for checking a hostfile without connecting). */
        public List<Host> parsedHosts() {
            List<Host> out = new ArrayList<>();
            for (String[] s : hostSpecs) {
                out.add(parseHost(s[0], s[2], user, port, s[1] == null ? nworkers : Integer.parseInt(s[1])));
            }
            if (out.isEmpty()) throw new IllegalArgumentException("SshCluster: give hosts(...) or hostfile(...)");
            return out;
        }

        /** Connects, starts the scheduler and one worker per slot; waits until all have started. */
        public SshCluster build() {
            return new SshCluster(this, parsedHosts());
        }
    }

    static Host parseHost(String spec, String where, String user, int port, int nworkers) {
        Matcher m = HOST.matcher(spec);
        if (!m.matches()) throw new IllegalArgumentException(where + ": '" + spec + "' is not a host like node1, me@node1 or node1:2222");
        int p = port;
        if (m.group(3) != null) {
            p = Integer.parseInt(m.group(3));
            if (p < 1 || p > 65535) throw new IllegalArgumentException(where + ": port " + p + " of '" + spec + "' is not 1-65535");
        }
        String name = m.group(2).startsWith("[") ? m.group(2).substring(1, m.group(2).length() - 1) : m.group(2);
        return new Host(m.group(1) != null ? m.group(1) : user, name, p, nworkers);
    }

    public static Builder builder() {
        return new Builder();
    }

    private final Builder config;
    private final List<Host> hosts;
    private final List<Host> slots = new ArrayList<>();
    private final SshClient ssh;
    private final Map<String, ClientSession> sessions = new LinkedHashMap<>();
    private RemoteProcess remoteScheduler;
    private SchedulerServer localScheduler;
    private final String address;
    private final List<RemoteProcess> workers = new ArrayList<>();
    private final List<RemoteProcess> stopped = new ArrayList<>();
    private Client client;
    private int started;

    private SshCluster(Builder b, List<Host> hosts) {
        this.config = b;
        this.hosts = List.copyOf(hosts);
        for (Host h : hosts) for (int i = 0; i < h.nworkers(); i++) slots.add(h);
        ssh = SshClient.setUpDefaultClient();
        ssh.setServerKeyVerifier(b.knownHosts != null
                ? new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE, b.knownHosts)
                : (session, remote, key) -> {
                    LOG.warn("accepting the host key of {} unchecked (give knownHosts(...) to check it)", remote);
                    return AcceptAllServerKeyVerifier.INSTANCE.verifyServerKey(session, remote, key);
                });
        List<Path> keys = new ArrayList<>(b.identities);
        if (keys.isEmpty()) {
            Path home = Path.of(System.getProperty("user.home"), ".ssh");
            for (String f : List.of("id_ecdsa", "id_rsa")) if (Files.isReadable(home.resolve(f))) keys.add(home.resolve(f));
        }
        ssh.setKeyIdentityProvider(new FileKeyPairProvider(keys));
        ssh.start();
        try {
            if (b.localScheduler != null) {
                localScheduler = SchedulerServer.start(b.localScheduler, b.schedulerPort);
                address = localScheduler.address();
            } else {
                Host h = hosts.get(0);
                List<String> cmd = new ArrayList<>(b.remoteCommand);
                cmd.addAll(List.of("scheduler", "--host", h.name(), "--port", String.valueOf(b.schedulerPort)));
                remoteScheduler = start("scheduler", h, Commands.quote(cmd), SCHEDULER_AT);
                address = remoteScheduler.awaitStart(b.startTimeoutMs);
            }
            LOG.info("Scheduler at: {}", address);
            scale(slots.size());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private ClientSession session(Host h) {
        String key = h.toString();
        ClientSession s = sessions.get(key);
        if (s != null && s.isOpen()) return s;
        try {
            s = ssh.connect(h.user(), h.name(), h.port()).verify(config.connectTimeoutMs).getSession();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot connect to " + h + " within " + config.connectTimeoutMs + " ms: " + e.getMessage(), e);
        }
        try {
            s.auth().verify(config.connectTimeoutMs);
        } catch (IOException | RuntimeException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already failing
            }
            if (String.valueOf(e.getMessage()).contains("Server key did not validate")) {
                throw new IllegalStateException("the host key of " + h + " is not accepted by the known_hosts file "
                        + config.knownHosts + " (missing or different)", e);
            }
            throw new IllegalStateException("authentication to " + h + " failed (identity files " + identityNames() + "): "
                    + e.getMessage(), e);
        }
        sessions.put(key, s);
        return s;
    }

    private String identityNames() {
        List<String> out = new ArrayList<>();
        for (Path p : config.identities) out.add(p.toString());
        return out.isEmpty() ? "~/.ssh/id_ecdsa, ~/.ssh/id_rsa" : String.join(", ", out);
    }

    private RemoteProcess start(String name, Host h, String command, Pattern started) {
        ClientSession s = session(h);
        try {
            return new RemoteProcess(name, h.toString(), s, command, started, config.connectTimeoutMs);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + name + " on " + h + " (command: " + Commands.brief(command) + "): "
                    + e.getMessage(), e);
        }
    }

    /** The hosts, as parsed from {@code hosts(...)} and the hostfile. */
    public List<Host> hosts() {
        return hosts;
    }

    @Override
    public String schedulerAddress() {
        return address;
    }

    @Override
    public synchronized int size() {
        return workers.size();
    }

    /**
     * Starts or stops workers until there are {@code n}: new ones go to the hosts in turn, each
     * taking its share of slots; the newest stop first. Waits until the new ones have started.
     */
    @Override
    public synchronized void scale(int n) {
        checkScale(n);
        while (workers.size() > n) stop(workers.remove(workers.size() - 1));
        List<RemoteProcess> fresh = new ArrayList<>();
        try {
            for (int i = workers.size(); i < n; i++) {
                Host h = slots.get(started % slots.size());
                String name = h.name() + "-" + started++;
                List<String> cmd = new ArrayList<>(config.remoteCommand);
                cmd.addAll(List.of("worker", address, "--nworkers", "1", "--host", h.name(), "--name", name));
                String line = Commands.quote(cmd) + " --nthreads " + (config.nthreads > 0 ? String.valueOf(config.nthreads)
                        : "$(( $(nproc) >= " + h.nworkers() + " ? $(nproc) / " + h.nworkers() + " : 1 ))");
                if (!config.nanny) line += " --no-nanny";
                fresh.add(start(name, h, line, WORKER_AT));
            }
            for (RemoteProcess p : fresh) p.awaitStart(config.startTimeoutMs);
        } catch (RuntimeException e) {
            for (RemoteProcess p : fresh) stop(p);
            throw e;
        }
        workers.addAll(fresh);
    }

    private void stop(RemoteProcess p) {
        p.close();
        synchronized (stopped) {
            stopped.add(p);
            if (stopped.size() > 100) stopped.remove(0);
        }
    }

    @Override
    public synchronized void retireWorkers(Collection<String> addresses) {
        Set<String> gone = new HashSet<>(addresses);
        for (var it = workers.iterator(); it.hasNext(); ) {
            RemoteProcess p = it.next();
            if (gone.contains(p.address())) {
                it.remove();
                stop(p);
            }
        }
    }

    private synchronized Client client() {
        if (client == null) client = Client.connect(address);
        return client;
    }

    @Override
    public List<Map<String, Object>> workers() {
        return localScheduler != null ? localScheduler.workers() : client().workers();
    }

    @Override
    public ClusterLoad load() {
        return localScheduler != null ? localScheduler.load() : client().load();
    }

    /** Output of the scheduler and of every worker (the last 1000 lines each), each line prefixed with its host. */
    @Override
    public synchronized Map<String, List<String>> logs() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (remoteScheduler != null) out.put("scheduler", remoteScheduler.logs());
        for (RemoteProcess p : workers) out.put(p.name, p.logs());
        return out;
    }

    /** Process ids of the remote workers (and scheduler) on their hosts, by name; for checking that close() stops them. */
    public synchronized Map<String, Long> remotePids() {
        Map<String, Long> out = new LinkedHashMap<>();
        if (remoteScheduler != null) out.put("scheduler", remoteScheduler.remotePid());
        for (RemoteProcess p : workers) out.put(p.name, p.remotePid());
        return out;
    }

    /** Stops every worker, then the scheduler, then closes the SSH connections (see {@link #close}). */
    @Override
    void stopAll() {
        if (client != null) client.close();
        List<Thread> stopping = new ArrayList<>();
        for (RemoteProcess p : workers) {
            Thread t = new Thread(() -> stop(p), "jdask-ssh-stop");
            t.start();
            stopping.add(t);
        }
        Threads.joinQuietly(0, stopping);
        workers.clear();
        if (remoteScheduler != null) remoteScheduler.close();
        if (localScheduler != null) localScheduler.close();
        for (ClientSession s : sessions.values()) {
            try {
                s.close();
            } catch (IOException e) {
                LOG.debug("closing an SSH session: {}", e.toString());
            }
        }
        ssh.stop();
    }

    @Override
    public String toString() {
        return "SshCluster(" + address + ", " + size() + " workers on " + hosts + ")";
    }
}
