package org.jdask.distributed;

import static org.jdask.distributed.RawZmtp.greeting;
import static org.jdask.distributed.RawZmtp.ready;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Payload;
import org.jdask.distributed.internal.SchedulerEvent;
import org.jdask.distributed.internal.Wire;
import org.jdask.distributed.internal.Wire.Msg;
import org.jdask.distributed.internal.Zmq;
import org.jdask.graph.Key;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * Random mutations of valid messages, for 60 s (at most 200,000 of them), at a scheduler and a
 * worker's data port on loopback: at the jdask layer (well-formed ZeroMQ messages whose header and
 * payload frames are mutated) and at the ZMTP layer (a raw TCP stream of mutated frame headers and
 * bodies after a greeting). Afterwards both still serve a client and memory stayed bounded. Runs in
 * the {@code slow} profile ({@code -Pslow} or {@code -Djdask.soak=true}); the seed is printed.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FuzzTest {
    static final long RUN_MS = 60_000;
    static final int MAX_MESSAGES = 200_000;

    /** Valid messages of every kind a scheduler or a worker's data port reads, as the frames Wire sends. */
    static List<List<byte[]>> validMessages() {
        Key k = Key.of("fuzz", 1, 2);
        List<Msg> samples = List.of(
                new Messages.HelloClient("fuzz", Wire.VERSION).msg(),
                new Messages.HelloWorker("tcp://127.0.0.1:1", "w", 1, Map.of("GPU", 1.0), 0L, Wire.VERSION).msg(),
                new Messages.Heartbeat(Map.of("memory", 1L)).msg(),
                new Messages.Workers(0).msg(),
                new Messages.Story(7, k).msg(),
                new Messages.Release(List.of(k)).msg(),
                new Messages.Cancel(List.of(k)).msg(),
                new Messages.Finished(k, 8, 0.5, null, null).msg(),
                new Messages.UpdateGraph(List.of(new SchedulerEvent.NewTask(k, Payload.ofValue("spec"), null, List.of(), 0, 0, 0,
                        null, null, "fuzz")), List.of(k), true).msg(),
                new Messages.Released(k).msg(),
                new Messages.GetData(3, List.of(k)).msg(),
                new Messages.PutData(4, List.of(k), List.of(Payload.ofValue(new byte[5000]))).msg(),
                new Messages.Goodbye().msg());
        List<List<byte[]>> out = new ArrayList<>();
        ZMQ.Socket in = Zmq.socket(SocketType.PAIR, 1 << 20), send = Zmq.socket(SocketType.PAIR, 1 << 20);
        try {
            in.bind("inproc://fuzz-capture");
            send.connect("inproc://fuzz-capture");
            for (Msg m : samples) {
                Wire.send(send, null, List.of(m), false);
                List<byte[]> frames = new ArrayList<>();
                frames.add(in.recv(0));
                while (in.hasReceiveMore()) frames.add(in.recv(0));
                out.add(frames);
            }
        } finally {
            Zmq.close(in);
            Zmq.close(send);
        }
        return out;
    }

    static byte[] mutate(byte[] b, Random r) {
        byte[] x = b.clone();
        switch (r.nextInt(6)) {
            case 0 -> { if (x.length > 0) x[r.nextInt(x.length)] ^= (byte) (1 << r.nextInt(8)); }
            case 1 -> { if (x.length > 0) x[r.nextInt(x.length)] = (byte) r.nextInt(256); }
            case 2 -> x = Arrays.copyOf(x, r.nextInt(x.length + 1));                 // truncate
            case 3 -> {                                                                          // extend with noise
                byte[] y = Arrays.copyOf(x, x.length + 1 + r.nextInt(64));
                for (int i = x.length; i < y.length; i++) y[i] = (byte) r.nextInt(256);
                x = y;
            }
            case 4 -> { for (int i = 0; i < 1 + r.nextInt(4) && x.length > 0; i++) x[r.nextInt(x.length)] = (byte) 0xff; }
            default -> { if (x.length > 3) x[3] = (byte) r.nextInt(256); }                       // the message count
        }
        return x;
    }

    /** One message with mutated frames: some changed, maybe one dropped or duplicated. */
    static List<byte[]> mutate(List<byte[]> msg, Random r) {
        List<byte[]> out = new ArrayList<>();
        for (byte[] f : msg) out.add(r.nextInt(3) == 0 ? f : mutate(f, r));
        if (out.size() > 1 && r.nextInt(8) == 0) out.remove(r.nextInt(out.size()));
        if (r.nextInt(8) == 0) out.add(out.get(r.nextInt(out.size())));
        return out;
    }

    /** Frames as ZMTP 3 puts them on the wire: flags, a 1- or 8-byte size, the body. */
    static byte[] zmtp(List<byte[]> frames) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (int i = 0; i < frames.size(); i++) {
            byte[] f = frames.get(i);
            int more = i < frames.size() - 1 ? 1 : 0;
            if (f.length < 256) {
                o.write(more);
                o.write(f.length);
            } else {
                o.write(more | 2);
                for (int s = 56; s >= 0; s -= 8) o.write((int) ((long) f.length >>> s));
            }
            o.writeBytes(f);
        }
        return o.toByteArray();
    }

    @Test
    void randomMutationsOfValidFramesForAMinuteLeaveSchedulerAndWorkerServing() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("jdask.soak"), "run with -Pslow (or -Djdask.soak=true)");
        long seed = System.nanoTime();
        System.out.println("FuzzTest seed " + seed);
        Random r = new Random(seed);
        List<List<byte[]>> valid = validMessages();
        try (LocalCluster cluster = LocalCluster.builder().workers(0).processes(false).build();
             Worker w = Worker.start(cluster.schedulerAddress(), Worker.Options.defaults().withThreads(1).withName("fuzzed"))) {
            HostileTest.assertServes(cluster.schedulerAddress(), null, w.address());
            long rss0 = RawZmtp.rss(ProcessHandle.current().pid());
            List<String> targets = List.of(cluster.schedulerAddress(), w.address());
            long end = System.currentTimeMillis() + RUN_MS;
            int sent = 0;
            while (sent < MAX_MESSAGES && System.currentTimeMillis() < end) {
                String target = targets.get(r.nextInt(targets.size()));
                if (r.nextBoolean()) sent += jdaskLayer(target, valid, r);
                else sent += zmtpLayer(target, valid, r);
            }
            System.out.println("FuzzTest sent " + sent + " mutated messages");
            HostileTest.assertServes(cluster.schedulerAddress(), null, w.address());
            long grew = RawZmtp.rss(ProcessHandle.current().pid()) - rss0;
            assertTrue(grew < 1L << 30, "RSS grew by " + (grew >> 20) + " MiB (seed " + seed + ")");
        }
    }

    /** Up to 500 mutated messages on one well-behaved ZeroMQ connection. */
    static int jdaskLayer(String target, List<List<byte[]>> valid, Random r) {
        ZMQ.Socket s = Zmq.socket(SocketType.DEALER, 1 << 20);
        int n = 0;
        try {
            s.setIdentity(Wire.remoteIdentity());
            s.connect(target);
            for (; n < 500; n++) {
                List<byte[]> m = mutate(valid.get(r.nextInt(valid.size())), r);
                for (int i = 0; i < m.size(); i++) {
                    if (!s.send(m.get(i), ZMQ.DONTWAIT | (i < m.size() - 1 ? ZMQ.SNDMORE : 0))) break;
                }
                while (s.recv(ZMQ.DONTWAIT) != null) {
                    // answers (ERROR ...) are read and dropped
                }
            }
        } finally {
            Zmq.close(s);
        }
        return n;
    }

    /** Up to 200 mutated ZMTP-encoded messages on one raw TCP connection, after a greeting and READY. */
    static int zmtpLayer(String target, List<List<byte[]>> valid, Random r) throws IOException {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.writeBytes(greeting("NULL"));
        stream.writeBytes(ready("DEALER"));
        int n = 1 + r.nextInt(200);
        for (int i = 0; i < n; i++) {
            byte[] wire = zmtp(valid.get(r.nextInt(valid.size())));
            stream.writeBytes(r.nextInt(4) == 0 ? wire : mutate(wire, r));
        }
        byte[] all = stream.toByteArray();
        if (r.nextInt(4) == 0) all = mutate(all, r); // now and then the greeting or READY too
        try (Socket s = RawZmtp.send(target, all)) {
            s.getInputStream().skip(Math.min(64, s.getInputStream().available()));
        } catch (IOException refused) {
            // the peer hung up: what it should do with garbage
        }
        return n;
    }
}
