package org.jdask.distributed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdask.distributed.internal.WorkerEvent.*;
import org.jdask.distributed.internal.WorkerInstruction.*;
import org.jdask.distributed.internal.WorkerState.State;
import org.jdask.graph.Key;
import org.junit.jupiter.api.Test;

/** The cap on peer data in flight to a worker, through the worker state machine. */
class FetchBudgetTest {
    static final Prio P0 = new Prio(0, 0, 0);
    static final long MB = 1 << 20;

    static List<Fetch> fetches(List<WorkerInstruction> is) {
        List<Fetch> f = new ArrayList<>();
        for (WorkerInstruction i : is) if (i instanceof Fetch x) f.add(x);
        return f;
    }

    static int keys(List<Fetch> fs) {
        return fs.stream().mapToInt(f -> f.keys().size()).sum();
    }

    @Test
    void fortyInputsOfEightMegabytesNeverExceedTheBudgetInFlight() {
        WorkerState w = new WorkerState(1, Map.of(), 1000);
        w.fetchBudget(new FetchBudget(25 * MB, 17 * MB)); // 0.1 of a 256 MiB limit; two values per request
        List<Fetch> first = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Map<Key, List<String>> in = new LinkedHashMap<>();
            in.put(Key.of("x" + i), List.of(i % 2 == 0 ? "p1" : "p2"));
            first.addAll(fetches(w.handle(new Compute(Key.of("t" + i), "s", null, in, P0, Map.of()), 0)));
        }
        assertEquals(1, keys(first), "sizes unknown: one key until a reply teaches them");
        List<Fetch> pending = new ArrayList<>(first);
        int done = 0, maxInFlight = 0;
        while (!pending.isEmpty()) {
            Fetch f = pending.remove(0);
            List<WorkerInstruction> is = w.handle(new FetchDone(f.from(), f.keys(), List.of(), f.keys().size() * 8 * MB), 0);
            done += f.keys().size();
            List<Fetch> more = fetches(is);
            for (Fetch m : more) assertTrue(m.keys().size() <= 2, "per-request cap: " + m);
            pending.addAll(more);
            maxInFlight = Math.max(maxInFlight, keys(pending));
            runAll(w, is);
        }
        assertEquals(40, done, "every input arrived");
        assertEquals(3, maxInFlight, "25 MB in flight = 3 values of 8 MB");
        for (int i = 0; i < 40; i++) assertEquals(State.MEMORY, w.stateOf(Key.of("t" + i)));
    }

    /** Runs every task handed out (and those handed out when they finish). */
    static void runAll(WorkerState w, List<WorkerInstruction> is) {
        for (WorkerInstruction i : is) if (i instanceof Execute x) runAll(w, w.handle(new ExecuteDone(x.key(), 8, 0), 0));
    }

    @Test
    void oneValueLargerThanTheBudgetStillMovesAlone() {
        FetchBudget b = new FetchBudget(10, 10);
        assertTrue(b.admit(Key.of("a"), 0));
        b.arrived(List.of(Key.of("a")), 1, 100);
        assertTrue(b.admit(Key.of("b"), 0), "nothing in flight: admitted whatever its size");
        assertEquals(false, b.admit(Key.of("c"), 0));
        b.arrived(List.of(Key.of("b")), 0, -1);
        assertEquals(0, b.inFlight());
        assertTrue(FetchBudget.unlimited().admit(Key.of("z"), Long.MAX_VALUE / 2));
        assertThrows(IllegalArgumentException.class, () -> new FetchBudget(0, 1));
    }
}
