package org.jdask.distributed;

import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The class loader of one client's code on a worker (issue 16): parent first (the worker's own
 * class path, with {@code --classpath}/{@code JDASK_CLASSPATH} jars), then, on demand, the
 * client's class path entries that hold the class's package (fetched by hash into the {@link
 * CodeCache}), then the client's in-memory classes. Two clients get two loaders, so different
 * versions of one class do not clash; a loader is dropped when its client leaves.
 */
final class ClientCodeLoader extends ClassLoader {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClientCodeLoader.class);
    static {
        registerAsParallelCapable();
    }

    /** One line of the client's manifest. */
    private record Offered(int index, String name, List<String> packages) {}

    private final String clientId;
    private final CodeClient client;
    private final CodeCache cache;
    private final Object fetchLock = new Object();
    private List<Offered> manifest; // guarded by fetchLock
    private int manifestVersion = -1;
    private volatile int wantedVersion;
    private final Map<Integer, JarFile> jars = new HashMap<>(); // by entry index, guarded by fetchLock
    private final Map<String, String> misses = new ConcurrentHashMap<>();
    private volatile boolean defined;

    ClientCodeLoader(String clientId, CodeClient client, CodeCache cache, ClassLoader parent) {
        super("jdask-client-" + clientId, parent);
        this.clientId = clientId;
        this.client = client;
        this.cache = cache;
    }

    String clientId() {
        return clientId;
    }

    /** Whether a class has been loaded from the client (then the client's tasks decode through this loader). */
    boolean defined() {
        return defined;
    }

    /** The client's offer has this version (from a task's config): a newer one is read before a class is given up on. */
    void offerVersion(int version) {
        if (version > wantedVersion) wantedVersion = version;
    }

    /** Why {@code name} could not be found, or null if it was never looked for in vain. */
    String miss(String name) {
        return misses.get(name);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        if (!CodeOffer.shippable(name)) {
            throw new ClassNotFoundException(name + ": not on this worker's class path (JDK and jdask classes are never shipped)");
        }
        byte[] b;
        List<String> looked = new ArrayList<>();
        try {
            b = find(name, looked);
        } catch (IOException e) {
            String why = "class " + name + " not found: " + e.getMessage();
            misses.put(name, why);
            throw new ClassNotFoundException(why, e);
        }
        if (b == null) {
            String why = "class " + name + " not found: looked in this worker's class path, " + String.join(", ", looked)
                    + " of client " + clientId + " at " + client.address();
            misses.put(name, why);
            throw new ClassNotFoundException(why);
        }
        Class<?> c = defineClass(name, b, 0, b.length);
        defined = true;
        return c;
    }

    private byte[] find(String name, List<String> looked) throws IOException {
        int dot = name.lastIndexOf('.');
        String pkg = dot < 0 ? "" : name.substring(0, dot);
        String entryName = name.replace('.', '/') + ".class";
        synchronized (fetchLock) {
            for (int pass = 0; pass < 2; pass++) {
                if (manifest == null || (pass == 1 && manifestVersion < wantedVersion)) readManifest();
                else if (pass == 1) break;
                for (Offered o : manifest) {
                    if (!o.packages().contains(pkg)) continue;
                    looked.add(o.name());
                    JarFile j = jar(o, name);
                    JarEntry e = j.getJarEntry(entryName);
                    if (e != null) {
                        try (InputStream in = j.getInputStream(e)) {
                            return in.readAllBytes();
                        }
                    }
                }
            }
            looked.add("its in-memory classes");
            return client.request("class", name);
        }
    }

    private void readManifest() throws IOException {
        byte[] b = client.request("manifest", "");
        if (b == null) throw new IOException("client " + clientId + " at " + client.address() + " sent no manifest");
        String[] lines = new String(b, StandardCharsets.UTF_8).split("\n");
        if (lines.length < 2 || !lines[0].equals(clientId)) {
            throw new IOException("the code server at " + client.address() + " is not client " + clientId + "'s (it says '" + lines[0] + "')");
        }
        List<Offered> m = new ArrayList<>();
        for (int i = 2; i < lines.length; i++) {
            String[] f = lines[i].split("\t", -1);
            if (f.length != 3) continue;
            List<String> pk = new ArrayList<>();
            for (String p : f[2].split(",")) if (!p.isEmpty()) pk.add(p.equals("-") ? "" : p);
            m.add(new Offered(Integer.parseInt(f[0]), f[1], pk));
        }
        manifest = m;
        manifestVersion = Integer.parseInt(lines[1].trim());
    }

    private JarFile jar(Offered o, String forClass) throws IOException {
        JarFile j = jars.get(o.index());
        if (j != null) return j;
        LOG.info("fetching {} from client {} (for class {})", o.name(), clientId, forClass);
        byte[] h = client.request("hash", String.valueOf(o.index()));
        if (h == null) throw new IOException("client " + clientId + " no longer offers " + o.name());
        String hash = new String(h, StandardCharsets.UTF_8);
        Path file = cache.jar(hash, "jar " + o.name() + " of client " + clientId, () -> client.jar(hash));
        j = new JarFile(file.toFile());
        jars.put(o.index(), j);
        return j;
    }

    @Override
    protected URL findResource(String name) {
        synchronized (fetchLock) {
            for (Map.Entry<Integer, JarFile> e : jars.entrySet()) {
                if (e.getValue().getJarEntry(name) == null) continue;
                try {
                    return new URL("jar:" + Path.of(e.getValue().getName()).toUri() + "!/" + name);
                } catch (MalformedURLException bad) {
                    return null;
                }
            }
        }
        return null;
    }

    /** Whether the client's code server answers within {@code timeoutMs}. */
    boolean ping(long timeoutMs) throws IOException {
        return client.request("ping", "", timeoutMs) != null;
    }

    /** Closes the cached jars and the connection to the client; classes already loaded stay usable. */
    void close() {
        synchronized (fetchLock) {
            for (JarFile j : jars.values()) {
                try {
                    j.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            jars.clear();
        }
        client.close();
    }
}
