package org.jdask.distributed.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jdask.distributed.internal.SchedulerEvent.NewTask;
import org.jdask.distributed.internal.SchedulerEvent.Scattered;
import org.jdask.distributed.internal.SchedulerInstruction.ReportKind;
import org.jdask.distributed.internal.Wire.Msg;
import org.jdask.distributed.internal.Wire.WireException;
import org.jdask.distributed.coord.CoordOp;
import org.jdask.distributed.coord.CoordStatus;
import org.jdask.distributed.report.TaskRecord;
import org.jdask.graph.Key;

/**
 * Every message of the protocol as one typed record per {@link Op}, and the one codec between
 * those records and {@link Msg} (the header's list of fields). Shells build a record and send
 * {@link Message#msg()}; they read with {@link #decode}, which checks the shape (field count,
 * each field's type, optional fields) and throws {@link WireException} naming the op and the
 * field, so a malformed message from the network is refused before any shell code touches it.
 *
 * <h2>Adding a message</h2>
 * <ol>
 *   <li>append the op to {@link Op} (codes are ordinals: never reorder);</li>
 *   <li>add a record here implementing {@link Message}: its fields in wire order, {@code op()},
 *       {@code fields()} (what goes on the wire) and a static {@code read(Fields)};</li>
 *   <li>register {@code read} in {@link #READERS};</li>
 *   <li>list it in {@code distributed/PROTOCOL.md} ({@code MessagesTest} fails until the table
 *       names the op and each field) and add a sample to {@code MessagesTest.samples()}.</li>
 * </ol>
 * Optional fields are nullable record components; a trailing optional field may be absent on the
 * wire. Records of the state machines are reused, not mirrored: {@link NewTask} in
 * {@link UpdateGraph}, {@link Scattered} in {@link UpdateData}, {@link WorkerEvent.Compute} in
 * {@link Compute}, {@link ReportKind} in {@link Report}.
 */
public final class Messages {
    private Messages() {}

    /** One protocol message. */
    public interface Message {
        Op op();

        /** The fields in wire order (types the {@link Wire} header can carry). */
        List<Object> fields();

        default Msg msg() {
            return passLocally() ? new Msg(op(), null, this) : new Msg(op(), fields());
        }

        /**
         * Whether, between components of one JVM, this message crosses the socket as itself (a
         * local reference) rather than encoded: for immutable messages that are large or many (a
         * map's graph update, a report per finished task), whose encoding and decoding (100,000
         * header values for a 10,000-task map, interpreted in a fresh JVM) cost more than the rest
         * of their trip. A receiver in another JVM gets them encoded as usual.
         */
        default boolean passLocally() {
            return false;
        }
    }

    /** An answer to a request: {@code id} is the request's (0: the answer to a ping). */
    public interface Reply extends Message {
        long id();
    }

    /**
     * Decodes {@code m} into its record; a wrong shape (missing or extra field, a field of the
     * wrong type) throws {@link WireException} naming the op and the field.
     */
    public static Message decode(Msg m) {
        if (m.local() != null) return m.local(); // passed within this JVM as itself (Wire checked its op)
        Function<Fields, Message> r = READERS.get(m.op());
        if (r == null) throw new WireException("no message type is registered for op " + m.op());
        Fields f = new Fields(m.op(), m.fields());
        Message out = r.apply(f);
        f.end();
        return out;
    }

    /** Decodes {@code m}, which must be a {@code type}. */
    public static <T extends Message> T decode(Msg m, Class<T> type) {
        Message d = decode(m);
        if (!type.isInstance(d)) throw new WireException("expected " + type.getSimpleName() + ", got " + m.op());
        return type.cast(d);
    }

    /** The version a hello carries; the receiver refuses any other, naming both. */
    public static void checkVersion(String who, int theirs) {
        if (theirs != Wire.VERSION) {
            throw new WireException(who + " speaks protocol version " + theirs + ", this side speaks " + Wire.VERSION
                    + ": run the same jdask version everywhere");
        }
    }

    // ------------------------------------------------------------------ hello

    /** Client → scheduler: the first message; answered by {@link Welcome}. */
    public record HelloClient(String name, int version) implements Message {
        public Op op() { return Op.HELLO_CLIENT; }
        public List<Object> fields() { return List.of(name, version); }
        static HelloClient read(Fields f) { return new HelloClient(f.str("name"), f.integer("version")); }
    }

    /** Worker → scheduler: registers; {@code memoryLimit} 0 is none. */
    public record HelloWorker(String address, String name, int nthreads, Map<String, Double> resources, long memoryLimit,
                              int version) implements Message {
        public Op op() { return Op.HELLO_WORKER; }
        public List<Object> fields() { return List.of(address, name, nthreads, new LinkedHashMap<String, Object>(resources), memoryLimit, version); }
        static HelloWorker read(Fields f) {
            return new HelloWorker(f.str("address"), f.str("name"), f.integer("nthreads"), f.doubles("resources"),
                    f.num("memoryLimit"), f.integer("version"));
        }
    }

    /**
     * Scheduler → client or worker: registered as {@code id} ({@code workers}: the scheduler's workers, for clients);
     * {@code codeRelay} (optional, clients only): the scheduler's code relay {@code tcp://HOST:PORT}, null without one.
     */
    public record Welcome(String id, int version, List<Map<String, Object>> workers, String codeRelay) implements Message {
        public Welcome(String id, int version, List<Map<String, Object>> workers) {
            this(id, version, workers, null);
        }
        public Op op() { return Op.WELCOME; }
        public List<Object> fields() {
            List<Object> w = new ArrayList<Object>(workers);
            return codeRelay == null ? List.of(id, version, w) : List.of(id, version, w, codeRelay);
        }
        static Welcome read(Fields f) {
            String id = f.str("id");
            int version = f.integer("version");
            List<Map<String, Object>> workers = f.maps("workers");
            return new Welcome(id, version, workers, f.more() ? f.str("codeRelay") : null);
        }
    }

    /** Any direction: a request was refused ({@code text} says why). */
    public record ErrorMsg(String text) implements Message {
        public Op op() { return Op.ERROR; }
        public List<Object> fields() { return List.of(String.valueOf(text)); }
        static ErrorMsg read(Fields f) { return new ErrorMsg(f.str("text")); }
    }

    /** Client or worker → scheduler: leaving (the scheduler releases what it wanted or held). */
    public record Goodbye() implements Message {
        public Op op() { return Op.GOODBYE; }
        public List<Object> fields() { return List.of(); }
        static Goodbye read(Fields f) { return new Goodbye(); }
    }

    // ------------------------------------------------------------------ client -> scheduler

    /** Tasks (dependencies first) and the keys the client wants; {@code report}: per-task {@link TaskDone}s. */
    public record UpdateGraph(List<NewTask> tasks, List<Key> wanted, boolean report) implements Message {
        /** From this many tasks on, an in-process client's update travels by reference (see {@link Message#passLocally}); the scheduler applies it on its helper thread. */
        static final int PASS_LOCALLY_FROM = 256;

        public UpdateGraph {
            tasks = List.copyOf(tasks); // immutable: it may be handed to the scheduler's thread as it is
            wanted = List.copyOf(wanted);
        }

        public Op op() { return Op.UPDATE_GRAPH; }
        @Override
        public boolean passLocally() { return tasks.size() >= PASS_LOCALLY_FROM; }
        public List<Object> fields() {
            List<Object> ts = new ArrayList<>(tasks.size());
            for (NewTask t : tasks) {
                ts.add(Arrays.asList(t.key(), t.spec(), t.config(), t.deps(), t.userPriority(), // deps: immutable already (NewTask)
                        t.order(), t.retries(), t.workers().isEmpty() ? null : new ArrayList<Object>(t.workers()),
                        t.resources().isEmpty() ? null : new LinkedHashMap<String, Object>(t.resources()), t.prefix()));
            }
            return List.of(ts, new ArrayList<Object>(wanted), report);
        }
        static UpdateGraph read(Fields f) {
            List<NewTask> ts = new ArrayList<>();
            for (Fields t : f.records("tasks")) {
                ts.add(new NewTask(t.key("key"), t.payloadOrNull("spec"), t.payloadOrNull("config"), t.keys("deps"),
                        t.integer("userPriority"), t.integer("order"), t.integer("retries"), t.strSetOrNull("workers"),
                        t.doublesOrNull("resources"), t.str("prefix")));
                t.end();
            }
            return new UpdateGraph(ts, f.keys("wanted"), f.bool("report"));
        }
    }

    public record Release(List<Key> keys) implements Message {
        public Op op() { return Op.RELEASE; }
        public List<Object> fields() { return List.of(new ArrayList<Object>(keys)); }
        static Release read(Fields f) { return new Release(f.keys("keys")); }
    }

    public record Cancel(List<Key> keys) implements Message {
        public Op op() { return Op.CANCEL; }
        public List<Object> fields() { return List.of(new ArrayList<Object>(keys)); }
        static Cancel read(Fields f) { return new Cancel(f.keys("keys")); }
    }

    /** Values a client put on workers itself (scatter). */
    public record UpdateData(List<Scattered> keys) implements Message {
        public Op op() { return Op.UPDATE_DATA; }
        public List<Object> fields() {
            List<Object> out = new ArrayList<>(keys.size());
            for (Scattered s : keys) out.add(List.of(s.key(), new ArrayList<Object>(s.workers()), s.nbytes()));
            return List.of(out);
        }
        static UpdateData read(Fields f) { return new UpdateData(scattered(f, "keys")); }
    }

    public record Story(long id, Key key) implements Message {
        public Op op() { return Op.STORY; }
        public List<Object> fields() { return List.of(id, key); }
        static Story read(Fields f) { return new Story(f.num("id"), f.key("key")); }
    }

    public record StoryReply(long id, List<String> lines) implements Reply {
        public Op op() { return Op.STORY_REPLY; }
        public List<Object> fields() { return List.of(id, new ArrayList<Object>(lines)); }
        static StoryReply read(Fields f) { return new StoryReply(f.num("id"), f.strs("lines")); }
    }

    /** The scheduler's workers; id 0 is the client's liveness ping. */
    public record Workers(long id) implements Message {
        public Op op() { return Op.WORKERS; }
        public List<Object> fields() { return List.of(id); }
        static Workers read(Fields f) { return new Workers(f.num("id")); }
    }

    /** {@code counts} ([queued, unrunnable]) is absent in the answer to a ping. */
    public record WorkersReply(long id, List<Map<String, Object>> workers, List<Long> counts) implements Reply {
        public Op op() { return Op.WORKERS_REPLY; }
        public List<Object> fields() {
            return counts == null ? List.of(id, new ArrayList<Object>(workers)) : List.of(id, new ArrayList<Object>(workers), new ArrayList<Object>(counts));
        }
        static WorkersReply read(Fields f) { return new WorkersReply(f.num("id"), f.maps("workers"), f.longsOrAbsent("counts")); }
    }

    /** Keeps {@code keys} alive under {@code name} for other clients. */
    public record Publish(String name, List<Key> keys) implements Message {
        public Op op() { return Op.PUBLISH; }
        public List<Object> fields() { return List.of(name, new ArrayList<Object>(keys)); }
        static Publish read(Fields f) { return new Publish(f.str("name"), f.keys("keys")); }
    }

    public record GetDataset(long id, String name) implements Message {
        public Op op() { return Op.GET_DATASET; }
        public List<Object> fields() { return List.of(id, name); }
        static GetDataset read(Fields f) { return new GetDataset(f.num("id"), f.str("name")); }
    }

    /** {@code keys} is null when no dataset has that name. */
    public record DatasetReply(long id, List<Key> keys) implements Reply {
        public Op op() { return Op.DATASET_REPLY; }
        public List<Object> fields() { return Arrays.asList(id, keys == null ? null : new ArrayList<Object>(keys)); }
        static DatasetReply read(Fields f) { return new DatasetReply(f.num("id"), f.keysOrNull("keys")); }
    }

    public record Restart() implements Message {
        public Op op() { return Op.RESTART; }
        public List<Object> fields() { return List.of(); }
        static Restart read(Fields f) { return new Restart(); }
    }

    /** The client's watchdog: does the scheduler still hold these keys for it? */
    public record KeyState(long id, List<Key> keys) implements Message {
        public Op op() { return Op.KEY_STATE; }
        public List<Object> fields() { return List.of(id, new ArrayList<Object>(keys)); }
        static KeyState read(Fields f) { return new KeyState(f.num("id"), f.keys("keys")); }
    }

    /** Per key: its state's name (null: unknown) and whether the asking client wants it. */
    public record KeyStateReply(long id, List<String> states, List<Boolean> wanted) implements Reply {
        public Op op() { return Op.KEY_STATE_REPLY; }
        public List<Object> fields() { return List.of(id, new ArrayList<Object>(states), new ArrayList<Object>(wanted)); }
        static KeyStateReply read(Fields f) { return new KeyStateReply(f.num("id"), f.strsWithNulls("states"), f.bools("wanted")); }
    }

    // ------------------------------------------------------------------ scheduler -> client

    /** About a key the client wants; {@code exception} (ERRED) or reason (CANCELLED) and {@code blame} are optional. */
    public record Report(Key key, ReportKind kind, List<String> workers, Payload exception, Key blame) implements Message {
        public Report {
            workers = List.copyOf(workers); // immutable: it may reach an in-process client as it is
        }

        public Op op() { return Op.REPORT; }
        /** One per finished task to an in-process client: by reference, not five header values each way. */
        @Override
        public boolean passLocally() { return true; }
        public List<Object> fields() { return Arrays.asList(key, kind.name(), workers, exception, blame); }
        static Report read(Fields f) {
            return new Report(f.key("key"), f.enumOf("kind", ReportKind.class), f.strs("workers"), f.payloadOrNull("exception"),
                    f.keyOrNull("blame"));
        }
    }

    /** For listeners: {@code key} finished on worker number {@code worker}. */
    public record TaskDone(Key key, int worker, boolean failed) implements Message {
        public Op op() { return Op.TASK_DONE; }
        @Override
        public boolean passLocally() { return true; } // one per finished task (listeners), immutable
        public List<Object> fields() { return List.of(key, worker, failed); }
        static TaskDone read(Fields f) { return new TaskDone(f.key("key"), f.integer("worker"), f.bool("failed")); }
    }

    // ------------------------------------------------------------------ worker -> scheduler

    public record Heartbeat(Map<String, Object> metrics) implements Message {
        public Op op() { return Op.HEARTBEAT; }
        public List<Object> fields() { return List.of(new LinkedHashMap<>(metrics)); }
        static Heartbeat read(Fields f) { return new Heartbeat(f.map("metrics")); }
    }

    /** {@code startMs} and {@code thread} (for the task stream) are optional and travel together. */
    public record Finished(Key key, long nbytes, double seconds, Long startMs, Integer thread) implements Message {
        public Op op() { return Op.FINISHED; }
        public List<Object> fields() {
            return startMs == null ? List.of(key, nbytes, seconds) : List.of(key, nbytes, seconds, startMs, thread == null ? 0 : thread);
        }
        static Finished read(Fields f) {
            Key k = f.key("key");
            long n = f.num("nbytes");
            double s = f.dbl("seconds");
            if (!f.more()) return new Finished(k, n, s, null, null);
            return new Finished(k, n, s, f.num("startMs"), f.integer("thread"));
        }
    }

    public record Erred(Key key, Payload exception) implements Message {
        public Op op() { return Op.ERRED; }
        public List<Object> fields() { return Arrays.asList(key, exception); }
        static Erred read(Fields f) { return new Erred(f.key("key"), f.payloadOrNull("exception")); }
    }

    /** {@code dep}, needed by {@code key}, could not be had from {@code from}. */
    public record Missing(Key key, Key dep, String from) implements Message {
        public Op op() { return Op.MISSING; }
        public List<Object> fields() { return List.of(key, dep, from); }
        static Missing read(Fields f) { return new Missing(f.key("key"), f.key("dep"), f.str("from")); }
    }

    public record StealAnswer(Key key, boolean released) implements Message {
        public Op op() { return Op.STEAL_ANSWER; }
        public List<Object> fields() { return List.of(key, released); }
        static StealAnswer read(Fields f) { return new StealAnswer(f.key("key"), f.bool("released")); }
    }

    /** A task the scheduler freed (a cancel) has stopped here: its thread is free again. */
    public record Released(Key key) implements Message {
        public Op op() { return Op.RELEASED; }
        public List<Object> fields() { return List.of(key); }
        static Released read(Fields f) { return new Released(f.key("key")); }
    }

    /** Nanny → scheduler: its worker JVM exited ({@code version}: the nanny's protocol version). */
    public record WorkerDied(String address, String reason, int version) implements Message {
        public Op op() { return Op.WORKER_DIED; }
        public List<Object> fields() { return List.of(address, reason, version); }
        static WorkerDied read(Fields f) { return new WorkerDied(f.str("address"), f.str("reason"), f.integer("version")); }
    }

    // ------------------------------------------------------------------ scheduler -> worker

    /** Run a task: the worker state machine's own event, sent as it is. */
    /**
     * A task for a worker. Its inputs' holders travel as the distinct holder lists once
     * ({@code holders}) and, per input, the index of its list ({@code holderOf}): a task of
     * 10,000 inputs held by two workers names two lists, not 10,000 (W6's {@code submit(sum)}: the
     * per-input records were ~520 KB, and their first decode in a fresh worker JVM took ~100 ms).
     */
    public record Compute(WorkerEvent.Compute task) implements Message {
        public Op op() { return Op.COMPUTE; }
        public List<Object> fields() {
            int n = task.whoHas().size();
            List<Object> deps = List.of(), holderOf = List.of(), holders = List.of(); // a root task (a map's): nothing to index
            if (n > 0) {
                deps = new ArrayList<>(n);
                holderOf = new ArrayList<>(n);
                holders = new ArrayList<>();
                Map<List<String>, Integer> index = new HashMap<>();
                for (var e : task.whoHas().entrySet()) {
                    Integer i = index.get(e.getValue());
                    if (i == null) {
                        i = holders.size();
                        index.put(e.getValue(), i);
                        holders.add(List.of(new ArrayList<Object>(e.getValue())));
                    }
                    deps.add(e.getKey());
                    holderOf.add(i);
                }
            }
            Prio p = task.prio();
            Map<String, Double> res = task.resources();
            return Arrays.asList(task.key(), task.spec(), task.config(), deps, holders, holderOf,
                    List.of(p.user(), p.generation(), p.order()), res == null || res.isEmpty() ? null : new LinkedHashMap<String, Object>(res));
        }
        static Compute read(Fields f) {
            Key key = f.key("key");
            Payload spec = f.payloadOrNull("spec");
            Payload config = f.payloadOrNull("config");
            List<Key> deps = f.keys("deps");
            List<List<String>> holders = new ArrayList<>();
            for (Fields h : f.records("holders")) {
                holders.add(List.copyOf(h.strs("workers")));
                h.end();
            }
            List<Long> holderOf = f.longs("holderOf");
            if (holderOf.size() != deps.size()) {
                throw new WireException("COMPUTE " + key + ": " + deps.size() + " deps but " + holderOf.size() + " holder indexes");
            }
            Map<Key, List<String>> whoHas = new LinkedHashMap<>(deps.size() * 2);
            for (int i = 0; i < deps.size(); i++) {
                long h = holderOf.get(i);
                if (h < 0 || h >= holders.size()) {
                    throw new WireException("COMPUTE " + key + ": dep " + deps.get(i) + " names holder list " + h + " of " + holders.size());
                }
                whoHas.put(deps.get(i), holders.get((int) h));
            }
            Fields p = f.record("prio");
            Prio prio = new Prio(p.integer("user"), p.num("generation"), p.integer("order"));
            p.end();
            return new Compute(new WorkerEvent.Compute(key, spec, config, whoHas, prio, f.doublesOrNull("resources")));
        }
    }

    public record Free(List<Key> keys) implements Message {
        public Op op() { return Op.FREE; }
        public List<Object> fields() { return List.of(new ArrayList<Object>(keys)); }
        static Free read(Fields f) { return new Free(f.keys("keys")); }
    }

    public record Steal(Key key) implements Message {
        public Op op() { return Op.STEAL; }
        public List<Object> fields() { return List.of(key); }
        static Steal read(Fields f) { return new Steal(f.key("key")); }
    }

    /** The scheduler drops the worker ({@code "restart"}: its keeper starts a new one). */
    public record Close(String reason) implements Message {
        public Op op() { return Op.CLOSE; }
        public List<Object> fields() { return List.of(reason); }
        static Close read(Fields f) { return new Close(f.str("reason")); }
    }

    // ------------------------------------------------------------------ peer/client <-> worker data port

    public record GetData(long id, List<Key> keys) implements Message {
        public Op op() { return Op.GET_DATA; }
        public List<Object> fields() { return List.of(id, new ArrayList<Object>(keys)); }
        static GetData read(Fields f) { return new GetData(f.num("id"), f.keys("keys")); }
    }

    /** {@code values[i]} is the value of {@code found[i]}; {@code missing} are not held here. */
    public record Data(long id, List<Key> found, List<Payload> values, List<Key> missing) implements Reply {
        public Op op() { return Op.DATA; }
        public List<Object> fields() { return List.of(id, new ArrayList<Object>(found), new ArrayList<Object>(values), new ArrayList<Object>(missing)); }
        static Data read(Fields f) {
            Data d = new Data(f.num("id"), f.keys("found"), f.payloads("values"), f.keys("missing"));
            if (d.found.size() != d.values.size()) {
                throw new WireException("DATA has " + d.found.size() + " keys but " + d.values.size() + " values");
            }
            return d;
        }
    }

    public record PutData(long id, List<Key> keys, List<Payload> values) implements Message {
        public Op op() { return Op.PUT_DATA; }
        public List<Object> fields() { return List.of(id, new ArrayList<Object>(keys), new ArrayList<Object>(values)); }
        static PutData read(Fields f) {
            PutData d = new PutData(f.num("id"), f.keys("keys"), f.payloads("values"));
            if (d.keys.size() != d.values.size()) {
                throw new WireException("PUT_DATA has " + d.keys.size() + " keys but " + d.values.size() + " values");
            }
            return d;
        }
    }

    public record PutAck(long id, List<Long> sizes) implements Reply {
        public Op op() { return Op.PUT_ACK; }
        public List<Object> fields() { return List.of(id, new ArrayList<Object>(sizes)); }
        static PutAck read(Fields f) { return new PutAck(f.num("id"), f.longs("sizes")); }
    }

    /** Run {@code fn} (an {@code Fn0}) once on the worker; {@code allowed}: the client's allowed package prefixes. */
    public record Run(long id, Payload fn, List<String> allowed) implements Message {
        public Op op() { return Op.RUN; }
        public List<Object> fields() { return List.of(id, fn, new ArrayList<Object>(allowed)); }
        static Run read(Fields f) { return new Run(f.num("id"), f.payload("fn"), f.strs("allowed")); }
    }

    /** {@code result}: the value, or the exception when not {@code ok}. */
    public record RunReply(long id, boolean ok, Payload result) implements Reply {
        public Op op() { return Op.RUN_REPLY; }
        public List<Object> fields() { return Arrays.asList(id, ok, result); }
        static RunReply read(Fields f) { return new RunReply(f.num("id"), f.bool("ok"), f.payloadOrNull("result")); }
    }

    /**
     * Worker → peer data port: like {@link GetData}, from a worker that takes large values over the
     * bulk channel: answered by a {@link BulkOffer} for values of 1 MiB or more (when the peer has a
     * bulk port), then by {@link Data} for the rest (found or missing).
     */
    public record PeerFetch(long id, List<Key> keys) implements Message {
        public Op op() { return Op.PEER_FETCH; }
        public List<Object> fields() { return List.of(id, new ArrayList<Object>(keys)); }
        static PeerFetch read(Fields f) { return new PeerFetch(f.num("id"), f.keys("keys")); }
    }

    /**
     * The part of a {@link PeerFetch} to read over the bulk channel: {@code keys} (held there when
     * offered) in a session like {@link BulkWelcome}'s ({@code port}, {@code token}, {@code key}).
     */
    public record BulkOffer(long id, List<Key> keys, int port, String token, String key) implements Reply {
        public Op op() { return Op.BULK_OFFER; }
        public List<Object> fields() { return Arrays.asList(id, new ArrayList<Object>(keys), port, token, key); }
        static BulkOffer read(Fields f) {
            return new BulkOffer(f.num("id"), f.keys("keys"), f.integer("port"), f.str("token"), f.strOrNull("key"));
        }
    }

    /** Peer → worker data port: open a bulk-channel session; answered by {@link BulkWelcome}. */
    public record BulkHello(long id) implements Message {
        public Op op() { return Op.BULK_HELLO; }
        public List<Object> fields() { return List.of(id); }
        static BulkHello read(Fields f) { return new BulkHello(f.num("id")); }
    }

    /**
     * A bulk session: connect to {@code port} on the worker's host and send {@code token} (hex); with
     * security, {@code key} (hex, 32 bytes) seals the connection's records (AES-GCM), else null.
     */
    public record BulkWelcome(long id, int port, String token, String key) implements Reply {
        public Op op() { return Op.BULK_WELCOME; }
        public List<Object> fields() { return Arrays.asList(id, port, token, key); }
        static BulkWelcome read(Fields f) { return new BulkWelcome(f.num("id"), f.integer("port"), f.str("token"), f.strOrNull("key")); }
    }

    // ------------------------------------------------------------------ worker memory (issue 15)

    /** Client → scheduler: move the results only these workers hold, then close them; answered by {@link MovesDone}. */
    public record RetireWorkers(long id, List<String> addresses) implements Message {
        public Op op() { return Op.RETIRE_WORKERS; }
        public List<Object> fields() { return List.of(id, new ArrayList<Object>(addresses)); }
        static RetireWorkers read(Fields f) { return new RetireWorkers(f.num("id"), f.strs("addresses")); }
    }

    /** Client → scheduler: even out the bytes held per worker; answered by {@link MovesDone}. */
    public record Rebalance(long id) implements Message {
        public Op op() { return Op.REBALANCE; }
        public List<Object> fields() { return List.of(id); }
        static Rebalance read(Fields f) { return new Rebalance(f.num("id")); }
    }

    /** Scheduler → client: a retire or rebalance request is done; {@code error} is null unless it could not be. */
    public record MovesDone(long id, long moved, String error) implements Reply {
        public Op op() { return Op.MOVES_DONE; }
        public List<Object> fields() { return Arrays.asList(id, moved, error); }
        static MovesDone read(Fields f) { return new MovesDone(f.num("id"), f.num("moved"), f.strOrNull("error")); }
    }

    /** Scheduler → worker: fetch {@code key} from a worker in {@code from} and keep it (answered by {@link Finished}). */
    public record Acquire(Key key, List<String> from) implements Message {
        public Op op() { return Op.ACQUIRE; }
        public List<Object> fields() { return List.of(key, new ArrayList<Object>(from)); }
        static Acquire read(Fields f) { return new Acquire(f.key("key"), f.strs("from")); }
    }

    // ------------------------------------------------------------------ coordination (issue 19)

    /**
     * Client → scheduler: one operation on a named queue, variable, semaphore (locks are
     * semaphores of one lease), event or topic (see {@code org.jdask.distributed.coord.CoordState}).
     * {@code value}: a put/set/publish value; {@code keys}: the key of a future travelling as the
     * value; {@code n}: a queue's bound or a semaphore's leases; {@code lease}: a lease's id.
     * Answered by {@link CoordReply}, except a lease refresh and a publish sent with id 0.
     */
    public record CoordRequest(long id, CoordOp action, String name, Payload value, List<Key> keys, long n, long timeoutMs,
                               String lease) implements Message {
        public Op op() { return Op.COORD_REQUEST; }
        public List<Object> fields() {
            return Arrays.asList(id, action.name(), name, value, new ArrayList<Object>(keys), n, timeoutMs, lease);
        }
        static CoordRequest read(Fields f) {
            return new CoordRequest(f.num("id"), f.enumOf("action", CoordOp.class), f.str("name"), f.payloadOrNull("value"),
                    f.keys("keys"), f.num("n"), f.num("timeoutMs"), f.strOrNull("lease"));
        }
    }

    /** Scheduler → client: {@code value}/{@code keys} as put, {@code n} a size or lease time; {@code error} says why not OK. */
    public record CoordReply(long id, CoordStatus status, Payload value, List<Key> keys, long n, String error) implements Reply {
        public Op op() { return Op.COORD_REPLY; }
        public List<Object> fields() { return Arrays.asList(id, status.name(), value, new ArrayList<Object>(keys), n, error); }
        static CoordReply read(Fields f) {
            return new CoordReply(f.num("id"), f.enumOf("status", CoordStatus.class), f.payloadOrNull("value"), f.keys("keys"),
                    f.num("n"), f.strOrNull("error"));
        }
    }

    /**
     * Client → scheduler, on the client's own connection: the peer with ZeroMQ identity
     * {@code identity} (ISO-8859-1 text of its bytes) is another connection of this client, a
     * direct channel its threads use for coordination round trips without the client's I/O
     * thread; requests from it count as this client's, replies go back to it. Answered by an OK
     * {@link CoordReply}.
     */
    public record CoordChannel(long id, String identity) implements Message {
        public Op op() { return Op.COORD_CHANNEL; }
        public List<Object> fields() { return List.of(id, identity); }
        static CoordChannel read(Fields f) { return new CoordChannel(f.num("id"), f.str("identity")); }
    }

    /** Scheduler → subscribed client: a message published on {@code topic}. */
    public record TopicMessage(String topic, Payload value) implements Message {
        public Op op() { return Op.TOPIC_MESSAGE; }
        public List<Object> fields() { return Arrays.asList(topic, value); }
        static TopicMessage read(Fields f) { return new TopicMessage(f.str("topic"), f.payloadOrNull("value")); }
    }

    /** Worker → scheduler: the task {@code key} seceded (it waits on other tasks): its thread no longer counts. */
    public record LongRunning(Key key) implements Message {
        public Op op() { return Op.LONG_RUNNING; }
        public List<Object> fields() { return List.of(key); }
        static LongRunning read(Fields f) { return new LongRunning(f.key("key")); }
    }

    /** Client → scheduler: where are these keys ({@code all}: every key in memory); reply {@link WhoHasReply}. */
    public record WhoHas(long id, List<Key> keys, boolean all) implements Message {
        public Op op() { return Op.WHO_HAS; }
        public List<Object> fields() { return List.of(id, new ArrayList<Object>(keys), all); }
        static WhoHas read(Fields f) { return new WhoHas(f.num("id"), f.keys("keys"), f.bool("all")); }
    }

    /** Per key: the workers holding it and its size (a key not in memory has no workers). */
    public record WhoHasReply(long id, List<Scattered> holders) implements Reply {
        public Op op() { return Op.WHO_HAS_REPLY; }
        public List<Object> fields() { return List.of(id, new UpdateData(holders).fields().get(0)); }
        static WhoHasReply read(Fields f) { return new WhoHasReply(f.num("id"), scattered(f, "holders")); }
    }

    /** Client → scheduler: copy each key in memory onto {@code n} workers (fewer if there are fewer). */
    public record Replicate(List<Key> keys, int n) implements Message {
        public Op op() { return Op.REPLICATE; }
        public List<Object> fields() { return List.of(new ArrayList<Object>(keys), n); }
        static Replicate read(Fields f) { return new Replicate(f.keys("keys"), f.integer("n")); }
    }

    /** A list of {@code [key, [worker], nbytes]} records ({@link UpdateData}, {@link WhoHasReply}). */
    private static List<Scattered> scattered(Fields f, String name) {
        List<Scattered> out = new ArrayList<>();
        for (Fields s : f.records(name)) {
            out.add(new Scattered(s.key("key"), s.strs("workers"), s.num("nbytes")));
            s.end();
        }
        return out;
    }


    // ------------------------------------------------------------------ actors (issue 19)

    /** Client → worker: build actor {@code actor} with {@code ctor} (an {@code Fn0}); reply {@link ActorReply} (its class name). */
    public record ActorCreate(long id, String actor, Payload ctor, List<String> allowed) implements Message {
        public Op op() { return Op.ACTOR_CREATE; }
        public List<Object> fields() { return List.of(id, actor, ctor, new ArrayList<Object>(allowed)); }
        static ActorCreate read(Fields f) { return new ActorCreate(f.num("id"), f.str("actor"), f.payload("ctor"), f.strs("allowed")); }
    }

    /**
     * Client → worker: run {@code fn} on the actor's thread, after the calls before it: an {@code Fn1}
     * of the actor, an {@code Fn2} of the actor and {@code arg}, or an {@code ActorHandle.Action};
     * reply {@link ActorReply}.
     */
    public record ActorCall(long id, String actor, Payload fn, Payload arg) implements Message {
        public Op op() { return Op.ACTOR_CALL; }
        public List<Object> fields() { return Arrays.asList(id, actor, fn, arg); }
        static ActorCall read(Fields f) { return new ActorCall(f.num("id"), f.str("actor"), f.payload("fn"), f.payloadOrNull("arg")); }
    }

    /** Client → worker: one more ({@code +1}) or one fewer ({@code -1}) handle holds the actor; at 0 it is dropped. Reply {@link ActorReply}. */
    public record ActorHold(long id, String actor, int delta, List<String> allowed) implements Message {
        public Op op() { return Op.ACTOR_HOLD; }
        public List<Object> fields() { return List.of(id, actor, delta, new ArrayList<Object>(allowed)); }
        static ActorHold read(Fields f) { return new ActorHold(f.num("id"), f.str("actor"), f.integer("delta"), f.strs("allowed")); }
    }

    /** Worker → client: {@code result} is the value, or the exception when not {@code ok}. */
    public record ActorReply(long id, boolean ok, Payload result) implements Reply {
        public Op op() { return Op.ACTOR_REPLY; }
        public List<Object> fields() { return Arrays.asList(id, ok, result); }
        static ActorReply read(Fields f) { return new ActorReply(f.num("id"), f.bool("ok"), f.payloadOrNull("result")); }
    }

    // ------------------------------------------------------------------ performance report (issue 19)

    /** Client → scheduler: the task stream's records that ended at or after {@code sinceMs}; reply {@link TaskStreamReply}. */
    public record TaskStream(long id, long sinceMs) implements Message {
        public Op op() { return Op.TASK_STREAM; }
        public List<Object> fields() { return List.of(id, sinceMs); }
        static TaskStream read(Fields f) { return new TaskStream(f.num("id"), f.num("sinceMs")); }
    }

    /** Scheduler → client: {@code recorded} is false when the scheduler keeps no task stream (no dashboard). */
    public record TaskStreamReply(long id, boolean recorded, List<TaskRecord> records) implements Reply {
        public Op op() { return Op.TASK_STREAM_REPLY; }
        public List<Object> fields() {
            List<Object> rs = new ArrayList<>(records.size());
            for (TaskRecord r : records) rs.add(List.of(r.key(), r.prefix(), r.worker(), r.thread(), r.startMs(), r.stopMs(), r.erred()));
            return List.of(id, recorded, rs);
        }
        static TaskStreamReply read(Fields f) {
            long id = f.num("id");
            boolean recorded = f.bool("recorded");
            List<TaskRecord> out = new ArrayList<>();
            for (Fields r : f.records("records")) {
                out.add(new TaskRecord(r.str("key"), r.str("prefix"), r.str("worker"), r.integer("thread"), r.num("startMs"),
                        r.num("stopMs"), r.bool("erred")));
                r.end();
            }
            return new TaskStreamReply(id, recorded, out);
        }
    }

    // ------------------------------------------------------------------ the registry

    /** Op → reader; {@code MessagesTest} checks that every op has one. */
    static final Map<Op, Function<Fields, Message>> READERS = new EnumMap<>(Op.class);

    static {
        READERS.put(Op.HELLO_CLIENT, HelloClient::read);
        READERS.put(Op.HELLO_WORKER, HelloWorker::read);
        READERS.put(Op.WELCOME, Welcome::read);
        READERS.put(Op.ERROR, ErrorMsg::read);
        READERS.put(Op.GOODBYE, Goodbye::read);
        READERS.put(Op.UPDATE_GRAPH, UpdateGraph::read);
        READERS.put(Op.RELEASE, Release::read);
        READERS.put(Op.CANCEL, Cancel::read);
        READERS.put(Op.UPDATE_DATA, UpdateData::read);
        READERS.put(Op.STORY, Story::read);
        READERS.put(Op.STORY_REPLY, StoryReply::read);
        READERS.put(Op.WORKERS, Workers::read);
        READERS.put(Op.WORKERS_REPLY, WorkersReply::read);
        READERS.put(Op.PUBLISH, Publish::read);
        READERS.put(Op.GET_DATASET, GetDataset::read);
        READERS.put(Op.DATASET_REPLY, DatasetReply::read);
        READERS.put(Op.RESTART, Restart::read);
        READERS.put(Op.KEY_STATE, KeyState::read);
        READERS.put(Op.KEY_STATE_REPLY, KeyStateReply::read);
        READERS.put(Op.REPORT, Report::read);
        READERS.put(Op.TASK_DONE, TaskDone::read);
        READERS.put(Op.HEARTBEAT, Heartbeat::read);
        READERS.put(Op.FINISHED, Finished::read);
        READERS.put(Op.ERRED, Erred::read);
        READERS.put(Op.MISSING, Missing::read);
        READERS.put(Op.STEAL_ANSWER, StealAnswer::read);
        READERS.put(Op.RELEASED, Released::read);
        READERS.put(Op.WORKER_DIED, WorkerDied::read);
        READERS.put(Op.COMPUTE, Compute::read);
        READERS.put(Op.FREE, Free::read);
        READERS.put(Op.STEAL, Steal::read);
        READERS.put(Op.CLOSE, Close::read);
        READERS.put(Op.GET_DATA, GetData::read);
        READERS.put(Op.DATA, Data::read);
        READERS.put(Op.PUT_DATA, PutData::read);
        READERS.put(Op.PUT_ACK, PutAck::read);
        READERS.put(Op.RUN, Run::read);
        READERS.put(Op.RUN_REPLY, RunReply::read);
        READERS.put(Op.RETIRE_WORKERS, RetireWorkers::read);
        READERS.put(Op.REBALANCE, Rebalance::read);
        READERS.put(Op.MOVES_DONE, MovesDone::read);
        READERS.put(Op.ACQUIRE, Acquire::read);
        READERS.put(Op.BULK_HELLO, BulkHello::read);
        READERS.put(Op.BULK_WELCOME, BulkWelcome::read);
        READERS.put(Op.PEER_FETCH, PeerFetch::read);
        READERS.put(Op.BULK_OFFER, BulkOffer::read);
        READERS.put(Op.COORD_REQUEST, CoordRequest::read);
        READERS.put(Op.COORD_REPLY, CoordReply::read);
        READERS.put(Op.COORD_CHANNEL, CoordChannel::read);
        READERS.put(Op.TOPIC_MESSAGE, TopicMessage::read);
        READERS.put(Op.LONG_RUNNING, LongRunning::read);
        READERS.put(Op.WHO_HAS, WhoHas::read);
        READERS.put(Op.WHO_HAS_REPLY, WhoHasReply::read);
        READERS.put(Op.REPLICATE, Replicate::read);
        READERS.put(Op.ACTOR_CREATE, ActorCreate::read);
        READERS.put(Op.ACTOR_CALL, ActorCall::read);
        READERS.put(Op.ACTOR_HOLD, ActorHold::read);
        READERS.put(Op.ACTOR_REPLY, ActorReply::read);
        READERS.put(Op.TASK_STREAM, TaskStream::read);
        READERS.put(Op.TASK_STREAM_REPLY, TaskStreamReply::read);
    }
}
