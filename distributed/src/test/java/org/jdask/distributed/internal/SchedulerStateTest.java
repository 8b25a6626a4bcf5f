package org.jdask.distributed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jdask.KilledWorkerException;
import org.jdask.distributed.internal.SchedulerEvent.*;
import org.jdask.distributed.internal.SchedulerInstruction.*;
import org.jdask.graph.Key;
import org.junit.jupiter.api.Test;

/** The scheduler state machine without sockets: events in, whole states and instructions out. */
class SchedulerStateTest extends SchedulerStateHarness {
    SchedulerStateTest() {
        super(new SchedulerState.Options(1.0, 3, 1000, 0.5, true, 1000));
    }

    static Key k(String n, int... i) {
        return Key.of(n, i);
    }

    static NewTask task(String key, String... deps) {
        List<Key> d = new ArrayList<>();
        for (String x : deps) d.add(k(x));
        return new NewTask(k(key), "spec-" + key, null, d, 0, 0, 0, null, null, "f");
    }

    /** Client c's graph of {@code n} wanted tasks {@code prefix0..}, each reading {@code deps}. */
    static UpdateGraph graph(int n, String prefix, String... deps) {
        List<NewTask> ts = new ArrayList<>();
        List<Key> wanted = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ts.add(task(prefix + i, deps));
            wanted.add(k(prefix + i));
        }
        return new UpdateGraph("c", ts, wanted, false);
    }

    /** Key -> state of every task: the whole state in one comparable value. */
    Map<String, TaskState> states() {
        Map<String, TaskState> m = new TreeMap<>();
        s.tasks().forEach((key, t) -> m.put(key.name(), t.state()));
        return m;
    }

    static List<Compute> computes(List<SchedulerInstruction> is) {
        return Instructions.only(Compute.class, is);
    }

    @Test
    void aSecededTaskFreesItsSlotAndReplicateAsksAnotherWorkerForACopy() {
        on(new AddWorker("w1", "w1", 1, Map.of()));
        List<SchedulerInstruction> is = on(new UpdateGraph("c", List.of(task("p"), task("q")), List.of(k("p"), k("q")), false));
        assertEquals(List.of(k("p")), computes(is).stream().map(Compute::key).toList()); // one slot: q waits
        is = on(new SchedulerEvent.Seceded("w1", k("p")));
        assertEquals(List.of(k("q")), computes(is).stream().map(Compute::key).toList());
        assertTrue(s.story(k("p")).toString().contains("seceded on w1"), s.story(k("p")).toString());
        on(new TaskFinished("w1", k("q"), 8, 0.01));
        on(new AddWorker("w2", "w2", 1, Map.of()));
        is = on(new SchedulerEvent.Replicate(List.of(k("q")), 5));
        assertEquals(List.of(new SchedulerInstruction.Acquire("w2", k("q"), List.of("w1"))), is);
        on(new TaskFinished("w2", k("q"), 8, 0.01));
        assertEquals(List.of("w1", "w2"), s.task(k("q")).whoHas());
        on(new TaskFinished("w1", k("p"), 8, 0.01));
    }

    @Test
    void oneTaskOfTenThousandDependenciesSpreadOverTwoWorkersRunsWithEveryHolderNamedAndReleasesThemAll() {
        on(new AddWorker("w1", "w1", 1, Map.of()));
        on(new AddWorker("w2", "w2", 1, Map.of()));
        int n = 10_000;
        List<NewTask> incs = new ArrayList<>();
        List<Key> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            incs.add(task("inc" + i));
            keys.add(k("inc" + i));
        }
        List<SchedulerInstruction> is = on(new UpdateGraph("c", incs, keys, false));
        Map<Key, String> ranOn = new HashMap<>();
        while (!computes(is).isEmpty()) { // finish whatever was sent, wherever it went, until all are done
            List<SchedulerInstruction> next = new ArrayList<>();
            for (Compute c : computes(is)) {
                ranOn.put(c.key(), c.worker());
                next.addAll(on(new TaskFinished(c.worker(), c.key(), 8, 0.0001)));
            }
            is = next;
        }
        assertEquals(n, ranOn.size());
        assertTrue(ranOn.containsValue("w1") && ranOn.containsValue("w2"), "both workers ran some");
        is = on(new UpdateGraph("c", List.of(new NewTask(k("sum"), "spec-sum", null, keys, 0, 0, 0, null, null, "sum")), List.of(k("sum")), false));
        assertEquals(1, computes(is).size());
        Compute sum = computes(is).get(0);
        assertEquals(n, sum.whoHas().size());
        for (Key key : keys) assertEquals(List.of(ranOn.get(key)), sum.whoHas().get(key), key::toString);
        assertEquals(keys, s.task(k("sum")).dependencies()); // argument order kept
        assertEquals(TaskState.PROCESSING, s.stateOf(k("sum")));
        // the client lets go of the inputs: they stay (sum needs them) until sum is done, then go
        on(new ReleaseKeys("c", keys));
        assertEquals(TaskState.MEMORY, s.stateOf(keys.get(n - 1)));
        on(new TaskFinished(sum.worker(), k("sum"), 8, 0.01));
        Map<TaskState, Integer> counts = new TreeMap<>();
        states().values().forEach(st -> counts.merge(st, 1, Integer::sum));
        // the inputs' data is released (kept as specs: sum, in memory, depends on them), sum is held
        assertEquals(Map.of(TaskState.MEMORY, 1, TaskState.RELEASED, n), counts);
        assertEquals(TaskState.MEMORY, s.stateOf(k("sum")));
    }

    @Test
    void chainRunsToMemoryAndIntermediatesAreForgotten() {
        on(new AddWorker("w1", "w1", 1, Map.of()));
        List<SchedulerInstruction> is = on(new UpdateGraph("c", List.of(task("a"), task("b", "a"), task("c", "b")), List.of(k("c")), false));
        assertEquals(List.of(k("a")), computes(is).stream().map(Compute::key).toList());
        assertEquals(Map.of("a", TaskState.PROCESSING, "b", TaskState.WAITING, "c", TaskState.WAITING), states());

        is = on(new TaskFinished("w1", k("a"), 8, 0.01));
        assertEquals(Map.of("a", TaskState.MEMORY, "b", TaskState.PROCESSING, "c", TaskState.WAITING), states());
        Compute cb = computes(is).get(0);
        assertEquals(Map.of(k("a"), List.of("w1")), cb.whoHas());

        is = on(new TaskFinished("w1", k("b"), 8, 0.01));
        // a is released and forgotten once b no longer needs it; its worker is told to free it
        assertTrue(is.contains(new Free("w1", List.of(k("a")))), is.toString());
        // released, not forgotten: b may still need it recomputed if b's worker dies
        assertEquals(Map.of("a", TaskState.RELEASED, "b", TaskState.MEMORY, "c", TaskState.PROCESSING), states());

        is = on(new TaskFinished("w1", k("c"), 8, 0.01));
        assertTrue(is.contains(new Report("c", k("c"), ReportKind.MEMORY, List.of("w1"), null, null)), is.toString());
        assertEquals(Map.of("a", TaskState.RELEASED, "b", TaskState.RELEASED, "c", TaskState.MEMORY), states());

        is = on(new ReleaseKeys("c", List.of(k("c"))));
        assertEquals(List.of(new Free("w1", List.of(k("c")))), is);
        assertEquals(Map.of(), states());
        List<String> story = s.story(k("b")).stream().map(e -> e.from() + "->" + e.to()).toList();
        assertEquals(List.of("RELEASED->WAITING", "WAITING->PROCESSING", "PROCESSING->MEMORY", "MEMORY->RELEASED",
                "RELEASED->FORGOTTEN"), story);
    }

    @Test
    void rootTasksAreQueuedBeyondSaturationAndFedAsSlotsFree() {
        on(new AddWorker("w1", "w1", 1, Map.of()));
        on(new AddWorker("w2", "w2", 1, Map.of()));
        List<SchedulerInstruction> is = on(graph(5, "x"));
        assertEquals(2, computes(is).size());
        assertEquals(List.of(k("x2"), k("x3"), k("x4")), s.queuedKeys());
        String w = computes(is).get(0).worker();
        is = on(new TaskFinished(w, computes(is).get(0).key(), 8, 0.01));
        assertEquals(List.of(k("x2")), computes(is).stream().map(Compute::key).toList());
        assertEquals(w, computes(is).get(0).worker());
        assertEquals(List.of(k("x3"), k("x4")), s.queuedKeys());
    }

    @Test
    void rootTasksKnownToBeShortFillAWorkerUpToTheTimeTarget() {
        // unknown durations count 4 s; 1 s of estimated work per thread beyond the one saturation slot
        s = new SchedulerState(new SchedulerState.Options(1.0, 3, 1000, 4.0, true, 1000, 1.0));
        on(new AddWorker("w1", "w1", 1, Map.of()));
        // the duration of "f" is unknown: one slot only
        List<SchedulerInstruction> is = on(graph(10, "x"));
        assertEquals(List.of(k("x0")), computes(is).stream().map(Compute::key).toList());
        // x0 took 0.25 s: the slot plus 1 s / 0.25 s = 3 more tasks of "f" go out, the rest stay queued
        is = on(new TaskFinished("w1", k("x0"), 8, 0.25));
        assertEquals(List.of(k("x1"), k("x2"), k("x3"), k("x4")), computes(is).stream().map(Compute::key).toList());
        assertEquals(List.of(k("x5"), k("x6"), k("x7"), k("x8"), k("x9")), s.queuedKeys());
        assertEquals(4, s.workers().get("w1").processingCount());
        // x1 took 1.75 s: "f" now averages 1 s, 0.75 s are estimated on the worker, so nothing more fits
        is = on(new TaskFinished("w1", k("x1"), 8, 1.75));
        assertEquals(List.of(), computes(is));
        assertEquals(List.of(k("x5"), k("x6"), k("x7"), k("x8"), k("x9")), s.queuedKeys());
        assertEquals(3, s.workers().get("w1").processingCount());
    }

    @Test
    void localityPutsATaskWhereItsBigInputIs() {
        on(new AddWorker("w1", "w1", 1, Map.of()));
        on(new AddWorker("w2", "w2", 1, Map.of()));
        on(new UpdateData("c", List.of(new Scattered(k("big"), List.of("w2"), 500_000_000L),
                new Scattered(k("small"), List.of("w1"), 10))));
        List<SchedulerInstruction> is = on(new UpdateGraph("c", List.of(task("f", "big", "small")), List.of(k("f")), false));
        assertEquals("w2", computes(is).get(0).worker());
        // an idle third worker holding nothing is passed over for the holders; among holders, the
        // one missing fewer bytes wins, counting an input held on both (replica) for both
        on(new AddWorker("w3", "w3", 1, Map.of()));
        on(new UpdateData("c", List.of(new Scattered(k("mid"), List.of("w1", "w2"), 300), new Scattered(k("x"), List.of("w1"), 200))));
        is = on(new UpdateGraph("c", List.of(task("g", "mid", "x", "small")), List.of(k("g")), false));
        assertEquals("w1", computes(is).get(0).worker());
        on(new TaskFinished("w2", k("f"), 8, 0.01)); // w2 idle, w1 runs g
        is = on(new UpdateGraph("c", List.of(task("h", "mid")), List.of(k("h")), false)); // both hold it: the less busy one
        assertEquals("w2", computes(is).get(0).worker());
    }

    @Test
    void erredTaskErrsItsDependentsAndReportsTheBlame() {
        on(new AddWorker("w1", "w1", 1, Map.of()));
        on(new UpdateGraph("c", List.of(task("a"), task("b", "a"), task("c", "b")), List.of(k("c")), false));
        List<SchedulerInstruction> is = on(new TaskErred("w1", k("a"), "boom"));
        assertEquals(Map.of("a", TaskState.ERRED, "b", TaskState.ERRED, "c", TaskState.ERRED), states());
        assertTrue(is.contains(new Report("c", k("c"), ReportKind.ERRED, List.of(), "boom", k("a"))), is.toString());
        on(new ReleaseKeys("c", List.of(k("c"))));
        assertEquals(Map.of(), states());
    }

    @Test
    void retriesRunTheTaskAgain() {
        on(new AddWorker("w1", "w1", 1, Map.of()));
        NewTask t = new NewTask(k("r"), "spec", null, List.of(), 0, 0, 1, null, null, "f");
        on(new UpdateGraph("c", List.of(t), List.of(k("r")), false));
        List<SchedulerInstruction> is = on(new TaskErred("w1", k("r"), "flaky"));
        assertEquals(1, computes(is).size());
        assertEquals(Map.of("r", TaskState.PROCESSING), states());
        on(new TaskErred("w1", k("r"), "flaky again"));
        assertEquals(Map.of("r", TaskState.ERRED), states());
    }

    @Test
    void lostWorkerReschedulesRunningTasksAndRecomputesLostResults() {
        on(new AddWorker("w1", "w1", 1, Map.of()));
        on(new AddWorker("w2", "w2", 1, Map.of()));
        on(new UpdateGraph("c", List.of(task("a"), task("b", "a"), task("d"), task("e", "d")), List.of(k("b"), k("e")), false));
        // a and d are roots: one per worker
        Map<String, String> where = new HashMap<>();
        for (var t : s.tasks().values()) if (t.processingOn() != null) where.put(t.key().name(), t.processingOn());
        String wa = where.get("a");
        on(new TaskFinished(wa, k("a"), 8, 0.01));
        assertEquals(TaskState.PROCESSING, s.stateOf(k("b")));
        String wb = s.task(k("b")).processingOn();
        assertEquals(wa, wb); // locality: b goes where a is
        List<SchedulerInstruction> is = on(new RemoveWorker(wa, "killed"));
        // a held only on the dead worker and needed by b: recomputed; b rescheduled after it
        String other = wa.equals("w1") ? "w2" : "w1";
        // the survivor is busy with d (one slot), so the root a waits in the queue
        assertEquals(Map.of("a", TaskState.QUEUED, "b", TaskState.WAITING, "d", TaskState.PROCESSING,
                "e", TaskState.WAITING), states());
        assertEquals(1, s.task(k("b")).suspicious());
        on(new TaskFinished(other, k("d"), 8, 0.01));
        assertEquals(other, s.task(k("e")).processingOn()); // e (not a root) is not held back
        is = on(new TaskFinished(other, k("e"), 8, 0.01));
        assertEquals(other, s.task(k("a")).processingOn());
        assertTrue(computes(is).stream().anyMatch(c -> c.key().equals(k("a")) && c.worker().equals(other)), is.toString());
        on(new TaskFinished(other, k("a"), 8, 0.01));
        assertEquals(TaskState.PROCESSING, s.stateOf(k("b")));
    }

    @Test
    void aTaskThatKillsFourWorkersErrsWithKilledWorkerException() {
        for (int i = 0; i < 5; i++) on(new AddWorker("w" + i, "w" + i, 1, Map.of()));
        on(new UpdateGraph("c", List.of(task("bad")), List.of(k("bad")), false));
        List<SchedulerInstruction> is = List.of();
        for (int i = 0; i < 3; i++) on(new RemoveWorker(s.task(k("bad")).processingOn(), "killed"));
        assertEquals(TaskState.PROCESSING, s.stateOf(k("bad")), "allowed-failures (3) deaths are retried, as in Dask");
        is = on(new RemoveWorker(s.task(k("bad")).processingOn(), "killed"));
        assertEquals(TaskState.ERRED, s.stateOf(k("bad")));
        Report r = (Report) is.stream().filter(x -> x instanceof Report).findFirst().orElseThrow();
        KilledWorkerException e = assertInstanceOf(KilledWorkerException.class, r.exception());
        assertEquals(k("bad"), e.key());
        assertEquals(4, e.workers().size());
    }

    /** Issue 20 item 1: tasks queued behind the running ones on a dying worker are not suspects. */
    @Test
    void onlyTasksThatMayHaveBeenRunningCountADeath() {
        on(new AddWorker("w1", "w1", 1, Map.of()));
        on(new UpdateGraph("c", List.of(task("a"), task("x", "a"), task("y", "a"), task("z", "a")), List.of(k("x"), k("y"), k("z")), false));
        on(new TaskFinished("w1", k("a"), 8, 0.01));
        assertEquals(3, s.workers().get("w1").processingCount(), s.workers().toString()); // one thread: 1 runs, 2 wait there
        on(new AddWorker("w2", "w2", 1, Map.of()));
        on(new RemoveWorker("w1", "killed"));
        int suspects = 0;
        for (String k : List.of("x", "y", "z")) suspects += s.task(k(k)).suspicious();
        assertEquals(1, suspects, "only the one task that can have been running on a 1-thread worker");
    }

    @Test
    void restrictionsAndResources() {
        on(new AddWorker("w1", "alice", 1, Map.of()));
        on(new AddWorker("w2", "bob", 1, Map.of("GPU", 1.0)));
        NewTask gpu = new NewTask(k("g"), "s", null, List.of(), 0, 0, 0, null, Map.of("GPU", 1.0), "f");
        NewTask onAlice = new NewTask(k("a"), "s", null, List.of(), 0, 0, 0, Set.of("alice"), null, "f");
        NewTask nowhere = new NewTask(k("n"), "s", null, List.of(), 0, 0, 0, Set.of("carol"), null, "f");
        List<SchedulerInstruction> is = on(new UpdateGraph("c", List.of(gpu, onAlice, nowhere), List.of(k("g"), k("a"), k("n")), false));
        Map<Key, String> placed = new LinkedHashMap<>();
        for (Compute c : computes(is)) placed.put(c.key(), c.worker());
        assertEquals(Map.of(k("g"), "w2", k("a"), "w1"), placed);
        assertEquals(TaskState.NO_WORKER, s.stateOf(k("n")));
        is = on(new AddWorker("w3", "carol", 1, Map.of()));
        assertEquals(List.of(new Compute("w3", k("n"), "s", null, Map.of(), s.task(k("n")).prio, Map.of())), computes(is));
    }

    @Test
    void cancelStopsWorkNobodyNeedsAndTellsTheClient() {
        on(new AddWorker("w1", "w1", 1, Map.of()));
        on(new UpdateGraph("c", List.of(task("a"), task("b", "a")), List.of(k("b")), false));
        List<SchedulerInstruction> is = on(new CancelKeys("c", List.of(k("b"))));
        assertTrue(is.contains(new Report("c", k("b"), ReportKind.CANCELLED, List.of(), null, null)));
        assertTrue(is.contains(new Free("w1", List.of(k("a")))));
        assertEquals(Map.of(), states());
    }

    /** Issue 20 item 2: cancelling a key cancels what depends on it (it could never run). */
    @Test
    void cancellingAKeyCancelsItsDependents() {
        on(new AddWorker("w1", "w1", 1, Map.of()));
        on(new UpdateGraph("c", List.of(task("a"), task("b", "a"), task("c", "b")), List.of(k("a"), k("c")), false));
        List<SchedulerInstruction> is = on(new CancelKeys("c", List.of(k("a"))));
        List<Key> cancelled = new ArrayList<>();
        for (SchedulerInstruction i : is) if (i instanceof Report r && r.kind() == ReportKind.CANCELLED) cancelled.add(r.key());
        assertEquals(Set.of(k("a"), k("c")), Set.copyOf(cancelled));
        assertEquals(Map.of(), states());
        assertEquals(List.of(), computes(is));
    }

    @Test
    void aCancelledRunningTaskKeepsItsThreadTakenUntilTheWorkerConfirms() {
        on(new AddWorker("w1", "w1", 1, Map.of()));
        on(new UpdateGraph("c", List.of(task("long")), List.of(k("long")), false));
        List<SchedulerInstruction> is = on(new CancelKeys("c", List.of(k("long"))));
        assertTrue(is.contains(new Free("w1", List.of(k("long")))), is.toString());
        // saturation 1.0: one slot, still taken by the thread inside "long"
        is = on(new UpdateGraph("c", List.of(task("next")), List.of(k("next")), false));
        assertEquals(List.of(), computes(is));
        assertEquals(List.of(k("next")), s.queuedKeys());
        is = on(new TaskReleased("w1", k("long")));
        assertEquals(List.of(k("next")), computes(is).stream().map(Compute::key).toList());
        on(new TaskFinished("w1", k("next"), 8, 0.01));
        assertEquals(Map.of("next", TaskState.MEMORY), states());
    }

    /**
     * Issue 20 item 0: a worker finished "a" just before the scheduler freed it, then computed it
     * again when it was wanted again; its second FINISHED is its current copy, never freed.
     */
    @Test
    void aSecondFinishedFromAHolderKeepsItsCopy() {
        on(new AddWorker("w1", "w1", 2, Map.of()));
        on(new UpdateGraph("c", List.of(task("a")), List.of(k("a")), false));
        on(new ReleaseKeys("c", List.of(k("a"))));
        List<SchedulerInstruction> is = on(new UpdateGraph("c", List.of(task("a")), List.of(k("a")), false));
        assertEquals(List.of(k("a")), computes(is).stream().map(Compute::key).toList());
        on(new TaskFinished("w1", k("a"), 8, 0.01)); // the first run's report, sent before the free arrived
        is = on(new TaskFinished("w1", k("a"), 8, 0.01)); // the second run's
        assertEquals(List.of(), is.stream().filter(i -> i instanceof Free).toList());
        assertEquals(List.of("w1"), s.task(k("a")).whoHas());
        assertEquals(Map.of("a", TaskState.MEMORY), states());
    }

    @Test
    void heartbeatTimeoutRemovesASilentWorker() {
        on(new AddWorker("w1", "w1", 1, Map.of()));
        on(new AddWorker("w2", "w2", 1, Map.of()));
        now = 800;
        on(new Heartbeat("w2"));
        now = 1500;
        List<SchedulerInstruction> is = on(new Tick());
        assertEquals(List.of(new CloseWorker("w1", "no heartbeat for 1000 ms")), is);
        assertEquals(Set.of("w2"), s.workers().keySet());
    }

    /** Submits t0..t3, each reading {@code dep}. */
    void fourTasksReading(String dep) {
        on(graph(4, "t", dep));
    }

    @Test
    void workStealingMovesUnstartedTasksOnlyAfterTheVictimAgrees() {
        on(new AddWorker("w1", "w1", 1, Map.of()));
        on(new UpdateData("c", List.of(new Scattered(k("d"), List.of("w1"), 8))));
        fourTasksReading("d");
        assertEquals(4, s.workers().get("w1").processing().size());
        on(new AddWorker("w2", "w2", 1, Map.of()));
        List<SchedulerInstruction> is = on(new Tick());
        Steal st = (Steal) is.stream().filter(x -> x instanceof Steal).findFirst().orElseThrow();
        is = on(new StealResponse("w1", st.key(), true));
        assertEquals(List.of(new Compute("w2", st.key(), "spec-" + st.key().name(), null, Map.of(k("d"), List.of("w1")),
                s.task(st.key()).prio, Map.of())), is);
        assertEquals("w2", s.task(st.key()).processingOn());
        // a refused steal leaves the task where it is
        on(new TaskFinished("w2", st.key(), 1, 0.1));
        assertEquals(List.of(), s.validate());
    }

    @Test
    void aPausedWorkersQueuedTasksAreStolenEvenWhenMovingTheirInputIsCostly() {
        on(new AddWorker("w1", "w1", 1, Map.of()));
        on(new UpdateData("c", List.of(new Scattered(k("d"), List.of("w1"), 500_000_000)))); // seconds to move
        fourTasksReading("d");
        on(new AddWorker("w2", "w2", 1, Map.of()));
        assertTrue(on(new Tick()).stream().noneMatch(x -> x instanceof Steal), "a 500 MB input is not worth moving for a short task");
        on(new SchedulerEvent.WorkerStatus("w1", true)); // w1 paused (memory): its queue would wait for its memory
        assertTrue(on(new Tick()).stream().anyMatch(x -> x instanceof Steal), "the idle worker takes a paused worker's queued tasks");
        assertEquals(List.of(), s.validate());
    }

    @Test
    void unknownDependencyIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> on(new UpdateGraph("c", List.of(task("b", "zzz")), List.of(k("b")), false)));
        assertTrue(e.getMessage().contains("'zzz'") && e.getMessage().contains("'b'"), e.getMessage());
        assertEquals(Map.of(), states()); // refused before anything changed
    }

    /** A refused update changes nothing: no task, no client interest, no log line; a good resubmit then runs. */
    @Test
    void aRefusedUpdateLeavesNoTraceAndAGoodResubmitRuns() {
        on(new AddWorker("w1", "w1", 1, Map.of()));
        on(new UpdateGraph("c", List.of(task("a")), List.of(k("a")), false));
        on(new TaskFinished("w1", k("a"), 8, 0.1));
        Map<String, TaskState> before = states();
        assertThrows(IllegalArgumentException.class,
                () -> on(new UpdateGraph("c", List.of(task("b", "a"), task("c", "b", "zzz")), List.of(k("c")), false)));
        assertThrows(IllegalArgumentException.class,
                () -> on(new UpdateGraph("c", List.of(task("d")), List.of(k("d"), k("nowhere")), false)));
        assertEquals(before, states());
        assertEquals(List.of(), s.story(k("b")));
        assertEquals(List.of(), s.story(k("d")));
        List<Compute> cs = computes(on(new UpdateGraph("c", List.of(task("b", "a"), task("c", "b")), List.of(k("c")), false)));
        assertEquals(List.of(k("b")), cs.stream().map(Compute::key).toList());
        assertEquals(Map.of("a", TaskState.MEMORY, "b", TaskState.PROCESSING, "c", TaskState.WAITING), states());
    }

    @Test
    void transitionTableRejectsJumps() {
        assertTrue(TaskState.allowed(TaskState.PROCESSING, TaskState.MEMORY));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TaskState.check(k("x"), TaskState.RELEASED, TaskState.PROCESSING));
        assertTrue(e.getMessage().contains("RELEASED -> PROCESSING"), e.getMessage());
    }

    @Test
    void restartForgetsEverythingClosesEveryWorkerAndCancelsEveryClientsKeys() {
        on(new AddWorker("w1", "w1", 1, Map.of()));
        on(new AddWorker("w2", "w2", 1, Map.of()));
        on(new UpdateGraph("c1", List.of(task("a"), task("b", "a")), List.of(k("b")), false));
        on(new UpdateGraph("c2", List.of(task("x")), List.of(k("x")), false));
        on(new TaskFinished("w1", k("a"), 8, 0.01));
        on(new UpdateData("c2", List.of(new Scattered(k("s"), List.of("w2"), 16))));
        List<SchedulerInstruction> is = on(new Restart("c1"));
        String why = "by restart (requested by c1)";
        assertEquals(List.of(), s.tasks().keySet().stream().toList());
        assertEquals(Map.of(), s.workers());
        assertEquals(List.of(), s.queuedKeys());
        List<SchedulerInstruction> closes = is.stream().filter(i -> i instanceof CloseWorker).toList();
        assertEquals(List.of(new CloseWorker("w1", SchedulerInstruction.RESTART), new CloseWorker("w2", SchedulerInstruction.RESTART)), closes);
        Set<Report> reports = new java.util.HashSet<>();
        for (SchedulerInstruction i : is) if (i instanceof Report r) reports.add(r);
        assertEquals(Set.of(new Report("c1", k("b"), ReportKind.CANCELLED, List.of(), why, null),
                new Report("c2", k("x"), ReportKind.CANCELLED, List.of(), why, null),
                new Report("c2", k("s"), ReportKind.CANCELLED, List.of(), why, null)), reports);
        assertTrue(s.story(k("a")).get(s.story(k("a")).size() - 1).toString().contains("restart requested by c1"), s.story(k("a")).toString());
        // the scheduler works as new afterwards: new workers, the same keys computed again
        on(new AddWorker("w3", "w3", 1, Map.of()));
        List<SchedulerInstruction> again = on(new UpdateGraph("c1", List.of(task("a"), task("b", "a")), List.of(k("b")), false));
        assertEquals(List.of(k("a")), computes(again).stream().map(Compute::key).toList());
        assertEquals("w3", computes(again).get(0).worker());
    }
}
