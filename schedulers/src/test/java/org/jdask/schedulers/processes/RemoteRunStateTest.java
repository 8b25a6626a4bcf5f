package org.jdask.schedulers.processes;

import static org.jdask.schedulers.processes.RemoteRunState.DEFERRED;
import static org.jdask.schedulers.processes.RemoteRunState.FETCHING;
import static org.jdask.schedulers.processes.RemoteRunState.MEMORY;
import static org.jdask.schedulers.processes.RemoteRunState.PARKED;
import static org.jdask.schedulers.processes.RemoteRunState.READY;
import static org.jdask.schedulers.processes.RemoteRunState.RELEASED;
import static org.jdask.schedulers.processes.RemoteRunState.SENT;
import static org.jdask.schedulers.processes.RemoteRunState.WAITING;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.jdask.graph.Alias;
import org.jdask.graph.IndexedGraph;
import org.jdask.graph.Key;
import org.jdask.graph.Order;
import org.jdask.graph.TaskGraph;
import org.junit.jupiter.api.Test;

/**
 * The processes engine's state machine driven by hand, without worker JVMs: events in, the frames
 * it asks for out (recorded as text), whole states asserted after each step.
 */
class RemoteRunStateTest {
    static final Fn1<Integer, Integer> INC = x -> x + 1;
    static final Fn2<Integer, Integer, Integer> ADD = Integer::sum;

    /** Records every frame the state asks for, as "op task@worker", in order. */
    static final class Recorder implements RemoteRunState.Frames {
        final List<String> frames = new ArrayList<>();
        final IndexedGraph g;

        Recorder(IndexedGraph g) {
            this.g = g;
        }

        String k(int t) {
            return g.key(t).toString().replace("('", "").replace("')", "").replace("'", "");
        }

        @Override public void run(int t, int w) { frames.add("run " + k(t) + "@" + w); }
        @Override public void put(int d, int w) { frames.add("put " + k(d) + "@" + w); }
        @Override public void fetch(int d, int w) { frames.add("fetch " + k(d) + "@" + w); }
        @Override public void release(int d, int w) { frames.add("release " + k(d) + "@" + w); }
        @Override public void forget(int d) { frames.add("forget " + k(d)); }
        @Override public void inParent(int t, int from) { frames.add("in-parent " + k(t) + (from < 0 ? "" : " from " + k(from))); }
        @Override public void started(int t, int w) { }
        @Override public void finished(int t, int w, boolean failed) { if (failed) frames.add("failed " + k(t) + "@" + w); }

        List<String> take() {
            List<String> out = List.copyOf(frames);
            frames.clear();
            return out;
        }
    }

    static Key k(String s) {
        return Key.of(s);
    }

    record Run(IndexedGraph g, RemoteRunState s, Recorder r) {
        int t(String key) {
            return g.indicesOf(List.of(Key.of(key)))[0];
        }

        byte state(String key) {
            return s.state[t(key)];
        }
    }

    static Run start(TaskGraph graph, int workers, String... outputs) {
        IndexedGraph g = IndexedGraph.of(graph);
        List<Key> out = new ArrayList<>();
        for (String o : outputs) out.add(Key.of(o));
        Recorder r = new Recorder(g);
        RemoteRunState s = new RemoteRunState(g, Order.priorities(g), g.indicesOf(out), workers, r);
        s.begin();
        return new Run(g, s, r);
    }

    @Test
    void aChainIsPipelinedToOneWorkerAndIntermediatesAreReleasedThere() throws Exception {
        // data -> a -> b -> c, output c; one batch goes out: the data value and the whole chain
        TaskGraph graph = TaskGraph.builder().data(k("data"), 1).task(k("a"), INC, k("data")).task(k("b"), INC, k("a"))
                .task(k("c"), INC, k("b")).build();
        Run run = start(graph, 2, "c");
        assertEquals(List.of("in-parent data"), run.r.take());
        run.s.window = 8;
        run.s.dispatch();
        assertEquals(List.of("put data@0", "run a@0", "run b@0", "run c@0"), run.r.take());
        assertEquals(SENT, run.state("c"));
        assertArrayEquals(new int[] {3, 0}, run.s.inFlight);

        run.s.done(0, run.t("a"), 1_000_000, false);
        // a's only reader (b) is still queued: nothing released but the data value, whose last reader a was
        assertEquals(List.of("release data@0", "forget data"), run.r.take());
        assertEquals(RELEASED, run.state("data"));
        run.s.done(0, run.t("b"), 1_000_000, false);
        assertEquals(List.of("release a@0", "forget a"), run.r.take());
        run.s.done(0, run.t("c"), 1_000_000, true);
        assertEquals(List.of("release b@0", "forget b"), run.r.take());
        assertTrue(run.s.done());
        assertEquals(MEMORY, run.state("c"), "outputs are never released");
        assertTrue(run.s.hasFrame[run.t("c")]);
        assertArrayEquals(new int[] {0, 0}, run.s.inFlight);
        assertEquals(4, run.s.finished);
    }

    @Test
    void inputsOnTwoWorkersParkTheTaskThenTheParentFetchesOne() throws Exception {
        // x and y run on different workers; z = x + y waits (PARKED), then goes to one and fetches the other
        TaskGraph graph = TaskGraph.builder().task(k("x"), INC, 1).task(k("y"), INC, 2).task(k("z"), ADD, k("x"), k("y")).build();
        Run run = start(graph, 2, "z");
        run.s.window = 1;
        run.s.dispatch();
        List<String> first = run.r.take();
        assertEquals(2, first.size());
        assertTrue(first.containsAll(List.of("run x@" + run.s.worker[run.t("x")], "run y@" + run.s.worker[run.t("y")])), first.toString());
        int wx = run.s.worker[run.t("x")], wy = run.s.worker[run.t("y")];
        assertTrue(wx != wy);
        assertEquals(PARKED, run.state("z"), "its queued inputs sit on two workers");

        run.s.done(wx, run.t("x"), 10_000_000, false);
        assertEquals(PARKED, run.state("z"), "y is still running");
        assertEquals(List.of(), run.r.take());
        run.s.done(wy, run.t("y"), 10_000_000, false);
        assertEquals(READY, run.state("z"));
        run.s.dispatch();
        // z goes to the worker with the fewest tasks among those holding an input (a tie: the first),
        // and the parent fetches the other input
        int wz = run.s.worker[run.t("z")];
        int other = wz == wx ? wy : wx;
        String otherKey = wz == wx ? "y" : "x";
        assertEquals(List.of("fetch " + otherKey + "@" + other), run.r.take());
        assertEquals(FETCHING, run.state("z"));
        run.s.data(run.t(otherKey));
        assertEquals(List.of("put " + otherKey + "@" + wz, "run z@" + wz), run.r.take());
        run.s.done(wz, run.t("z"), 1, true);
        List<String> released = run.r.take();
        assertTrue(released.containsAll(List.of("release x@" + wx, "release y@" + wy, "release " + otherKey + "@" + wz,
                "forget x", "forget y")), released.toString());
        assertTrue(run.s.done());
    }

    @Test
    void aFullWorkerDefersTasksOnItsInputsUntilItAnswers() throws Exception {
        // a fan-out: p feeds q0..q3; with a window of 1 the q's wait for p's worker (the other is busy too)
        TaskGraph.Builder b = TaskGraph.builder().task(k("p"), INC, 0).task(k("other"), INC, 5);
        for (int i = 0; i < 4; i++) b.task(k("q" + i), INC, k("p"));
        Run run = start(b.build(), 2, "q0", "q1", "q2", "q3", "other");
        run.s.window = 1;
        run.s.dispatch();
        int wp = run.s.worker[run.t("p")];
        assertEquals(SENT, run.state("p"));
        assertEquals(SENT, run.state("other"));
        int deferred = 0;
        for (int i = 0; i < 4; i++) if (run.state("q" + i) == DEFERRED) deferred++;
        assertEquals(4, deferred, "pinned to p's worker, which is full");
        run.r.take();
        run.s.done(wp, run.t("p"), 50_000_000, false);
        for (int i = 0; i < 4; i++) assertEquals(READY, run.state("q" + i), "woken when p's worker answered");
        assertEquals(RemoteRunState.MIN_WINDOW, run.s.window, "50 ms tasks: the smallest window");
        run.s.dispatch();
        assertEquals(2, run.s.inFlight[wp]);
        assertEquals(List.of("run q0@" + wp, "run q1@" + wp), run.r.take().stream().filter(f -> f.startsWith("run")).toList(),
                "two q's fit the window on p's worker");
        // the other worker has room but is not idle: q2 waits for p's worker rather than copying p there
        assertEquals(DEFERRED, run.state("q2"));
        assertEquals(DEFERRED, run.state("q3"));
    }

    @Test
    void aliasesOfParentValuesFinishInTheParentAndAFailureStopsHandingOut() throws Exception {
        TaskGraph graph = TaskGraph.builder().data(k("d"), 7).put(k("al"), new Alias(k("d"))).task(k("t"), INC, k("al"))
                .task(k("u"), INC, 1).build();
        Run run = start(graph, 1, "t", "u", "al");
        assertEquals(List.of("in-parent d"), run.r.take());
        run.s.window = 4;
        run.s.dispatch();
        List<String> f = run.r.take();
        assertTrue(f.contains("in-parent al from d") && f.contains("put al@0") && f.contains("run t@0") && f.contains("run u@0"),
                f.toString());
        assertTrue(run.s.inParent[run.t("al")]);
        // t fails: the caller records the error, nothing more is handed out, u may still answer while draining
        int first = run.s.head(0);
        run.s.taskFailed(0, first);
        run.s.fail(new IllegalStateException("boom"));
        assertEquals(List.of("failed " + run.r.k(first) + "@0"), run.r.take());
        assertTrue(run.s.done());
        assertEquals(1, run.s.inFlight[0]);
        run.s.drained(0);
        assertEquals(0, run.s.inFlight[0]);
        assertEquals(-1, run.s.head(0));
    }

    @Test
    void anAnswerForATaskNotFirstInTheQueueIsRefusedNamingBoth() throws Exception {
        TaskGraph graph = TaskGraph.builder().task(k("a"), INC, 1).task(k("b"), INC, 2).build();
        Run run = start(graph, 1, "a", "b");
        run.s.window = 4;
        run.s.dispatch();
        int head = run.s.head(0);
        int second = head == run.t("a") ? run.t("b") : run.t("a");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run.s.done(0, second, 1, true));
        assertTrue(e.getMessage().contains("answered for " + run.g.key(second)) && e.getMessage().contains(run.g.key(head) + " was first"),
                e.getMessage());
        assertEquals(head, run.s.head(0), "a refused answer leaves the queue as it was");
        assertEquals(2, run.s.inFlight[0]);
        run.s.skipped(0, head);
        assertTrue(run.s.error.getMessage().contains("skipped " + run.g.key(head)), run.s.error.getMessage());
    }

    @Test
    void theWindowFollowsTheMeasuredTaskTime() throws Exception {
        TaskGraph.Builder b = TaskGraph.builder();
        for (int i = 0; i < 40; i++) b.task(k("t" + i), INC, i);
        List<String> outs = new ArrayList<>();
        for (int i = 0; i < 40; i++) outs.add("t" + i);
        Run run = start(b.build(), 1, outs.toArray(new String[0]));
        assertEquals(RemoteRunState.MIN_WINDOW, run.s.window);
        run.s.dispatch();
        assertEquals(2, run.s.inFlight[0], "the first batch is the minimum window");
        run.s.done(0, run.s.head(0), 10_000, true); // 10 µs tasks: 2 ms of work is 200 tasks, capped by MAX_WINDOW
        assertEquals(200, run.s.window);
        run.s.dispatch();
        assertEquals(39, run.s.inFlight[0]);
        for (int i = 0; i < 40; i++) assertTrue(run.state("t" + i) == SENT || run.state("t" + i) == MEMORY);
        assertTrue(run.state("t0") != WAITING);
    }

    @Test
    void tasksGoOnlyToJoinedWorkersAndALateWorkerTakesTheReadyOnes() throws Exception {
        // 6 independent tasks, worker 1 still starting: worker 0 takes its window, the rest wait ready
        TaskGraph.Builder b = TaskGraph.builder();
        List<String> outs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            b.task(k("t" + i), INC, i);
            outs.add("t" + i);
        }
        IndexedGraph g = IndexedGraph.of(b.build());
        List<Key> out = new ArrayList<>();
        for (String o : outs) out.add(Key.of(o));
        Recorder r = new Recorder(g);
        RemoteRunState s = new RemoteRunState(g, Order.priorities(g), g.indicesOf(out), 2, r, new boolean[] {true, false});
        s.begin();
        s.window = 2;
        s.dispatch();
        assertEquals(2, r.take().stream().filter(f -> f.startsWith("run ") && f.endsWith("@0")).count());
        assertArrayEquals(new int[] {2, 0}, s.inFlight, "nothing for the worker that has not joined");
        assertEquals(4, s.ready.size());
        s.join(1);
        s.dispatch();
        List<String> later = r.take();
        assertEquals(2, later.size(), later.toString());
        assertTrue(later.stream().allMatch(f -> f.startsWith("run ") && f.endsWith("@1")), "the joined worker takes the ready tasks: " + later);
        assertArrayEquals(new int[] {2, 2}, s.inFlight);
    }

    @Test
    void aPausedWorkerGetsNoNewTaskWhileAnotherCanRunItAndTakesWorkAgainWhenResumed() throws Exception {
        // a on worker 0, which then pauses (memory): b and c read a but go to worker 1 (a copied through the parent)
        TaskGraph graph = TaskGraph.builder().task(k("a"), INC, 1).task(k("b"), INC, k("a")).task(k("c"), INC, k("a"))
                .task(k("d"), INC, 5).build();
        Run run = start(graph, 2, "b", "c", "d");
        run.s.window = 1;
        run.s.paused(1, true); // worker 1 paused first: a and d must both go to worker 0, one after the other
        run.s.dispatch();
        assertEquals(1, run.r.take().size(), "one task queued on worker 0 (window 1), none on the paused worker 1");
        assertEquals(0, run.s.inFlight[1]);
        int first = run.s.queue[0].peekFirst();
        run.s.paused(1, false);
        run.s.dispatch();
        assertEquals(1, run.s.inFlight[1], "resumed: worker 1 takes the other root task");
        run.s.done(0, first, 1_000_000, false);
        run.s.done(1, run.s.queue[1].peekFirst(), 1_000_000, false);
        run.r.take();
        run.s.paused(run.s.worker[run.t("a")], true);
        int home = run.s.worker[run.t("a")], away = 1 - home;
        run.s.dispatch();
        List<String> frames = run.r.take();
        assertTrue(frames.contains("fetch a@" + home), frames.toString());
        run.s.data(run.t("a"));
        frames = run.r.take();
        assertTrue(frames.contains("put a@" + away), "a reader of a goes to the worker that is not paused: " + frames);
        assertEquals(0, run.s.inFlight[home], "nothing new on the paused worker while the other can take it");
    }

    @Test
    void whenEveryWorkerIsPausedAndIdleTheRunGoesOnRatherThanHang() throws Exception {
        TaskGraph graph = TaskGraph.builder().task(k("x"), INC, 1).task(k("y"), INC, k("x")).build();
        Run run = start(graph, 2, "y");
        run.s.paused(0, true);
        run.s.paused(1, true);
        run.s.dispatch();
        assertEquals(1, run.s.inFlight[0] + run.s.inFlight[1], "nothing in flight anywhere: a paused worker takes the task");
        int w = run.s.worker[run.t("x")];
        run.s.done(w, run.t("x"), 1_000_000, false);
        run.s.dispatch();
        assertEquals(SENT, run.state("y"));
        run.s.done(run.s.worker[run.t("y")], run.t("y"), 1_000_000, true);
        assertTrue(run.s.done());
    }
}
