package org.jdask.distributed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.jdask.distributed.internal.ClientState.KeyState;
import org.jdask.distributed.internal.ClientState.Status;
import org.jdask.distributed.internal.Messages.Message;
import org.jdask.distributed.internal.SchedulerInstruction.ReportKind;
import org.jdask.graph.Key;
import org.junit.jupiter.api.Test;

/** The client's key states without sockets: references and reports in, messages and whole states out. */
class ClientStateTest {
    final List<Message> sent = new ArrayList<>();
    final ClientState s = new ClientState(sent::add);
    static final Key A = Key.of("a"), B = Key.of("b");

    static Messages.Report report(Key k, ReportKind kind) {
        return new Messages.Report(k, kind, kind == ReportKind.MEMORY ? List.of("w1") : List.of(), null, null);
    }

    @Test
    void referencesAreCountedPerKeyAndTheLastOneReleases() {
        KeyState a1 = s.acquire(A);
        KeyState a2 = s.acquire(A);
        s.acquire(B);
        assertSame(a1, a2);
        assertEquals(Map.of(A, "PENDING refs=2", B, "PENDING refs=1"), s.snapshot());
        s.apply(report(A, ReportKind.MEMORY));
        assertEquals(Map.of(A, "FINISHED refs=2", B, "PENDING refs=1"), s.snapshot());
        assertEquals(List.of("w1"), a1.workers);
        s.decref(a1);
        assertEquals(List.of(), sent);
        s.decref(a1);
        assertEquals(List.of(new Messages.Release(List.of(A))), sent);
        assertEquals(Map.of(B, "PENDING refs=1"), s.snapshot());
    }

    /** Issue 20 item 0: a key released and wanted again is a fresh state, never the forgotten one. */
    @Test
    void aKeyWantedAgainAfterItsReleaseStartsAfresh() {
        KeyState old = s.acquire(A);
        s.apply(report(A, ReportKind.MEMORY));
        s.decref(old);
        KeyState again = s.acquire(A);
        assertNotSame(old, again);
        assertEquals(Map.of(A, "PENDING refs=1"), s.snapshot());
        s.apply(report(A, ReportKind.MEMORY));
        assertTrue(again.done.isDone());
    }

    @Test
    void holdsOfARunAreDroppedWithoutReleasingWhatAFutureStillHolds() {
        KeyState future = s.acquire(A);
        s.acquire(A); // a run's hold
        s.acquire(B);
        s.release(List.of(A, B));
        assertEquals(List.of(new Messages.Release(List.of(B))), sent);
        assertEquals(Map.of(A, "PENDING refs=1"), s.snapshot());
        s.decref(future);
        assertEquals(new Messages.Release(List.of(A)), sent.get(1));
    }

    @Test
    void errorsLostResultsAndCancellations() {
        KeyState a = s.acquire(A);
        KeyState b = s.acquire(B);
        s.apply(new Messages.Report(A, ReportKind.ERRED, List.of(), Payload.ofValue(new ArithmeticException("boom")), B));
        assertEquals(Status.ERROR, a.status);
        assertEquals(B, a.blame);
        assertInstanceOf(ArithmeticException.class, a.exception);
        s.apply(report(B, ReportKind.MEMORY));
        var firstDone = b.done;
        s.apply(report(B, ReportKind.LOST));
        assertEquals(Status.LOST, b.status);
        assertTrue(firstDone.isDone() && !b.done.isDone(), "a lost result waits again");
        s.apply(new Messages.Report(B, ReportKind.CANCELLED, List.of(), Payload.ofValue("by restart"), null));
        assertEquals(Map.of(A, "ERROR refs=1", B, "CANCELLED refs=1"), s.snapshot());
        assertInstanceOf(CancellationException.class, b.exception);
        assertTrue(b.exception.getMessage().contains("future " + B + " was cancelled by restart"), b.exception.getMessage());
    }

    @Test
    void reportsForForgottenKeysAreIgnoredAndPendingKeysFailWhenTheSchedulerIsLost() {
        s.apply(report(A, ReportKind.MEMORY));
        assertEquals(Map.of(), s.snapshot());
        KeyState b = s.acquire(B);
        s.failPending(new IllegalStateException("lost"));
        assertEquals(Map.of(B, "ERROR refs=1"), s.snapshot());
        assertEquals(B, b.blame);
    }

    @Test
    void afterCloseNothingIsReleasedAndCancelAllForgetsEverything() {
        KeyState a = s.acquire(A);
        s.acquire(B);
        s.cancelAll(" by restart");
        assertEquals(Map.of(), s.snapshot());
        assertEquals(Status.CANCELLED, a.status);
        KeyState b = s.acquire(B);
        s.close();
        s.decref(b);
        assertEquals(List.of(), sent);
    }
}
