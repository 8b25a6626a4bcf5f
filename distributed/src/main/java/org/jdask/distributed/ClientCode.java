package org.jdask.distributed;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jdask.Config;
import org.jdask.SerializationException;
import org.jdask.serialize.Codecs;
import org.jdask.serialize.FnFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker JVM's side of code shipping (issue 16): one {@link ClientCodeLoader} per client that
 * offers code, made when the client's first task arrives, dropped when the client is gone (its
 * code server stops answering). A task's classes are first resolved as before (the worker's own
 * class path); only when decoding fails does the task's client loader fetch what is missing, and
 * from then on that client's tasks decode through it.
 *
 * <p>Code is accepted only with security on (the client's code server must prove the cluster
 * key) and unless {@code distributed.worker.accept-client-code} is false, both read when the
 * worker starts, never from a task's config.
 */
final class ClientCode {
    private static final Logger LOG = LoggerFactory.getLogger(ClientCode.class);
    static final String ACCEPT_KEY = "distributed.worker.accept-client-code", CHECK_KEY = "distributed.worker.client-code-check";
    private final long idleCheckMs;

    private final Security security;
    private final String schedulerAddress; // where a relayed client's code is fetched: the scheduler's host
    private volatile String schedulerRelay; // this worker's scheduler's code relay, from its welcome (null: use the client's announced one)
    private final boolean accept;
    private final String refusal;
    private final CodeCache cache = CodeCache.configured();
    private final long timeoutMs = Config.getDuration("distributed.comm.timeouts.code-fetch", Duration.ofSeconds(60)).toMillis();
    private final Map<String, Held> loaders = new ConcurrentHashMap<>();

    private static final class Held {
        final ClientCodeLoader loader;
        volatile long lastUse = System.currentTimeMillis();

        Held(ClientCodeLoader loader) {
            this.loader = loader;
        }
    }

    private ClientCode(Security security, String schedulerAddress, long idleCheckMs) {
        this.security = security;
        this.schedulerAddress = schedulerAddress;
        if (idleCheckMs < 1) throw new IllegalArgumentException(CHECK_KEY + " must be positive, got " + idleCheckMs + " ms");
        this.idleCheckMs = idleCheckMs;
        boolean configured = Config.getBoolean(ACCEPT_KEY, true);
        this.accept = security != null && configured;
        this.refusal = security == null
                ? "this worker accepts client code only from authenticated clients, and security is off (start the cluster with Security keys)"
                : "this worker does not accept client code (" + ACCEPT_KEY + ": false)";
        if (accept) {
            Thread t = new Thread(this::reap, "jdask-client-code-reaper");
            t.setDaemon(true);
            t.start();
        }
    }

    /** The code registry of a worker with {@code security} (null: code is never accepted). */
    static ClientCode forWorker(Security security) {
        return forWorker(security, null);
    }

    /**
     * As {@link #forWorker(Security)} for a worker of the scheduler at {@code schedulerAddress} (its
     * code relay's host); a client idle for {@code distributed.worker.client-code-check} (10 s) is
     * pinged then, and its loader dropped if it does not answer.
     */
    static ClientCode forWorker(Security security, String schedulerAddress) {
        return new ClientCode(security, schedulerAddress, Config.getDuration(CHECK_KEY, Duration.ofSeconds(10)).toMillis());
    }

    /** As {@link #forWorker}, checking idle clients every {@code idleCheckMs} (tests). */
    static ClientCode forWorker(Security security, long idleCheckMs) {
        return new ClientCode(security, null, idleCheckMs);
    }

    /**
     * The code relay of this worker's own scheduler ({@code WELCOME.codeRelay}): a relayed client's
     * code is asked for there, whichever relay its {@code jdask.code} names (a JVM's one code server
     * attaches to the relays of all its clients' schedulers).
     */
    void schedulerRelay(String relay) {
        schedulerRelay = relay;
    }

    /** The loader of client {@code ref}'s code (made if needed), null when code is not accepted. */
    ClassLoader loaderOf(String ref) {
        return loader(ref);
    }

    /** The {@code jdask.code} entry of a task config, and the config without it. */
    record Split(String ref, Map<String, Object> config) {}

    static Split split(Map<String, Object> config) {
        if (config == null || !config.containsKey(CodeServer.CARRIED_KEY)) return new Split(null, config);
        Map<String, Object> rest = new HashMap<>(config);
        Object ref = rest.remove(CodeServer.CARRIED_KEY);
        return new Split(ref == null ? null : ref.toString(), rest);
    }

    /** The loader for the client a task's {@code ref} ({@code ID|ADDRESS|VERSION}) names; null when none or refused. */
    private ClientCodeLoader loader(String ref) {
        if (ref == null || !accept) return null;
        String[] f = ref.split("\\|");
        if (f.length != 3) return null;
        Held h = loaders.computeIfAbsent(f[0], id -> {
            LOG.info("client {} offers code at {}", id, f[1]);
            return new Held(new ClientCodeLoader(id, CodeClient.of(relayed(f[1]), id, schedulerAddress, security, timeoutMs), cache, SiteClasspath.loader()));
        });
        h.lastUse = System.currentTimeMillis();
        try {
            h.loader.offerVersion(Integer.parseInt(f[2]));
        } catch (NumberFormatException ignored) {
            // an odd version: the manifest is read anyway on the first miss
        }
        return h.loader;
    }

    /** A client's code address, with the relay replaced by this worker's scheduler's when it is relayed. */
    private String relayed(String address) {
        String own = schedulerRelay;
        return own != null && address.startsWith(CodeServer.RELAY_PREFIX) ? CodeServer.RELAY_PREFIX + own : address;
    }

    /** Opens the scope a task runs in: its client's code, if any, reachable from this thread. */
    Scope open(String ref) {
        return new Scope(loader(ref));
    }

    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

    /** Runs {@code decode} in this thread's task scope (see {@link Scope#decode}), or plainly outside one. */
    static <T> T decodeInScope(Supplier<T> decode) {
        Scope s = CURRENT.get();
        return s == null ? decode.get() : s.decode(decode);
    }

    /** Number of client loaders held (for tests). */
    int clients() {
        return loaders.size();
    }

    /**
     * Where one task's classes come from, on the executor thread running it: {@link #decode}
     * decodes through the worker's own class path and falls back to the client's loader.
     */
    final class Scope implements AutoCloseable {
        private final ClientCodeLoader loader;
        private final ClassLoader contextBefore = Thread.currentThread().getContextClassLoader();
        private final Scope outer = CURRENT.get();
        private Codecs.LoaderScope codecs;
        private boolean active;

        private Scope(ClientCodeLoader loader) {
            this.loader = loader;
            CURRENT.set(this);
            // never the thread's current context loader: a pool thread inherits the one of the thread that made it,
            // which may be another client's loader (its version of a class would win over this client's)
            if (loader != null && loader.defined()) activate();
            else enter(SiteClasspath.loader());
        }

        private void activate() {
            enter(loader);
            active = true;
        }

        private void enter(ClassLoader l) {
            if (codecs != null) codecs.close();
            codecs = Codecs.withLoader(l);
            Thread.currentThread().setContextClassLoader(l);
        }

        /** Runs {@code decode}; on a failure, again through the client's loader (fetching what it lacks). */
        <T> T decode(Supplier<T> decode) {
            try {
                return decode.get();
            } catch (SerializationException first) {
                if (loader == null) throw explain(first);
                if (active) throw explain(first);
                activate();
                try {
                    return decode.get();
                } catch (SerializationException again) {
                    throw explain(again);
                }
            }
        }

        /** The failure, with why the class could not be found when this worker looked for it. */
        private SerializationException explain(SerializationException e) {
            String name = e.className();
            if (name == null) return e;
            String why = loader != null ? loader.miss(name) : null;
            if (why == null && loader == null && !accept) why = "class " + name + " is not on this worker's class path; " + refusal;
            if (why == null) return e;
            return new SerializationException(e.key(), name, e.field(), why, e);
        }

        @Override
        public void close() {
            if (codecs != null) codecs.close();
            Thread.currentThread().setContextClassLoader(contextBefore);
            if (outer == null) CURRENT.remove();
            else CURRENT.set(outer);
        }
    }

    /** Drops the loaders of clients whose code server no longer answers (the client left). */
    private void reap() {
        while (true) {
            try {
                Thread.sleep(idleCheckMs);
            } catch (InterruptedException e) {
                return;
            }
            for (Map.Entry<String, Held> e : loaders.entrySet()) {
                Held h = e.getValue();
                if (System.currentTimeMillis() - h.lastUse < idleCheckMs) continue;
                if (alive(h.loader)) continue;
                loaders.remove(e.getKey(), h);
                h.loader.close();
                FnFrame.forget(h.loader); // the client's functions decoded through it go with it
                LOG.info("client {} is gone: its code loader is dropped", e.getKey());
            }
        }
    }

    private boolean alive(ClientCodeLoader l) {
        try {
            return l.ping(5_000);
        } catch (IOException e) {
            return false;
        }
    }
}
