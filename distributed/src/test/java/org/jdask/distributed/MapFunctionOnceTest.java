package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.jdask.Delayed;
import org.jdask.Jdask;
import org.jdask.SerializationException;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fns;
import org.jdask.graph.IndexedGraph;
import org.jdask.graph.Key;
import org.jdask.graph.Task;
import org.jdask.serialize.Codecs;
import org.jdask.serialize.FnFrame;
import org.jdask.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A map's function is sent once per map and decoded once per worker JVM (issue 17: Fory's lambda
 * resolution cost 25–40 µs a task in a fresh worker), and a function decoded through a client's
 * code loader goes with that loader when the client leaves (issue 16's per-client loaders).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MapFunctionOnceTest {
    @RegisterExtension
    static final SharedCluster SHARED = new SharedCluster(LocalCluster.builder().workers(2).threadsPerWorker(2).processes(true));
    static Client client;

    /** On the worker JVM that runs it: that JVM's pid and how many functions it has decoded from bytes so far. */
    private static String decodesHere(Integer ignored) {
        return ProcessHandle.current().pid() + " " + FnFrame.decodes();
    }

    /** The most decodes any worker JVM reported, by pid. */
    private static Map<String, Long> mostDecodes(List<String> reports) {
        Map<String, Long> most = new HashMap<>();
        for (String r : reports) {
            String[] f = r.split(" ");
            most.merge(f[0], Long.parseLong(f[1]), Math::max);
        }
        return most;
    }

    @Test
    void aMapsFunctionIsDecodedOncePerWorkerJvm() {
        Fn1<Integer, String> fn = MapFunctionOnceTest::decodesHere;
        List<Integer> xs = IntStream.range(0, 400).boxed().toList();
        Map<String, Long> first = mostDecodes(client.gather(client.map(fn, xs)));
        // per worker JVM: the codec warm-up's own function, then this map's (once per executor thread at most, if
        // both threads met it at the same moment); without the cache it is one decode per task (~200 a worker)
        for (Map.Entry<String, Long> e : first.entrySet()) assertTrue(e.getValue() <= 3, "worker JVM " + e.getKey() + " decoded " + e.getValue() + " functions");
        // a second map of the same function (other items, so other keys) decodes nothing new
        Map<String, Long> second = mostDecodes(client.gather(client.map(fn, IntStream.range(400, 800).boxed().toList())));
        for (Map.Entry<String, Long> e : second.entrySet()) {
            long before = first.getOrDefault(e.getKey(), e.getValue());
            assertEquals(before, e.getValue(), "worker JVM " + e.getKey() + " decoded the same function's bytes again");
        }
    }

    @Test
    void aGraphsFunctionCalledByManyTasksIsEncodedOnce() throws Exception {
        List<Delayed<String>> parts = new ArrayList<>();
        for (int i = 0; i < 300; i++) parts.add(Delayed.of(MapFunctionOnceTest::decodesHere).apply(1_000 + i));
        Delayed<List<String>> all = Delayed.all(parts);
        // as the client sends it: the 300 tasks call one FnFrame, the list task (called once) keeps its function
        IndexedGraph g = IndexedGraph.of(Jdask.optimize(all));
        Map<Object, FnFrame> shared = TaskEntries.sharedFunctions(g, true);
        assertEquals(1, shared.size(), "one function called by several tasks: " + shared.keySet());
        Set<FnFrame> frames = Collections.newSetFromMap(new IdentityHashMap<>());
        int plain = 0;
        for (int i = 0; i < g.size(); i++) {
            Task t = (Task) TaskEntries.withShared(g.node(i), shared);
            if (t.function() instanceof FnFrame f) frames.add(f);
            else plain++;
        }
        assertEquals(1, frames.size(), "one frame for all 300 tasks");
        assertEquals(1, plain, "the list task");
        assertTrue(TaskEntries.sharedFunctions(g, false).isEmpty(), "nothing in process");
        // and on the worker JVMs: computed right, the function decoded at most once per executor thread
        List<String> reports = client.compute(all).result(120, TimeUnit.SECONDS);
        assertEquals(300, reports.size());
        for (Map.Entry<String, Long> e : mostDecodes(reports).entrySet()) {
            assertTrue(e.getValue() <= 4, "worker JVM " + e.getKey() + " decoded " + e.getValue() + " functions");
        }
    }

    @Test
    void theSerializationCheckStillRefusesAnyTaskOfAMapThatCannotBeSent() {
        Fn1<Object, String> show = String::valueOf;
        // plain arguments and one function: checking the first task stands for all
        Map<Key, Task> plain = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) plain.put(Key.of("p-" + i), Task.of(show, i));
        FnFrame once = FnFrame.of(Fns.of(show));
        assertEquals(1, TaskEntries.toCheck(plain, once).size());
        assertEquals(3, TaskEntries.toCheck(plain, null).size(), "without one encoded function, every task");
        // an argument that is not plain in the last task: every task is walked, and that one refused naming it
        List<Object> items = new ArrayList<>(List.of(1, 2));
        items.add(new Object());
        SerializationException e = assertThrows(SerializationException.class, () -> client.map(show, items));
        assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
    }

    @Test
    void aFunctionOfAClientsShippedCodeIsDroppedWithItsLoader(@TempDir Path tmp) throws Exception {
        Security sec = Security.temporary();
        Path classes = tmp.resolve("greeter-classes");
        CodeShippingTest.compile("shipped.Greeter", CodeShippingTest.GREETER.formatted("hi"), classes);
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        URLClassLoader app = new URLClassLoader(new URL[] {classes.toUri().toURL()}, context);
        CodeServer server = CodeServer.startPrivate(sec, "127.0.0.1", new CodeOffer(List.of(app)));
        try {
            // the client encodes the task with its program's class path (the shipped class is on it)
            byte[] frame;
            Thread.currentThread().setContextClassLoader(app);
            try {
                Fn1<Object, String> show = CodeShippingTest.fn(app, "shipped.Greeter", "SHOW");
                frame = Codecs.encode(Task.ofArray(FnFrame.of(Fns.of(show)), new Object[] {"x"}));
            } finally {
                Thread.currentThread().setContextClassLoader(context);
            }
            // a worker (its class path lacks the class) decodes it as TaskCompute does: the function through the client's loader
            ClientCode worker = ClientCode.forWorker(sec, 500);
            ClassLoader loader = worker.loaderOf(server.ref());
            try (ClientCode.Scope scope = worker.open(server.ref())) {
                Task t = (Task) ClientCode.decodeInScope(() -> Codecs.decode(frame));
                ClientCode.decodeInScope(((FnFrame) t.function())::resolve);
                assertEquals("shown x", t.execute(k -> null));
            }
            assertEquals(1, FnFrame.cached(loader), "the function is cached under the client's loader");
            server.stop(); // the client leaves
            Await.until(() -> worker.clients() == 0, Duration.ofSeconds(60), "the leaving client's loader is dropped");
            assertEquals(0, FnFrame.cached(loader), "its decoded functions are dropped with it");
        } finally {
            server.stop();
        }
    }
}
