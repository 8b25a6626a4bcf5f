package org.jdask.distributed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.jdask.distributed.internal.Messages.*;
import org.jdask.distributed.internal.SchedulerEvent.NewTask;
import org.jdask.distributed.internal.SchedulerEvent.Scattered;
import org.jdask.distributed.internal.SchedulerInstruction.ReportKind;
import org.jdask.distributed.internal.Wire.Msg;
import org.jdask.distributed.internal.Wire.WireException;
import org.jdask.distributed.coord.CoordOp;
import org.jdask.distributed.coord.CoordStatus;
import org.jdask.distributed.report.TaskRecord;
import org.jdask.graph.Key;
import org.junit.jupiter.api.Test;

/**
 * Every message type through the real wire (header + payload frames over a ROUTER/DEALER pair)
 * and back, with empty, maximal and random field values; malformed messages are refused naming
 * the op and the field; PROTOCOL.md lists every message with its fields.
 */
class MessagesTest {
    List<Message> overTheWire(List<Message> ms) {
        List<Msg> batch = new ArrayList<>();
        for (Message m : ms) batch.add(m.msg());
        Wire.Received r = null;
        // a remote identity: payloads travel as bytes, not local references
        try (InprocPair p = InprocPair.open("messages-test", 1 << 28).connect(Wire.remoteIdentity())) {
            Wire.send(p.dealer(), null, batch, false);
            long end = System.currentTimeMillis() + 10_000;
            while (r == null && System.currentTimeMillis() < end) r = Wire.receive(p.router(), true, 1 << 28);
        }
        List<Message> out = new ArrayList<>();
        for (Msg m : r.decode(false)) out.add(Messages.decode(m));
        return out;
    }

    /** A comparable form: payloads by their decoded value, sets and lists as lists. */
    static Object plain(Object o) {
        if (o instanceof Payload p) {
            Object v = p.value();
            return List.of("payload", v instanceof double[] d ? "double[" + d.length + "] " + Arrays.hashCode(d) : String.valueOf(v));
        }
        if (o instanceof Message m) return List.of(m.op(), plain(m.fields()));
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object x : l) out.add(plain(x));
            return out;
        }
        if (o instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, plain(v)));
            return out;
        }
        if (o instanceof Integer i) return (long) i;
        return o;
    }

    static Key key(Random r, boolean max) {
        if (max) return Key.of("k".repeat(1000), Integer.MAX_VALUE, Integer.MIN_VALUE, 0);
        return r.nextBoolean() ? Key.of("t-" + r.nextInt(1000)) : Key.of("x", r.nextInt(100), r.nextInt(100));
    }

    static List<Key> keys(Random r, int size, boolean max) {
        List<Key> out = new ArrayList<>();
        for (int i = 0; i < size; i++) out.add(max ? Key.of("k" + i + "-" + "z".repeat(200), i) : key(r, false));
        return out;
    }

    static List<String> strs(Random r, int size) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < size; i++) out.add("tcp://10.0.0." + r.nextInt(255) + ":" + (1024 + r.nextInt(60000)) + "-ü€");
        return out;
    }

    /** One message of every op: {@code size} 0 = empty values, 1 = random, 2 = maximal. */
    static List<Message> samples(Random r, int size) {
        boolean max = size == 2;
        int count = size == 0 ? 0 : max ? 5000 : 1 + r.nextInt(20);
        long big = max ? Long.MAX_VALUE : size == 0 ? 0 : r.nextInt(1_000_000);
        int bigInt = max ? Integer.MAX_VALUE : (int) big;
        String text = max ? "é".repeat(100_000) : size == 0 ? "" : "text " + r.nextInt();
        Payload p = Payload.ofValue(max ? new double[100_000] : size == 0 ? "" : List.of(r.nextInt(), "v"));
        Map<String, Double> res = size == 0 ? Map.of() : Map.of("GPU", max ? Double.MAX_VALUE : r.nextDouble());
        Map<String, Object> metrics = new LinkedHashMap<>();
        for (int i = 0; i < (size == 0 ? 0 : 3); i++) metrics.put("m" + i, max ? Long.MIN_VALUE : r.nextInt());
        List<Map<String, Object>> workers = new ArrayList<>();
        for (int i = 0; i < Math.min(count, 100); i++) workers.add(Map.of("address", "tcp://w" + i, "nthreads", (long) i));
        Key k = size == 0 ? Key.of("k") : key(r, max);
        List<Key> ks = keys(r, count, max);
        List<NewTask> tasks = new ArrayList<>();
        for (int i = 0; i < Math.min(count, 500); i++) {
            Payload spec = Payload.ofValue("spec " + i);
            tasks.add(new NewTask(ks.get(i), spec, i % 2 == 0 ? null : spec, ks.subList(0, Math.min(i, 3)), bigInt, -i, i,
                    i % 3 == 0 ? null : Set.of("tcp://a:1"), i % 2 == 0 ? null : res, "prefix" + i));
        }
        List<Scattered> scattered = new ArrayList<>();
        for (Key x : ks) scattered.add(new Scattered(x, strs(r, 2), big));
        Map<Key, List<String>> whoHas = new LinkedHashMap<>();
        for (Key x : ks) whoHas.put(x, strs(r, size == 0 ? 0 : 2));
        List<Payload> values = new ArrayList<>();
        for (int i = 0; i < ks.size(); i++) values.add(Payload.ofValue("value " + i)); // one big payload is enough
        List<Long> sizes = new ArrayList<>();
        for (int i = 0; i < ks.size(); i++) sizes.add(big);
        List<String> states = new ArrayList<>();
        List<Boolean> wanted = new ArrayList<>();
        for (int i = 0; i < ks.size(); i++) {
            states.add(i % 3 == 0 ? null : TaskState.values()[i % TaskState.values().length].name());
            wanted.add(i % 2 == 0);
        }
        return List.of(
                new HelloClient(text, bigInt), new HelloWorker(text, text, bigInt, res, big, Wire.VERSION),
                new Welcome(text, bigInt, workers), new Welcome(text, bigInt, workers, "tcp://10.0.0.1:4567"), new ErrorMsg(text), new Goodbye(),
                new UpdateGraph(tasks, ks, size == 1), new Release(ks), new Cancel(ks), new UpdateData(scattered),
                new Story(big, k), new StoryReply(big, strs(r, count)), new Workers(big),
                new WorkersReply(big, workers, size == 0 ? null : List.of(big, big)), new Publish(text, ks),
                new GetDataset(big, text), new DatasetReply(big, size == 0 ? null : ks), new Restart(),
                new KeyState(big, ks), new KeyStateReply(big, states, wanted),
                new Report(k, ReportKind.values()[r.nextInt(4)], strs(r, count), size == 0 ? null : p, size == 0 ? null : k),
                new TaskDone(k, bigInt, size == 2), new Heartbeat(metrics),
                new Finished(k, big, max ? Double.MAX_VALUE : r.nextDouble(), size == 0 ? null : big, size == 0 ? null : bigInt),
                new Erred(k, p), new Missing(k, k, text), new StealAnswer(k, size == 1), new Released(k), new WorkerDied(text, text, Wire.VERSION),
                new Compute(new WorkerEvent.Compute(k, p, size == 0 ? null : p, whoHas, new Prio(bigInt, big, -bigInt), size == 0 ? null : res)),
                new Free(ks), new Steal(k), new Close(text), new GetData(big, ks), new Data(big, ks, values, ks),
                new PutData(big, ks, values), new PutAck(big, sizes), new Run(big, p, strs(r, count)), new RunReply(big, size == 1, p),
                new RetireWorkers(big, strs(r, count)), new Rebalance(big), new MovesDone(big, big, size == 0 ? null : text),
                new Acquire(k, strs(r, count)), new BulkHello(big), new BulkWelcome(big, bigInt, text, size == 0 ? null : text),
                new CoordRequest(big, CoordOp.values()[r.nextInt(CoordOp.values().length)], text, size == 0 ? null : p, ks, big, big,
                        size == 0 ? null : text),
                new CoordReply(big, CoordStatus.values()[r.nextInt(3)], size == 0 ? null : p, ks, big, size == 0 ? null : text),
                new CoordChannel(big, text), new TopicMessage(text, size == 0 ? null : p), new LongRunning(k), new WhoHas(big, ks, size == 1),
                new WhoHasReply(big, scattered), new Replicate(ks, bigInt),
                new ActorCreate(big, text, p, strs(r, count)), new ActorCall(big, text, p, size == 0 ? null : p),
                new ActorHold(big, text, size == 0 ? -1 : bigInt, strs(r, count)), new ActorReply(big, size == 1, size == 0 ? null : p),
                new TaskStream(big, big), new TaskStreamReply(big, size == 1, taskRecords(r, count, text)),
                new PeerFetch(big, ks), new BulkOffer(big, ks, bigInt, text, size == 0 ? null : text));
    }

    private static List<TaskRecord> taskRecords(Random r, int count, String text) {
        List<TaskRecord> out = new ArrayList<>();
        for (int i = 0; i < Math.min(count, 100); i++) out.add(new TaskRecord(text, text + i, "tcp://w:" + i, i, r.nextLong(), Long.MAX_VALUE, i % 2 == 0));
        return out;
    }

    @Test
    void samplesCoverEveryOpAndEveryOpHasAReader() {
        Set<Op> covered = EnumSet.noneOf(Op.class);
        for (Message m : samples(new Random(1), 1)) covered.add(m.op());
        assertEquals(EnumSet.allOf(Op.class), covered);
        assertEquals(EnumSet.allOf(Op.class), EnumSet.copyOf(Messages.READERS.keySet()));
    }

    @Test
    void everyMessageRoundTripsWithEmptyRandomAndMaximalValues() {
        Random r = new Random(42);
        for (int size = 0; size <= 2; size++) {
            for (int rep = 0; rep < (size == 1 ? 20 : 1); rep++) {
                List<Message> ms = samples(r, size);
                List<Message> back = overTheWire(ms);
                assertEquals(ms.size(), back.size());
                for (int i = 0; i < ms.size(); i++) {
                    assertEquals(ms.get(i).getClass(), back.get(i).getClass());
                    assertEquals(plain(ms.get(i)), plain(back.get(i)), ms.get(i).op() + " (size " + size + ")");
                }
            }
        }
    }

    @Test
    void decodedRecordsEqualTheOriginalsWhereTheyHoldNoPayload() {
        List<Message> ms = List.of(new Release(List.of(Key.of("a"))), new TaskDone(Key.of("b", 1), 3, true),
                new Finished(Key.of("c"), 10, 0.5, null, null), new Finished(Key.of("c"), 10, 0.5, 77L, 2),
                new WorkersReply(0, List.of(), null), new KeyStateReply(5, Arrays.asList("MEMORY", null), List.of(true, false)));
        assertEquals(ms, overTheWire(ms));
    }

    @Test
    void aMessageOfTheWrongShapeIsRefusedNamingTheOpAndTheField() {
        WireException e = assertThrows(WireException.class, () -> Messages.decode(Msg.of(Op.FINISHED, "not a key", 1L, 0.5)));
        assertTrue(e.getMessage().contains("FINISHED field 0 (key) must be a key"), e.getMessage());
        e = assertThrows(WireException.class, () -> Messages.decode(Msg.of(Op.RELEASE)));
        assertTrue(e.getMessage().contains("RELEASE has 0 fields: field 0 (keys) is missing"), e.getMessage());
        e = assertThrows(WireException.class, () -> Messages.decode(Msg.of(Op.STEAL, Key.of("a"), "extra")));
        assertTrue(e.getMessage().contains("STEAL has 2 fields, expected 1"), e.getMessage());
        e = assertThrows(WireException.class, () -> Messages.decode(Msg.of(Op.REPORT, Key.of("a"), "EXPLODED", List.of(), null, null)));
        assertTrue(e.getMessage().contains("REPORT field 1 (kind) must be one of [MEMORY, ERRED, LOST, CANCELLED]"), e.getMessage());
        e = assertThrows(WireException.class, () -> Messages.decode(Msg.of(Op.UPDATE_GRAPH, List.of(List.of(Key.of("a"))), List.of(), false)));
        assertTrue(e.getMessage().contains("UPDATE_GRAPH.tasks[0] has 1 fields: field 1 (spec) is missing"), e.getMessage());
        e = assertThrows(WireException.class, () -> Messages.decode(Msg.of(Op.HELLO_WORKER, "a", "n", 5_000_000_000L, Map.of(), 0L, 1L)));
        assertTrue(e.getMessage().contains("(nthreads) must be a 32-bit integer"), e.getMessage());
        e = assertThrows(WireException.class, () -> Messages.decode(Msg.of(Op.DATA, 1L, List.of(Key.of("a")), List.of(), List.of())));
        assertTrue(e.getMessage().contains("DATA has 1 keys but 0 values"), e.getMessage());
        List<Object> prio = List.of(0L, 0L, 0L);
        e = assertThrows(WireException.class, () -> Messages.decode(Msg.of(Op.COMPUTE, Key.of("t"), null, null, List.of(Key.of("a")),
                List.of(List.of(List.of("w1"))), List.of(1L), prio, null)));
        assertTrue(e.getMessage().contains("COMPUTE 't': dep 'a' names holder list 1 of 1"), e.getMessage());
        e = assertThrows(WireException.class, () -> Messages.decode(Msg.of(Op.COMPUTE, Key.of("t"), null, null, List.of(Key.of("a")),
                List.of(), List.of(), prio, null)));
        assertTrue(e.getMessage().contains("COMPUTE 't': 1 deps but 0 holder indexes"), e.getMessage());
    }

    @Test
    void aTaskOfTenThousandInputsOnTwoWorkersNamesEachHolderListOnce() {
        Map<Key, List<String>> whoHas = new LinkedHashMap<>();
        for (int i = 0; i < 10_000; i++) whoHas.put(Key.of("inc-" + i), List.of(i % 3 == 0 ? "tcp://127.0.0.1:40001" : "tcp://127.0.0.1:40002"));
        whoHas.put(Key.of("both"), List.of("tcp://127.0.0.1:40001", "tcp://127.0.0.1:40002"));
        whoHas.put(Key.of("nowhere"), List.of());
        Compute c = new Compute(new WorkerEvent.Compute(Key.of("sum"), null, null, whoHas, new Prio(0, 1, 2), null));
        List<Object> fields = c.fields();
        assertEquals(4, ((List<?>) fields.get(4)).size(), "distinct holder lists"); // 40001, 40002, both, none
        assertEquals(List.of(c), overTheWire(List.of(c)));
        Compute back = (Compute) overTheWire(List.of(c)).get(0);
        assertEquals(new ArrayList<>(whoHas.keySet()), new ArrayList<>(back.task().whoHas().keySet())); // input order kept
    }

    @Test
    void anotherVersionIsRefusedNamingBoth() {
        WireException e = assertThrows(WireException.class, () -> Messages.checkVersion("client c-1", Wire.VERSION + 7));
        assertTrue(e.getMessage().contains("client c-1 speaks protocol version " + (Wire.VERSION + 7) + ", this side speaks " + Wire.VERSION),
                e.getMessage());
    }

    /** PROTOCOL.md has a row {@code | OP | fields |} per op naming each field of its record. */
    @Test
    void protocolMdListsEveryMessageWithItsFields() throws IOException {
        Path doc = Path.of("PROTOCOL.md");
        List<String> lines = Files.readAllLines(doc);
        List<String> problems = new ArrayList<>();
        for (Message m : samples(new Random(3), 1)) {
            String row = null;
            for (String l : lines) if (l.startsWith("| " + m.op().name() + " |")) row = l;
            if (row == null) {
                problems.add(m.op() + ": no row '| " + m.op() + " | ...' in " + doc.toAbsolutePath());
                continue;
            }
            for (String field : fieldNames(m.getClass())) {
                if (!row.contains(field)) problems.add(m.op() + ": field '" + field + "' not in its row");
            }
        }
        assertEquals(List.of(), problems);
    }

    /** A record's components; one that is itself a record is listed by its own components. */
    static Set<String> fieldNames(Class<?> type) {
        Set<String> out = new LinkedHashSet<>();
        for (RecordComponent c : type.getRecordComponents()) {
            if (c.getType().isRecord()) out.addAll(fieldNames(c.getType()));
            else out.add(c.getName());
        }
        return out;
    }
}
