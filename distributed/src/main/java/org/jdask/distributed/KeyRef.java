package org.jdask.distributed;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdask.distributed.internal.ClientState;
import org.jdask.distributed.internal.ClientState.KeyState;
import org.jdask.graph.Key;

/**
 * One future's hold on its key in its client's {@link ClientState}: released explicitly
 * ({@link Future#release()}) or, once the future is unreachable, by a shared cleaner thread. The
 * last hold on a key going away sends its {@code RELEASE} (Dask counts references per key per
 * client the same way).
 */
final class KeyRef implements Runnable {
    private static final Cleaner CLEANER = Cleaner.create();

    final KeyState state;
    private final ClientState keys;
    private final AtomicBoolean released = new AtomicBoolean();
    private final Cleaner.Cleanable cleanable;

    /** A new hold on {@code key} in {@code keys}, given up when {@code owner} becomes unreachable. */
    KeyRef(ClientState keys, Key key, Object owner) {
        this.keys = keys;
        this.state = keys.acquire(key);
        this.cleanable = CLEANER.register(owner, this);
    }

    /** The cleaner's call (or {@link #release}'s): drops the hold once. */
    @Override
    public void run() {
        if (released.compareAndSet(false, true)) keys.decref(state);
    }

    void release() {
        cleanable.clean();
    }

    boolean released() {
        return released.get();
    }
}
