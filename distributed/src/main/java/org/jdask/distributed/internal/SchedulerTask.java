package org.jdask.distributed.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdask.graph.Key;

/** Scheduler-side record of one task. Fields are package-visible for the shell and tests. */
public final class SchedulerTask {
    final Key key;
    TaskState state = TaskState.RELEASED;
    Object spec, config;
    String prefix;
    Prio prio;
    int retries;
    Set<String> workerRestrictions = Set.of();
    Map<String, Double> resources = Map.of();
    final List<SchedulerTask> deps = new ArrayList<>(2);
    final Set<SchedulerTask> dependents = new HashSet<>(2);
    /** Dependencies not yet in memory (while WAITING). */
    final Set<SchedulerTask> waitingOn = new HashSet<>(2);
    /** Dependents that still need this task's value. */
    final Set<SchedulerTask> waiters = new HashSet<>(2);
    final Set<String> whoWants = new HashSet<>(1);
    final Set<SchedulerWorker> whoHas = new LinkedHashSet<>(1);
    SchedulerWorker processingOn;
    long nbytes = -1;
    int suspicious;
    final List<String> killedOn = new ArrayList<>(0);
    Object exception;
    Key blame;
    String reportTo;
    /** Thief chosen for an in-flight steal request. */
    SchedulerWorker stealTo;

    SchedulerTask(Key key) {
        this.key = key;
    }

    public Key key() {
        return key;
    }

    public TaskState state() {
        return state;
    }

    public long nbytes() {
        return nbytes;
    }

    /** The workers holding it, not to be modified: a task held by one worker shares that worker's one-address list. */
    public List<String> whoHas() {
        if (whoHas.size() == 1) return whoHas.iterator().next().onlyHere;
        List<String> out = new ArrayList<>(whoHas.size());
        for (SchedulerWorker w : whoHas) out.add(w.address);
        return out;
    }

    public String processingOn() {
        return processingOn == null ? null : processingOn.address;
    }

    public Set<String> whoWants() {
        return Set.copyOf(whoWants);
    }

    public int suspicious() {
        return suspicious;
    }

    /** The function name the client gave (e.g. {@code inc}); null for scattered data. */
    public String prefix() {
        return prefix;
    }

    /** Keys this task depends on, in argument order. */
    public List<Key> dependencies() {
        List<Key> out = new ArrayList<>(deps.size());
        for (SchedulerTask d : deps) out.add(d.key);
        return out;
    }

    @Override
    public String toString() {
        return key + "[" + state + "]";
    }
}
