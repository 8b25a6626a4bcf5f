package org.jdask.distributed;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdask.distributed.coord.TaskThreads;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.WorkerEvent;
import org.jdask.distributed.internal.WorkerInstruction;
import org.jdask.distributed.internal.WorkerInstruction.Execute;
import org.jdask.graph.Key;

/**
 * A worker's task threads: the executor its {@code Execute} instructions run on, the thread inside
 * each running task (for a cancel's interrupt), the epoch that makes a task started before a lost
 * scheduler report to no one, and the {@link TaskThreads.Host} a task sees ({@code
 * Client.current()}, {@code Worker.secede()}).
 *
 * <p>An executor thread applies its own task's completion to the worker's state and, when the
 * state machine hands out the next ready task, runs that one too: the I/O thread is only woken to
 * flush the queued {@code FINISHED} messages (one wake-up per burst), so a stream of short tasks
 * costs no thread hand-off per task.
 */
final class WorkerTasks {
    private final Worker w;
    private final int nthreads;
    /** The worker's state lock (guards {@link #epoch} changes and the done fields). */
    private final Object stateLock;
    private final TaskCompute compute;
    private final ThreadFactory threads;
    private volatile ExecutorService executor; // replaced (its threads interrupted) when the work is dropped
    /** Incremented when the work is dropped: a task started before that reports to no one. */
    private volatile int epoch;
    /** The executor thread inside each running task (for a cancel's interrupt); it is also the lock. */
    private final Map<Key, Thread> runningThreads = new HashMap<>();
    /** The task whose ExecuteDone is being applied, with its start (ms) and thread: FINISHED carries them (under the state lock). */
    private Key doneKey;
    private long doneStart;
    private int doneThread;
    /** This worker's client for tasks ({@code Client.current()} inside a task), created on first use. */
    private Client taskClient;

    WorkerTasks(Worker w, int workerNumber, int nthreads, Object stateLock, TaskCompute compute) {
        this.w = w;
        this.nthreads = nthreads;
        this.stateLock = stateLock;
        this.compute = compute;
        AtomicInteger n = new AtomicInteger();
        this.threads = r -> {
            Thread t = new Thread(r, "jdask-worker-" + workerNumber + "-exec-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.executor = TaskThreads.pool(nthreads, threads);
    }

    /** Runs {@code x} on an executor thread (dropped when the worker is closing). */
    void submit(Execute x) {
        try {
            executor.execute(() -> runTask(x));
        } catch (RejectedExecutionException e) {
            if (w.isRunning()) throw e; // otherwise the worker is closing and drops the task
        }
    }

    /** Interrupts the task {@code key} if it runs (never the next task on its thread). */
    void interrupt(Key key) {
        synchronized (runningThreads) { // under the lock the task's thread takes to leave it: never the next task
            Thread t = runningThreads.get(key);
            if (t != null) t.interrupt();
        }
    }

    /**
     * Under the state lock: a new epoch (running tasks report to no one) and a new executor;
     * returns the old one, for the caller to shut down outside the lock.
     */
    ExecutorService drop() {
        epoch++;
        ExecutorService old = executor;
        executor = TaskThreads.pool(nthreads, threads);
        return old;
    }

    void shutdown() {
        executor.shutdownNow();
    }

    /** Under the state lock: {@code FINISHED} for {@code key}, with its start and thread when its own thread reports it. */
    Messages.Finished finished(Key key, long nbytes, double seconds) {
        if (key.equals(doneKey)) {
            doneKey = null;
            return new Messages.Finished(key, nbytes, seconds, doneStart, doneThread);
        }
        return new Messages.Finished(key, nbytes, seconds, null, null);
    }

    private void runTask(Execute first) {
        Execute x = first;
        while (x != null) {
            Execute cur = x;
            x = null;
            List<WorkerInstruction> rest = runOne(cur);
            for (WorkerInstruction i : rest) {
                if (x == null && i instanceof Execute next && w.isRunning()) x = next;
                else w.execute(i);
            }
            w.wakeIo();
        }
    }

    private List<WorkerInstruction> runOne(Execute x) {
        int ep = epoch;
        synchronized (runningThreads) {
            runningThreads.put(x.key(), Thread.currentThread());
        }
        TaskThreads.enter(host, x.key()); // Client.current(), Worker.secede() inside the task
        try {
            TaskCompute.Outcome o = compute.run(x);
            synchronized (stateLock) { // the work was dropped meanwhile (a lost scheduler): nothing to report
                if (epoch == ep) return apply(o);
            }
            w.forget(x.key()); // stored by compute before the drop: nobody will ask for it
            return List.of();
        } finally {
            TaskThreads.leave();
            synchronized (runningThreads) {
                runningThreads.remove(x.key());
            }
            Thread.interrupted(); // an interrupt meant for this task must not hit the next one
        }
    }

    /** Applies what {@link TaskCompute#run} returned; a finished task's FINISHED carries its start and thread. */
    private List<WorkerInstruction> apply(TaskCompute.Outcome o) {
        Runnable before = o.stored() ? () -> {
            doneKey = o.key(); // for the dashboard's task stream
            doneStart = o.startMillis();
            doneThread = o.thread();
        } : null;
        return w.applyLocked(o.event(), System.currentTimeMillis(), before);
    }

    /** Closes the client tasks used, if any. */
    void closeClient() {
        Client tc;
        synchronized (host) {
            tc = taskClient;
            taskClient = null;
        }
        if (tc != null) tc.close();
    }

    /** What a task on this worker sees through {@link TaskThreads}. */
    final TaskThreads.Host host = new TaskThreads.Host() {
        @Override
        public void secede(Key key, boolean rejoin) {
            List<WorkerInstruction> rest = w.applyLocked(new WorkerEvent.Secede(key, rejoin), System.currentTimeMillis(), null);
            if (!rejoin) w.send(new Messages.LongRunning(key)); // the scheduler no longer counts its thread either
            for (WorkerInstruction i : rest) w.execute(i);
            w.wakeIo();
        }

        @Override
        public Client client() {
            synchronized (this) {
                if (taskClient == null) taskClient = w.taskClient();
                return taskClient;
            }
        }

        @Override
        public String describe() {
            return w.address() + " (" + nthreads + (nthreads == 1 ? " thread)" : " threads)");
        }
    };
}
