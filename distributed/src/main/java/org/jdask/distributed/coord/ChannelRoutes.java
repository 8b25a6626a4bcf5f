package org.jdask.distributed.coord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The scheduler's side of clients' direct coordination channels (the {@code COORD_CHANNEL}
 * message): which extra connections belong to which client, and to which connection the reply to
 * each pending request goes. A request from a channel is recorded here; the {@link CoordState}
 * reply for that client and request id (now, or when a parked wait ends) goes back to the
 * channel, every other reply to the client's own connection. Scheduler thread only; {@code P} is
 * the shell's peer type.
 */
public final class ChannelRoutes<P> {
    private final Map<String, List<P>> channels = new HashMap<>();
    private final Map<String, Map<Long, P>> pending = new HashMap<>();

    /** {@code channel} is another connection of {@code client}. */
    public void attach(String client, P channel) {
        channels.computeIfAbsent(client, c -> new ArrayList<>()).add(channel);
    }

    /** Request {@code id} of {@code client} came through {@code channel}: its reply goes there (id 0 gets none). */
    public void request(String client, long id, P channel) {
        if (id != 0) pending.computeIfAbsent(client, c -> new HashMap<>()).put(id, channel);
    }

    /** Where the reply to {@code client}'s request {@code id} goes: its channel, or null for the client's own connection. */
    public P replyTo(String client, long id) {
        Map<Long, P> m = pending.get(client);
        if (m == null) return null;
        P p = m.remove(id);
        if (m.isEmpty()) pending.remove(client);
        return p;
    }

    /** {@code client} closed {@code channel}: forgets it and any reply still routed to it; false if it was not attached. */
    public boolean detach(String client, P channel) {
        List<P> l = channels.get(client);
        if (l == null || !l.remove(channel)) return false;
        if (l.isEmpty()) channels.remove(client);
        Map<Long, P> m = pending.get(client);
        if (m != null) {
            m.values().removeIf(p -> p == channel);
            if (m.isEmpty()) pending.remove(client);
        }
        return true;
    }

    /** {@code client} left: forgets its channels and their pending replies; returns the channels (the shell drops those peers). */
    public List<P> removeClient(String client) {
        pending.remove(client);
        List<P> gone = channels.remove(client);
        return gone == null ? List.of() : gone;
    }

    /** Channels attached now, all clients (for tests and metrics). */
    public int size() {
        int n = 0;
        for (List<P> l : channels.values()) n += l.size();
        return n;
    }
}
