package org.jdask.distributed.internal;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdask.graph.Key;

/** Scheduler-side record of one worker. */
public final class SchedulerWorker {
    final String address, name;
    /** {@code [address]}, shared by every task held here alone ({@link SchedulerTask#whoHas()}): no list per task. */
    final List<String> onlyHere;
    final int nthreads, number;
    final Map<String, Double> resources;
    /** Bytes the worker may use (its JVM's -Xmx), 0 if none was given; for the memory manager. */
    final long memoryLimit;
    /** Transition reasons naming this worker, built once (not a string per task of a 10,000-task map). */
    final String finishedHere, slotFreeHere;
    /** Tasks sent to it and not finished, with their estimated durations (seconds). */
    final Map<SchedulerTask, Double> processing = new LinkedHashMap<>();
    /** Tasks dropped (cancelled, released) while processing here, until the worker confirms they stopped. */
    final Set<Key> releasing = new HashSet<>(0);
    final Set<SchedulerTask> hasWhat = new HashSet<>();
    double occupancy;
    long nbytes;
    long lastSeen;
    /** Its memory manager paused it: it gets no new task until it resumes. */
    boolean paused;
    /** Being retired: gets no new task, its results move elsewhere, then it is closed. */
    boolean retiring;

    SchedulerWorker(String address, String name, int nthreads, int number, Map<String, Double> resources, long memoryLimit, long now) {
        this.memoryLimit = memoryLimit;
        this.address = address;
        this.onlyHere = List.of(address);
        this.finishedHere = "finished on " + address;
        this.slotFreeHere = "slot free on " + address;
        this.name = name;
        this.nthreads = nthreads;
        this.number = number;
        this.resources = Map.copyOf(resources);
        this.lastSeen = now;
    }

    public String address() {
        return address;
    }

    /** Bytes the worker may use, 0 if no limit was given. */
    public long memoryLimit() {
        return memoryLimit;
    }

    public int nthreads() {
        return nthreads;
    }

    public int number() {
        return number;
    }

    public double occupancy() {
        return occupancy;
    }

    public long nbytes() {
        return nbytes;
    }

    public Set<Key> processing() {
        Set<Key> out = new LinkedHashSet<>();
        for (SchedulerTask t : processing.keySet()) out.add(t.key);
        return out;
    }

    public int processingCount() {
        return processing.size();
    }

    /** Tasks processing here that seceded (they wait on other tasks): their threads do not count. */
    final Set<SchedulerTask> seceded = new HashSet<>(0);

    /** Threads taken: tasks processing here (but not seceded) plus dropped tasks the worker has not confirmed stopping. */
    int busy() {
        if (!seceded.isEmpty()) seceded.retainAll(processing.keySet());
        return processing.size() - seceded.size() + releasing.size();
    }

    public int keyCount() {
        return hasWhat.size();
    }

    public String name() {
        return name;
    }

    /** {@code "paused"} while its memory manager holds it back, else {@code "running"}. */
    public String status() {
        return retiring ? "closing" : paused ? "paused" : "running";
    }

    /** Keys held only here that cannot be recomputed (scattered data): retiring this worker loses them. */
    public int soleCount() {
        int n = 0;
        for (SchedulerTask t : hasWhat) if (t.spec == null && t.whoHas.size() == 1) n++;
        return n;
    }

    public Set<Key> hasWhat() {
        Set<Key> out = new HashSet<>();
        for (SchedulerTask t : hasWhat) out.add(t.key);
        return out;
    }

    @Override
    public String toString() {
        return "Worker(" + address + ", " + nthreads + " threads, " + processing.size() + " processing, "
                + hasWhat.size() + " keys)";
    }
}
