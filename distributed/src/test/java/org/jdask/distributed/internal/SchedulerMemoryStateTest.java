package org.jdask.distributed.internal;

import static org.jdask.distributed.internal.Instructions.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdask.distributed.internal.SchedulerEvent.*;
import org.jdask.distributed.internal.SchedulerInstruction.*;
import org.jdask.graph.Key;
import org.junit.jupiter.api.Test;

/** Pause, retirement and rebalance in the scheduler state machine: events in, instructions and states out. */
class SchedulerMemoryStateTest extends SchedulerStateHarness {
    SchedulerMemoryStateTest() {
        super(new SchedulerState.Options(1.0, 3, 1000, 0.5, false, 1000));
    }

    static Key k(String n) {
        return Key.of(n);
    }

    static NewTask on(String key, String worker) {
        return new NewTask(k(key), "spec-" + key, null, List.of(), 0, 0, 0, worker == null ? null : Set.of(worker), null, "f");
    }

    @Test
    void aPausedWorkerIsSentNothingUntilItResumes() {
        on(new AddWorker("w1", "w1", 1, Map.of()));
        on(new WorkerStatus("w1", true));
        assertEquals("paused", s.workers().get("w1").status());
        List<SchedulerInstruction> is = on(new UpdateGraph("c", List.of(on("a", null)), List.of(k("a")), false));
        assertEquals(List.of(), only(Compute.class, is));
        assertEquals(TaskState.NO_WORKER, s.stateOf(k("a")));
        assertTrue(s.story(k("a")).toString().contains("paused"), s.story(k("a")).toString());
        is = on(new WorkerStatus("w1", false));
        assertEquals(List.of(k("a")), only(Compute.class, is).stream().map(Compute::key).toList());
        assertEquals("running", s.workers().get("w1").status());
    }

    @Test
    void retirementMovesOnlyTheRetiringWorkersOnlyCopiesThenClosesIt() {
        on(new AddWorker("w1", "w1", 1, Map.of()));
        on(new AddWorker("w2", "w2", 1, Map.of()));
        on(new UpdateGraph("c", List.of(on("a", "w1"), on("b", "w2")), List.of(k("a"), k("b")), false));
        on(new TaskFinished("w1", k("a"), 100, 0.1));
        on(new TaskFinished("w2", k("b"), 100, 0.1));
        List<SchedulerInstruction> is = on(new RetireWorkers("c", 7, List.of("w1")));
        assertEquals(List.of(new Acquire("w2", k("a"), List.of("w1"))), only(Acquire.class, is));
        assertEquals(List.of(), only(CloseWorker.class, is), "not before its results moved");
        assertEquals("closing", s.workers().get("w1").status());
        is = on(new TaskFinished("w2", k("a"), 100, 0));
        assertEquals(List.of(new CloseWorker("w1", SchedulerInstruction.RETIRE)), only(CloseWorker.class, is));
        assertEquals(List.of(new MovesDone("c", 7, 1, null)), only(MovesDone.class, is));
        assertEquals(Set.of("w2"), s.workers().keySet());
        assertEquals(TaskState.MEMORY, s.stateOf(k("a")), "nothing lost, nothing recomputed");
        assertEquals(List.of("w2"), s.task(k("a")).whoHas());
    }

    @Test
    void retiringEveryWorkerHoldingResultsIsRefused() {
        on(new AddWorker("w1", "w1", 1, Map.of()));
        on(new UpdateGraph("c", List.of(on("a", null)), List.of(k("a")), false));
        on(new TaskFinished("w1", k("a"), 100, 0.1));
        List<SchedulerInstruction> is = on(new RetireWorkers("c", 3, List.of("w1")));
        MovesDone d = only(MovesDone.class, is).get(0);
        assertTrue(d.error().contains("cannot retire every worker"), d.error());
        assertEquals("running", s.workers().get("w1").status());
    }

    @Test
    void rebalanceMovesFromAboveTheMeanToBelowAndFreesTheSendersCopy() {
        on(new AddWorker("w1", "w1", 1, Map.of()));
        on(new AddWorker("w2", "w2", 1, Map.of()));
        List<NewTask> ts = new ArrayList<>();
        for (String n : List.of("a", "b", "c", "d")) ts.add(on(n, "w1"));
        on(new UpdateGraph("c", ts, List.of(k("a"), k("b"), k("c"), k("d")), false));
        for (String n : List.of("a", "b", "c", "d")) on(new TaskFinished("w1", k(n), 100, 0.1));
        List<SchedulerInstruction> is = on(new Rebalance("c", 9));
        List<Acquire> acquires = only(Acquire.class, is);
        assertEquals(2, acquires.size(), is.toString());
        List<SchedulerInstruction> last = List.of();
        for (Acquire a : acquires) {
            assertEquals("w2", a.worker());
            last = on(new TaskFinished("w2", a.key(), 100, 0));
            assertEquals(List.of(new Free("w1", List.of(a.key()))), only(Free.class, last));
            assertEquals(List.of("w2"), s.task(a.key()).whoHas());
        }
        assertEquals(List.of(new MovesDone("c", 9, 2, null)), only(MovesDone.class, last));
        assertEquals(2, s.workers().get("w1").keyCount());
        assertEquals(2, s.workers().get("w2").keyCount());
        assertEquals(List.of(new MovesDone("c", 10, 0, null)), only(MovesDone.class, on(new Rebalance("c", 10))));
    }
}
