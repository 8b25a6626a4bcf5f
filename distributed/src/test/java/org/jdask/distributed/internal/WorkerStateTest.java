package org.jdask.distributed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.jdask.distributed.internal.WorkerEvent.*;
import org.jdask.distributed.internal.WorkerInstruction.*;
import org.jdask.distributed.internal.WorkerState.State;
import org.jdask.graph.Key;
import org.junit.jupiter.api.Test;

/** The worker state machine without sockets or threads. */
class WorkerStateTest {
    final WorkerState w = new WorkerState(1, Map.of("GPU", 1.0), 1000);
    static final Prio P0 = new Prio(0, 0, 0), P1 = new Prio(0, 0, 1), HIGH = new Prio(5, 9, 9);

    static Key k(String n) {
        return Key.of(n);
    }

    List<WorkerInstruction> on(WorkerEvent e) {
        return w.handle(e, 0);
    }

    @Test
    void fetchesInputsGroupedByPeerThenRunsThenDropsFetchedCopies() {
        List<WorkerInstruction> is = on(new Compute(k("t"), "spec", null,
                Map.of(k("a"), List.of("p1"), k("b"), List.of("p1")), P0, Map.of()));
        assertEquals(1, is.size());
        Fetch f = (Fetch) is.get(0);
        assertEquals("p1", f.from());
        assertEquals(java.util.Set.of(k("a"), k("b")), java.util.Set.copyOf(f.keys()));
        assertEquals(Map.of(k("t"), State.WAITING, k("a"), State.FLIGHT, k("b"), State.FLIGHT), w.states());
        is = on(new FetchDone("p1", List.of(k("a"), k("b")), List.of()));
        assertEquals(List.of(new Execute(k("t"), "spec", null)), is);
        is = on(new ExecuteDone(k("t"), 16, 0.1));
        assertEquals(3, is.size());
        assertEquals(new Finished(k("t"), 16, 0.1), is.get(0));
        assertEquals(Map.of(k("t"), State.MEMORY), w.states());
        is = on(new Free(List.of(k("t"))));
        assertEquals(List.of(new Drop(List.of(k("t")))), is);
        assertEquals(Map.of(), w.states());
    }

    @Test
    void aTaskWithManyInputsFromTwoPeersBecomesReadyOnceAllArrived() {
        Map<Key, List<String>> inputs = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 2000; i++) inputs.put(k("x" + i), List.of(i % 2 == 0 ? "p1" : "p2"));
        List<WorkerInstruction> is = on(new Compute(k("sum"), "s", null, inputs, P0, Map.of()));
        assertEquals(2, is.size()); // one fetch per peer
        List<Key> even = new java.util.ArrayList<>(), odd = new java.util.ArrayList<>();
        for (int i = 0; i < 2000; i++) (i % 2 == 0 ? even : odd).add(k("x" + i));
        is = on(new FetchDone("p1", even, List.of()));
        assertEquals(List.of(), is);
        assertEquals(State.WAITING, w.stateOf(k("sum")));
        is = on(new FetchDone("p2", odd, List.of()));
        assertEquals(List.of(new Execute(k("sum"), "s", null)), is);
        assertEquals(State.EXECUTING, w.stateOf(k("sum")));
        assertEquals(2001, w.states().size());
    }

    @Test
    void oneThreadRunsReadyTasksInPriorityOrder() {
        on(new Compute(k("low"), "s", null, Map.of(), P1, Map.of()));
        on(new Compute(k("mid"), "s", null, Map.of(), P0, Map.of()));
        List<WorkerInstruction> is = on(new Compute(k("high"), "s", null, Map.of(), HIGH, Map.of()));
        assertEquals(List.of(), is); // "low" already runs
        is = on(new ExecuteDone(k("low"), 1, 0));
        assertEquals(List.of(new Finished(k("low"), 1, 0), new Execute(k("high"), "s", null)), is);
    }

    @Test
    void aSecededTaskFreesItsThreadAndItsEndDoesNotFreeASecondOne() {
        on(new Compute(k("parent"), "s", null, Map.of(), P0, Map.of()));
        assertEquals(List.of(), on(new Compute(k("child"), "s", null, Map.of(), P1, Map.of())));
        assertEquals(List.of(new Execute(k("child"), "s", null)), on(new Secede(k("parent"), false)));
        assertEquals(List.of(), on(new Secede(k("parent"), false))); // twice is once
        assertEquals(1, w.executing());
        on(new Compute(k("later"), "s", null, Map.of(), HIGH, Map.of()));
        assertEquals(List.of(new Finished(k("parent"), 1, 0)), on(new ExecuteDone(k("parent"), 1, 0)));
        assertEquals(List.of(new Finished(k("child"), 1, 0), new Execute(k("later"), "s", null)), on(new ExecuteDone(k("child"), 1, 0)));
        on(new Secede(k("later"), false));
        on(new Secede(k("later"), true)); // rejoined: counts again
        assertEquals(1, w.executing());
    }

    @Test
    void missingInputOnEveryPeerDropsTheTaskAndTellsTheScheduler() {
        on(new Compute(k("t"), "s", null, Map.of(k("a"), List.of("p1", "p2")), P0, Map.of()));
        List<WorkerInstruction> is = on(new FetchDone("p1", List.of(), List.of(k("a"))));
        assertEquals(List.of(new Fetch("p2", List.of(k("a")))), is);
        is = on(new FetchDone("p2", List.of(), List.of(k("a"))));
        assertEquals(List.of(new Missing(k("t"), k("a"), "p2")), is);
        assertEquals(Map.of(), w.states());
    }

    @Test
    void stealOnlyUnstartedTasksAndDropResultsOfFreedRunningTasks() {
        on(new Compute(k("run"), "s", null, Map.of(), P0, Map.of()));
        on(new Compute(k("wait"), "s", null, Map.of(), P1, Map.of()));
        assertEquals(List.of(new StealAnswer(k("run"), false)), on(new Steal(k("run"))));
        assertEquals(List.of(new StealAnswer(k("wait"), true)), on(new Steal(k("wait"))));
        // a freed running task is interrupted (once), and its end confirmed to the scheduler
        assertEquals(List.of(new Interrupt(k("run"))), on(new Free(List.of(k("run")))));
        assertEquals(List.of(), on(new Free(List.of(k("run")))));
        assertEquals(List.of(new Drop(List.of(k("run"))), new Released(k("run"))), on(new ExecuteDone(k("run"), 1, 0)));
        assertEquals(Map.of(), w.states());
    }

    @Test
    void aFreedQueuedTaskIsConfirmedAtOnceAndAFailedFreedTaskToo() {
        on(new Compute(k("run"), "s", null, Map.of(), P0, Map.of()));
        on(new Compute(k("queued"), "s", null, Map.of(), P1, Map.of()));
        assertEquals(List.of(new Released(k("queued"))), on(new Free(List.of(k("queued")))));
        assertEquals(List.of(new Interrupt(k("run"))), on(new Free(List.of(k("run")))));
        assertEquals(List.of(new Released(k("run"))), on(new ExecuteFailed(k("run"), "interrupted")));
        assertEquals(Map.of(), w.states());
    }

    @Test
    void resourcesLimitConcurrency() {
        WorkerState two = new WorkerState(2, Map.of("GPU", 1.0), 100);
        List<WorkerInstruction> a = two.handle(new Compute(k("g1"), "s", null, Map.of(), P0, Map.of("GPU", 1.0)), 0);
        List<WorkerInstruction> b = two.handle(new Compute(k("g2"), "s", null, Map.of(), P1, Map.of("GPU", 1.0)), 0);
        assertEquals(1, a.size());
        assertEquals(List.of(), b); // a free thread, but no free GPU
        assertEquals(List.of(new Finished(k("g1"), 1, 0), new Execute(k("g2"), "s", null)),
                two.handle(new ExecuteDone(k("g1"), 1, 0), 0));
    }

    @Test
    void failureIsReportedAndForgotten() {
        on(new Compute(k("t"), "s", null, Map.of(), P0, Map.of()));
        assertEquals(List.of(new Erred(k("t"), "err")), on(new ExecuteFailed(k("t"), "err")));
        assertEquals(Map.of(), w.states());
    }

    /** Issue 20 item 0: freed while running, then asked for again (a resubmitted pure key). */
    @Test
    void aTaskFreedWhileRunningAndAskedForAgainReportsItsResult() {
        assertEquals(List.of(new Execute(k("t"), "spec", null)), on(new Compute(k("t"), "spec", null, Map.of(), P0, Map.of())));
        assertEquals(List.of(new Interrupt(k("t"))), on(new Free(List.of(k("t")))));
        assertEquals(List.of(), on(new Compute(k("t"), "spec", null, Map.of(), P0, Map.of()))); // no second run
        assertEquals(Map.of(k("t"), State.EXECUTING), w.states());
        // the task ignored the interrupt and finished: its result counts
        assertEquals(List.of(new Finished(k("t"), 8, 0.5)), on(new ExecuteDone(k("t"), 8, 0.5)));
        assertEquals(Map.of(k("t"), State.MEMORY), w.states());
    }

    @Test
    void aTaskInterruptedByAFreeAndAskedForAgainRunsAgainInsteadOfFailing() {
        on(new Compute(k("t"), "spec", null, Map.of(), P0, Map.of()));
        assertEquals(List.of(new Interrupt(k("t"))), on(new Free(List.of(k("t")))));
        on(new Compute(k("t"), "spec", null, Map.of(), P0, Map.of()));
        // the interrupt made it fail: not the user's error, it runs again
        assertEquals(List.of(new Execute(k("t"), "spec", null)), on(new ExecuteFailed(k("t"), "InterruptedException")));
        assertEquals(List.of(new Finished(k("t"), 8, 0.5)), on(new ExecuteDone(k("t"), 8, 0.5)));
    }

    @Test
    void aTaskFreedWhileRunningAndNotAskedForAgainIsDropped() {
        on(new Compute(k("t"), "spec", null, Map.of(), P0, Map.of()));
        on(new Free(List.of(k("t"))));
        assertEquals(List.of(new Drop(List.of(k("t"))), new Released(k("t"))), on(new ExecuteDone(k("t"), 8, 0.5)));
        assertEquals(Map.of(), w.states());
    }

    /** Keys of every Fetch in {@code is}, per peer, in order. */
    static Map<String, List<Key>> fetches(List<WorkerInstruction> is) {
        Map<String, List<Key>> m = new java.util.LinkedHashMap<>();
        for (WorkerInstruction i : is) if (i instanceof Fetch f) m.computeIfAbsent(f.from(), x -> new java.util.ArrayList<>()).addAll(f.keys());
        return m;
    }

    @Test
    void eachFetchRoundAsksForExactlyTheInputsStillToFetchInTheOrderTheyWereNamed() {
        // 3,000 results here, then a task of 1,000 inputs on a peer: one request of exactly those, in input order
        for (int i = 0; i < 3000; i++) on(new Scattered(List.of(k("own" + i))));
        Map<Key, List<String>> inputs = new java.util.LinkedHashMap<>();
        for (int i = 999; i >= 0; i--) inputs.put(k("in" + i), List.of("p1", "p2"));
        inputs.put(k("own7"), List.of("p1")); // already here: not fetched
        List<WorkerInstruction> is = on(new Compute(k("sum"), "s", null, inputs, P0, Map.of()));
        List<Key> expected = new java.util.ArrayList<>(inputs.keySet());
        expected.remove(k("own7"));
        assertEquals(Map.of("p1", expected), fetches(is));
        // p1 lacks the first 10: only those go to p2, nothing else is asked again
        is = on(new FetchDone("p1", expected.subList(10, 1000), expected.subList(0, 10)));
        assertEquals(Map.of("p2", expected.subList(0, 10)), fetches(is));
        // a second task sharing 5 inputs in flight and naming 2 new ones: only the 2 new ones are asked for
        Map<Key, List<String>> more = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 5; i++) more.put(expected.get(i), List.of("p2"));
        more.put(k("new1"), List.of("p3"));
        more.put(k("new2"), List.of("p3"));
        is = on(new Compute(k("t2"), "s2", null, more, P1, Map.of()));
        assertEquals(Map.of("p3", List.of(k("new1"), k("new2"))), fetches(is));
        // freeing t2 forgets new1/new2 (nobody else needs them); an input missing everywhere drops sum
        on(new Free(List.of(k("t2"))));
        is = on(new FetchDone("p2", expected.subList(1, 10), expected.subList(0, 1)));
        assertEquals(new Missing(k("sum"), expected.get(0), "p2"), is.get(0));
        assertEquals(1 + 999, is.size()); // and the 999 fetched copies nobody here needs any more are dropped
        for (WorkerInstruction i : is.subList(1, is.size())) assertEquals(Drop.class, i.getClass());
        assertEquals(null, w.stateOf(k("sum")));
        assertEquals(3000, w.states().size()); // only the results held before are left
        for (State st : w.states().values()) assertEquals(State.MEMORY, st);
        // the fetches of a later task start from a clean slate: the forgotten inputs are not asked for again
        is = on(new Compute(k("t3"), "s3", null, Map.of(k("z"), List.of("p1")), P0, Map.of()));
        assertEquals(Map.of("p1", List.of(k("z"))), fetches(is));
    }

    @Test
    void movesAreCheckedAgainstTheTable() {
        assertEquals(true, WorkerState.allowed(State.READY, State.EXECUTING));
        assertEquals(false, WorkerState.allowed(State.MEMORY, State.EXECUTING));
        assertEquals(false, WorkerState.allowed(State.WAITING, State.EXECUTING));
        for (State from : State.values()) for (State to : State.values()) {
            if (WorkerState.allowed(from, to)) org.junit.jupiter.api.Assertions.assertNotEquals(from, to);
        }
    }
}
