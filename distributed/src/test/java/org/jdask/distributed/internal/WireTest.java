package org.jdask.distributed.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdask.distributed.internal.Wire.Msg;
import org.jdask.distributed.internal.Wire.WireException;
import org.jdask.graph.Key;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.zeromq.ZMQ;

/** The wire format over a real ROUTER/DEALER pair. */
class WireTest {
    InprocPair pair;
    ZMQ.Socket router, dealer;

    @BeforeEach
    void open() {
        pair = InprocPair.open("wire-test", 1 << 20);
        router = pair.router();
        dealer = pair.dealer();
    }

    @AfterEach
    void close() {
        pair.close();
    }

    Wire.Received roundTrip(List<Msg> batch, boolean local) {
        pair.connect(local ? Wire.localIdentity() : Wire.remoteIdentity());
        Wire.send(dealer, null, batch, local);
        router.setReceiveTimeOut(5000);
        Wire.Received r = null;
        long end = System.currentTimeMillis() + 5000;
        while (r == null && System.currentTimeMillis() < end) r = Wire.receive(router, true, 1 << 20);
        return r;
    }

    @Test
    void everyFieldTypeRoundTripsAndPayloadsTravelAsFrames() {
        double[] big = new double[1000];
        Arrays.fill(big, 1.5);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("GPU", 1.5);
        m.put("n", -7L);
        List<Object> fields = Arrays.asList(null, true, false, Long.MIN_VALUE, 3.25, "héllo", Key.of("x", 0, -3),
                List.of(1L, List.of("deep")), m, Payload.ofValue(big));
        Wire.Received r = roundTrip(List.of(new Msg(Op.COMPUTE, fields), Msg.of(Op.FREE, List.of(Key.of("a")))), false);
        assertEquals(2, r.frames.size()); // header + one payload frame
        List<Msg> got = r.decode(false);
        Msg c = got.get(0);
        assertEquals(Op.COMPUTE, c.op());
        assertEquals(Arrays.asList(null, true, false, Long.MIN_VALUE, 3.25, "héllo", Key.of("x", 0, -3),
                List.of(1L, List.of("deep")), m), c.fields().subList(0, 9));
        assertArrayEquals(big, (double[]) c.payload(9).value());
        assertEquals(List.of(Key.of("a")), got.get(1).keys(0));
    }

    @Test
    void aLargeUpdateTravelsAsItselfWithinTheJvmAndEncodedToAPeerOutsideIt() {
        List<SchedulerEvent.NewTask> tasks = new java.util.ArrayList<>();
        List<Key> wanted = new java.util.ArrayList<>();
        for (int i = 0; i < Messages.UpdateGraph.PASS_LOCALLY_FROM; i++) {
            Key k = Key.of("inc-" + i);
            tasks.add(new SchedulerEvent.NewTask(k, Payload.ofValue(i), null, List.of(), 0, i, 0, null, null, "inc"));
            wanted.add(k);
        }
        Messages.UpdateGraph u = new Messages.UpdateGraph(tasks, wanted, false);
        Wire.Received r = roundTrip(List.of(u.msg(), new Messages.Release(List.of(Key.of("a"))).msg()), true);
        assertEquals(1, r.frames.size()); // the update is a reference: no payload frames
        List<Msg> got = r.decode(true);
        assertSame(u, Messages.decode(got.get(0))); // the same object, not a copy
        assertEquals(List.of(Key.of("a")), Messages.decode(got.get(1), Messages.Release.class).keys());
        // below the threshold, or to another JVM, it is encoded field by field
        Messages.UpdateGraph small = new Messages.UpdateGraph(tasks.subList(0, 3), wanted.subList(0, 3), false);
        assertEquals(null, small.msg().local());
        pair.close();
        open();
        Wire.Received remote = roundTrip(List.of(u.msg()), false);
        Messages.UpdateGraph decoded = Messages.decode(remote.decode(false).get(0), Messages.UpdateGraph.class);
        assertEquals(u.wanted(), decoded.wanted());
        assertEquals(5, ((Payload) decoded.tasks().get(5).spec()).value());
    }

    @Test
    void aLocalMessageFromOutsideTheJvmIsRefused() {
        List<SchedulerEvent.NewTask> tasks = new java.util.ArrayList<>();
        for (int i = 0; i < Messages.UpdateGraph.PASS_LOCALLY_FROM; i++) {
            tasks.add(new SchedulerEvent.NewTask(Key.of("t-" + i), Payload.ofValue(i), null, List.of(), 0, i, 0, null, null, "t"));
        }
        Messages.UpdateGraph u = new Messages.UpdateGraph(tasks, List.of(), false);
        Wire.Received r = roundTrip(List.of(u.msg()), true);
        WireException e = assertThrows(WireException.class, () -> r.decode(false));
        assertTrue(e.getMessage().contains("local message from a peer outside this JVM refused"), e.getMessage());
    }

    @Test
    void smallPayloadsTravelInsideTheHeaderUpToTheBudget() {
        byte[] atMax = org.jdask.serialize.Codecs.encode(new byte[Wire.INLINE_MAX - 64]);
        assertTrue(atMax.length <= Wire.INLINE_MAX, atMax.length + " bytes");
        byte[] over = org.jdask.serialize.Codecs.encode(new byte[Wire.INLINE_MAX + 1]);
        Wire.Received r = roundTrip(List.of(new Msg(Op.COMPUTE, Arrays.asList(Payload.ofValue(7), Payload.ofBytes(atMax), Payload.ofBytes(over)))), false);
        assertEquals(2, r.frames.size()); // header (with the two small ones) + the one over INLINE_MAX
        Msg c = r.decode(false).get(0);
        assertEquals(7, c.payload(0).value());
        assertArrayEquals(atMax, c.payload(1).bytes());
        assertArrayEquals(over, c.payload(2).bytes());
        // past the batch's budget, small payloads are frames again: the header stays small
        int n = Wire.INLINE_BUDGET / atMax.length + 3;
        List<Msg> many = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) many.add(new Msg(Op.COMPUTE, Arrays.asList(Payload.ofBytes(atMax))));
        Wire.send(dealer, null, many, false); // the dealer is connected (by the round trip above)
        router.setReceiveTimeOut(5000);
        Wire.Received big = Wire.receive(router, true, 64 << 20, 5000);
        assertEquals(1 + n - Wire.INLINE_BUDGET / atMax.length, big.frames.size());
        assertTrue(big.headerBytes() < Wire.INLINE_BUDGET + 64 * n, big.headerBytes() + " header bytes");
        List<Msg> got = big.decode(false);
        assertEquals(n, got.size());
        for (Msg m : got) assertArrayEquals(atMax, m.payload(0).bytes());
    }

    @Test
    void largeArraysTravelAsChunksFromAndIntoTheirArrays() {
        int mib = 1 << 20;
        for (int n : new int[] {mib / 8 - 1, mib / 8, mib / 8 + 1, 3 * mib / 8 + 5}) {
            double[] d = new double[n];
            for (int i = 0; i < n; i++) d[i] = i * 0.25;
            long[] l = new long[n];
            for (int i = 0; i < n; i++) l[i] = -i;
            byte[] asBytes = org.jdask.serialize.Codecs.encode(d); // a frame already encoded: chunked from its bytes, joined
            byte[] raw = new byte[n + 3]; // byte[] frames are joined and checked by the codec
            Arrays.fill(raw, (byte) 7);
            List<Object> fields = Arrays.asList(Payload.ofValue(d), Payload.ofValue(l), Payload.ofBytes(asBytes), Payload.ofValue(raw));
            Wire.Received r = roundTrip(List.of(new Msg(Op.RUN, fields)), false);
            for (byte[] f : r.frames) assertTrue(f.length <= mib, "a frame of " + f.length + " bytes");
            Msg m = r.decode(false).get(0);
            assertArrayEquals(d, (double[]) m.payload(0).value(), "double[" + n + "]");
            assertArrayEquals(l, (long[]) m.payload(1).value(), "long[" + n + "]");
            assertArrayEquals(d, (double[]) m.payload(2).value(), "double[" + n + "] from its frame");
            assertArrayEquals(raw, (byte[]) m.payload(3).value(), "byte[" + (n + 3) + "]");
            close();
            open();
        }
    }

    @Test
    void localReferencesPassTheObjectAndAreRefusedFromRemotePeers() {
        Object o = new StringBuilder("not serializable by intent");
        Wire.Received r = roundTrip(List.of(Msg.of(Op.RUN, 1L, Payload.ofValue(o))), true);
        assertTrue(Wire.isLocal(r.identity));
        assertSame(o, r.decode(true).get(0).payload(1).value());
        Wire.send(dealer, null, List.of(Msg.of(Op.RUN, 2L, Payload.ofValue(o))), true);
        Wire.Received second = null;
        long end = System.currentTimeMillis() + 5000;
        while (second == null && System.currentTimeMillis() < end) second = Wire.receive(router, true, 1 << 20);
        Wire.Received forged = second; // as if it came from a peer outside this JVM
        Wire.WireException e = assertThrows(Wire.WireException.class, () -> forged.decode(false));
        assertTrue(e.getMessage().contains("local reference"), e.getMessage());
        assertTrue(!Wire.isLocal(Wire.remoteIdentity()));
    }

    @Test
    void wrongFieldTypesNameTheOpAndField() {
        Msg m = Msg.of(Op.FINISHED, "not-a-key", 1L, 0.5);
        Wire.WireException e = assertThrows(Wire.WireException.class, () -> m.key(0));
        assertTrue(e.getMessage().contains("FINISHED field 0 must be a key"), e.getMessage());
        assertThrows(Wire.WireException.class, () -> m.get(5));
    }

    /** FuzzTest found it: a header cut right after a message's op code crashed the reader's loop (an unchecked peek). */
    @Test
    void aHeaderEndingAfterAnOpCodeIsRefusedNotThrownPast() {
        byte[] cut = {'J', 'D', (byte) Wire.VERSION, 1, (byte) Op.FREE.ordinal()};
        for (int len = 0; len <= cut.length; len++) {
            Wire.Received r = new Wire.Received(Wire.remoteIdentity(), List.of(Arrays.copyOf(cut, len)), 1 << 20);
            int n = len;
            Wire.WireException e = assertThrows(Wire.WireException.class, () -> r.decode(false), "header of " + n + " bytes");
            assertTrue(e.getMessage().contains("malformed header") || e.getMessage().contains("not a jdask message")
                    || e.getMessage().contains("message count"), e.getMessage());
        }
    }

    @Test
    void framesOverTheLimitAreRefusedBeforeParsing() {
        pair.connect(Wire.remoteIdentity());
        dealer.sendMore(new byte[] {'J', 'D', (byte) Wire.VERSION, 0});
        dealer.send(new byte[5000], 0);
        Wire.Received r = null;
        long end = System.currentTimeMillis() + 5000;
        while (r == null && System.currentTimeMillis() < end) r = Wire.receive(router, true, 4096);
        Wire.Received got = r;
        Wire.WireException e = assertThrows(Wire.WireException.class, () -> got.decode(false));
        assertTrue(e.getMessage().contains("over the limit of 4096"), e.getMessage());
    }
}
