package org.jdask.distributed;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Workers waiting at the scheduler's {@link CodeRelay} for a jar a client is already sending
 * (issue 16): when many workers start together they all ask for the same jar; the first ask goes
 * to the client, the others wait here and are answered from the relay's cache once the jar
 * arrives, so the jar crosses the client's link once instead of once per worker. Pure state (the
 * relay's socket thread drives it; synchronized so tests may look); a fetch not answered within {@code staleMs} no longer holds
 * others back: the next ask goes to the client again, and whoever waited for the stale fetch is
 * answered with that one.
 */
final class JarWaiters {
    /** A worker's pending request: where to answer and whether it wants a bulk ticket. */
    record Waiter(byte[] worker, byte[] requestId, boolean bulk) {}

    private record InFlight(long since, List<Waiter> waiting) {}

    private final Map<String, InFlight> byHash = new HashMap<>();
    private final long staleMs;

    JarWaiters(long staleMs) {
        this.staleMs = staleMs;
    }

    /**
     * A worker asks for jar {@code hash} at {@code now}: true when it must go to the client (no
     * fetch of it under way, or a stale one), false when it now waits for the one under way.
     */
    synchronized boolean ask(String hash, Waiter w, long now) {
        InFlight f = byHash.get(hash);
        if (f != null && now - f.since() < staleMs) {
            f.waiting().add(w);
            return false;
        }
        // a stale fetch's waiters wait on for this one: they were never answered
        byHash.put(hash, new InFlight(now, f == null ? new ArrayList<>() : f.waiting()));
        return true;
    }

    /** The fetch of {@code hash} is over (the jar came, or failed for good): the workers that waited for it. */
    synchronized List<Waiter> done(String hash) {
        InFlight f = byHash.remove(hash);
        return f == null ? List.of() : f.waiting();
    }

    /** Workers waiting for {@code hash} (tests). */
    synchronized int waiting(String hash) {
        InFlight f = byHash.get(hash);
        return f == null ? 0 : f.waiting().size();
    }
}
