package org.jdask.distributed.internal.memory;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdask.Config;
import org.jdask.distributed.internal.memory.MemoryPolicy.Action;
import org.jdask.graph.Key;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker's memory manager: its data store ({@link SpillBuffer} in its {@link LocalDirectory})
 * and a monitor thread that measures the process every {@code distributed.worker.memory.monitor-interval}
 * (default 0.1 s) and acts on {@link MemoryPolicy#decide}: spill, pause, resume, terminate.
 *
 * <h2>Process memory on the JVM</h2>
 * Dask reads the process's RSS. A JVM's RSS is mostly the heap it reserved, which never shrinks
 * and says nothing about live data, so here process memory is the heap in use plus direct NIO
 * buffers (Arrow, ZeroMQ frames). Heap in use counts garbage until the next collection,
 * so before acting on a high reading (spill by process, pause, terminate) the monitor reads what
 * the JVM's own last full collection left when it ended under {@link #GC_INTERVAL_MS} ago, else
 * collects ({@code System.gc()}, at most once per {@link #GC_INTERVAL_MS}; always before a
 * restart) and reads again: a worker is never paused or restarted for garbage.
 *
 * <p>Two more rules keep a small heap from wedging (issue 15). The live heap not held by results,
 * after each collection, is what tasks, transfers and the JVM itself need; the store keeps at most
 * {@link MemoryPolicy#roomForData} of results beside the largest such reading of the last
 * {@link #UNMANAGED_WINDOW_MS}. And past {@code distributed.worker.memory.gc-thrash} of recent
 * time spent collecting ({@link GcLoad}) every result goes to disk and the worker pauses until
 * collections calm down, long before its watchdog would end a JVM that only collects. After a spill the freed values are garbage too, so
 * process-based spilling waits for the next collection before spilling again. The spill store's
 * pages are the kernel's page cache, outside the heap, and are not counted (counting them would
 * make every spill look like growth).
 *
 * <p>Only a worker that owns its JVM ({@code jdask worker}, a nanny's worker) watches process
 * memory; workers that are threads of a bigger JVM share it and only spill by their own managed
 * bytes (the store's target).
 */
public final class MemoryManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryManager.class);
    static final long GC_INTERVAL_MS = 1000;

    /** What the worker does when the manager decides. */
    public interface Listener {
        /** The worker crossed {@code pause} (true) or fell back under it (false). */
        void paused(boolean paused, String why);

        /** The process is past {@code terminate}: the worker must exit so that its nanny restarts it. */
        void terminate(String why);
    }

    private final MemoryPolicy policy;
    private final LocalDirectory dir;
    private final SpillBuffer<Key> data;
    private final boolean ownsProcess;
    private final Listener listener;
    private final Thread monitor;
    private volatile boolean running = true, paused;
    private long lastGc, lastProcessSpill;
    private volatile long processBytes;
    private long loggedSpills, lastSpillLog;
    private int terminateStrikes;
    private final GcLoad gcLoad = new GcLoad();
    /** Live heap not held by results, after recent collections: what tasks and transfers need beside the data. */
    private final RecentMax unmanaged = new RecentMax(UNMANAGED_WINDOW_MS);
    static final long UNMANAGED_WINDOW_MS = 20_000;
    /** {@code distributed.worker.memory.gc-thrash}: the fraction of time in collections past which the worker spills and pauses (0: off). */
    private final double thrashAt;
    private boolean thrashing, thrashSpillPending;

    public MemoryManager(MemoryPolicy policy, LocalDirectory dir, SpillBuffer.Codec codec, boolean ownsProcess, Listener listener) {
        this.policy = policy;
        this.dir = dir;
        this.ownsProcess = ownsProcess;
        this.listener = listener;
        // planned small (what is planned is written out early); Chronicle Map grows by tiers beyond it
        long capacity = Math.min(256L << 20, Math.max(policy.limit(), 64L << 20));
        this.data = new SpillBuffer<>(policy.targetBytes(), dir.path(), capacity, codec);
        long interval = Math.max(5, Config.getDuration(MemoryPolicy.PREFIX + "monitor-interval", Duration.ofMillis(100)).toMillis());
        // Chronicle Map compiles code when a store is created (seconds of CPU, tens of MB of heap for
        // a moment). By default a worker creates its store once its results pass half of target, so
        // start-up and short jobs never pay for it; `spill-store-at-start: true` creates it while the
        // heap is still empty, for small heaps that will surely spill (a full one cannot spare the MBs).
        boolean atStart = ownsProcess && Config.getBoolean(MemoryPolicy.PREFIX + "spill-store-at-start", false);
        this.thrashAt = MemoryPolicy.gcThrash();
        this.monitor = new Thread(() -> watch(interval), "jdask-memory-monitor");
        monitor.setDaemon(true);
        if (policy.limit() > 0) monitor.start();
        if (atStart) prepareInBackground();
    }

    public SpillBuffer<Key> data() {
        return data;
    }

    public MemoryPolicy policy() {
        return policy;
    }

    public LocalDirectory directory() {
        return dir;
    }

    public boolean paused() {
        return paused;
    }

    private void watch(long intervalMs) {
        while (running) {
            try {
                Thread.sleep(intervalMs);
                check();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException | OutOfMemoryError e) {
                LOG.warn("memory monitor: {}", e.toString());
            }
        }
    }

    /** Creates the spill store on its own thread (see {@link SpillBuffer#prepareAside}). */
    private void prepareInBackground() {
        data.prepareAside();
    }


    /** One measurement and the action it calls for (the monitor thread calls this). */
    void check() {
        if (!data.prepared() && data.memoryBytes() > policy.targetBytes() / 2) prepareInBackground(); // before the first spill needs it
        try {
            if (ownsProcess) checkProcess(); // otherwise the store's target alone spills, by managed bytes
        } finally {
            logSpills();
        }
    }

    /** One "spilling" line per burst of spills (the first of a burst, then at most every 5 s). */
    private void logSpills() {
        SpillBuffer.Stats s = data.stats();
        long now = System.currentTimeMillis();
        if (s.spillCount() > loggedSpills && now - lastSpillLog >= 5000) {
            LOG.info("spilling: {} values ({} MB) on disk in {}, {} MB in memory (target {} MB); writes {} MB/s",
                    s.spilled(), s.spilledBytes() >> 20, dir, s.memoryBytes() >> 20,
                    data.target() == Long.MAX_VALUE ? "none" : data.target() >> 20, (long) (s.writeBytesPerSecond() / 1e6));
            loggedSpills = s.spillCount();
            lastSpillLog = now;
        }
    }

    private void checkProcess() {
        long managed = data.memoryBytes();
        long now = System.currentTimeMillis();
        long afterFull = recentFullGc(now); // the JVM's own full collection since the last reading, when recent
        if (afterFull >= 0) unmanaged.add(now, afterFull - managed);
        long process = measure();
        Action a = policy.decide(managed, process);
        double gc = gcLoad.sample();
        boolean thrash = thrashAt > 0 && (gc > thrashAt || thrashing && gc > thrashAt / 2); // hysteresis: resume at half
        // never restart for garbage: a reading past terminate is always checked after a collection
        boolean collected = false;
        if (a == Action.TERMINATE || a != Action.OK && process > policy.spillBytes()) {
            // the JVM's own recent full collection says it without a forced one (past terminate: always a fresh one)
            if (afterFull >= 0 && a != Action.TERMINATE) {
                collected = true;
                process = afterFull;
            } else if (a == Action.TERMINATE || now - lastGc >= GC_INTERVAL_MS) {
                System.gc(); // is it live data or garbage?
                lastGc = now;
                collected = true;
                process = measure();
                unmanaged.add(now, process - data.memoryBytes());
            }
            if (collected) {
                managed = data.memoryBytes();
                a = policy.decide(managed, process);
            }
        }
        processBytes = process;
        // terminate only when it lasts: two collected readings in a row, a monitor interval apart (a
        // spill's copies and the JDK's temporary direct buffers can spike one reading)
        terminateStrikes = a == Action.TERMINATE ? terminateStrikes + 1 : 0;
        if (a == Action.TERMINATE && terminateStrikes < 2) a = Action.PAUSE;
        if (a == Action.TERMINATE) {
            String why = "process memory " + process + " bytes is past terminate (" + fraction(policy.terminate()) + " of the "
                    + policy.limit() + "-byte limit, " + MemoryPolicy.PREFIX + "terminate)";
            running = false;
            listener.terminate(why);
            return;
        }
        if (thrash && (!thrashing || thrashSpillPending)) {
            // the heap is nearly all live: every result out to disk now, and no new task until collections calm down
            long freed = data.spillIdle(Long.MAX_VALUE);
            thrashSpillPending = !data.prepared(); // the store is still being created (aside): again at the next check
            if (!thrashSpillPending || freed > 0) LOG.info("spilling: {} % of the last {} s went to garbage collection (past {}gc-thrash {}): moved {} MB of results to disk",
                    Math.round(gc * 100), GcLoad.WINDOW_NANOS / 1_000_000_000L, MemoryPolicy.PREFIX, fraction(thrashAt), freed >> 20);
        } else if (a != Action.OK && process > policy.spillBytes() && lastProcessSpill <= lastGc) {
            long want = policy.toSpill(managed, process);
            long freed = data.spillIdle(want);
            if (freed > 0) {
                lastProcessSpill = now;
                LOG.info("spilling: process memory {} MB is past spill ({} of {} MB): moved {} MB of results to disk",
                        process >> 20, fraction(policy.spill()), policy.limit() >> 20, freed >> 20);
            }
        }
        thrashing = thrash;
        long room = policy.roomForData(unmanaged.peak(now)); // room for what tasks and transfers held lately
        if (room != data.target()) data.target(room);
        // pause only on a reading taken after a collection (garbage is not a reason to stop: a worker
        // making 10 MB tables fills its young generation between collections, and paused every other
        // reading); a reading under pause resumes at once, garbage or not
        boolean pause = thrash || a == Action.PAUSE && (collected || paused);
        if (pause != paused) {
            paused = pause;
            String why = thrash ? "garbage collection took " + Math.round(gc * 100) + " % of the last " + GcLoad.WINDOW_NANOS / 1_000_000_000L
                    + " s (past " + MemoryPolicy.PREFIX + "gc-thrash " + fraction(thrashAt) + ")"
                    : pause ? "process memory " + (process >> 20) + " MB (direct buffers " + (directBytes() >> 20) + " MB, results "
                    + (managed >> 20) + " MB) is past pause (" + fraction(policy.pause()) + " of " + (policy.limit() >> 20) + " MB)"
                    : "process memory " + (process >> 20) + " MB is back under pause";
            listener.paused(pause, why);
        }
    }

    /**
     * Process memory as the JVM's own last full collection left it (plus direct buffers now), when
     * that collection ended less than {@link #GC_INTERVAL_MS} ago and after the last reading this
     * monitor took; else -1. Counts as a collected reading, as a forced {@code System.gc()} would.
     */
    private long recentFullGc(long now) {
        GcLoad.Full f = gcLoad.lastFull();
        if (f == null) return -1;
        long endedAt = now - (GcLoad.uptimeMs() - f.endUptimeMs());
        if (now - endedAt >= GC_INTERVAL_MS || endedAt <= lastGc) return -1;
        lastGc = endedAt;
        return f.heapUsedAfter() + directBytes();
    }

    /** A threshold for a log line: 0.53, not 0.534375 (worker JVMs scale them, see {@link MemoryPolicy#within}). */
    private static String fraction(double f) {
        return String.format(java.util.Locale.ROOT, "%.2f", f);
    }

    /**
     * Heap in use plus direct NIO buffers, in bytes. Not the {@code mapped} pool: the spill store's
     * file is mapped, and counting its pages (page cache the kernel writes back) made every spill
     * look like growth until the worker restarted itself.
     */
    public static long measure() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory() + directBytes();
    }

    /** Bytes of direct NIO buffers (the JDK's per-thread temporary ones included). */
    static long directBytes() {
        long n = 0;
        for (BufferPoolMXBean b : DIRECT) n += Math.max(0, b.getMemoryUsed());
        return n;
    }

    private static final List<BufferPoolMXBean> DIRECT = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(b -> b.getName().equals("direct")).toList();

    /**
     * What the heartbeat carries (see PROTOCOL.md): {@code managed} (bytes of results in memory),
     * {@code spilled} (their managed size on disk), {@code spilled_disk} (bytes on disk),
     * {@code unmanaged} (process memory not held by results), {@code status}, spill/unspill
     * counts and spill write/read speeds in bytes per second.
     */
    public Map<String, Object> metrics() {
        SpillBuffer.Stats s = data.stats();
        long process = ownsProcess && processBytes > 0 ? processBytes : measure();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("managed", s.memoryBytes());
        m.put("spilled", s.spilledBytes());
        m.put("spilled_disk", s.diskBytes());
        m.put("unmanaged", Math.max(0, process - s.memoryBytes()));
        m.put("status", paused ? "paused" : "running");
        m.put("spill_count", s.spillCount());
        m.put("unspill_count", s.unspillCount());
        m.put("spill_write_bps", s.writeBytesPerSecond());
        m.put("spill_read_bps", s.readBytesPerSecond());
        return m;
    }

    /** Stops the monitor, drops the data and deletes the spill store and the directory. */
    @Override
    public void close() {
        running = false;
        monitor.interrupt();
        try {
            data.close();
        } finally {
            dir.close();
        }
    }
}
