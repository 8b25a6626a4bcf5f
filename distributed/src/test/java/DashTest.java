import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.jdask.Delayed;
import org.jdask.TaskFailedException;
import org.jdask.distributed.Client;
import org.jdask.distributed.Future;
import org.jdask.distributed.LocalCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 16's first program, in the default package as a new user writes it: a user's own classes
 * (and lambdas written in them) run on worker JVMs with no {@code Codecs.allow}; and issue 20
 * item 4: JDK exceptions raised in tasks keep class, message and cause chain across JVMs.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DashTest {
    record Point(int x, int y) {}

    static int slow(int i) {
        return i * 2;
    }

    static Point point(int i) {
        return new Point(i, -i);
    }

    static int readMissing(int i) throws IOException {
        throw new FileNotFoundException("/no/such/file-" + i);
    }

    static int unchecked(int i) {
        throw new UncheckedIOException("wrapped " + i, new IOException("inner " + i, new FileNotFoundException("root")));
    }

    @Test
    void defaultPackageClassRunsOnWorkerJvmsWithoutAllow() {
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).build();
             Client client = Client.connect(cluster)) {
            List<Integer> xs = IntStream.range(0, 20).boxed().toList();
            List<Future<Integer>> fs = client.map(DashTest::slow, xs);
            assertEquals(xs.stream().map(i -> i * 2).toList(), client.gather(fs));
            // a user record as a result and as an input
            Future<Point> p = client.submit(DashTest::point, 7);
            assertEquals(new Point(7, -7), p.result());
            assertEquals(7, client.submit((Point q) -> q.x(), p).result());
            // issue 20 item 4: JDK exceptions keep their class, message and cause chain
            TaskFailedException e = assertThrows(TaskFailedException.class, () -> client.submit(DashTest::readMissing, 3).result());
            assertInstanceOf(FileNotFoundException.class, e.getCause(), String.valueOf(e.getCause()));
            assertEquals("/no/such/file-3", e.getCause().getMessage());
            TaskFailedException u = assertThrows(TaskFailedException.class, () -> client.submit(DashTest::unchecked, 4).result());
            assertChain(u.getCause());
        }
    }

    @Test
    void defaultPackageClassRunsOnProcessesWithoutAllow() {
        Map<String, Object> p2 = Map.of("scheduler", "processes", "num-workers", 2);
        assertEquals(new Point(5, -5), Delayed.of(DashTest::point).apply(5).compute(p2));
        assertEquals(10, Delayed.of(DashTest::slow).apply(5).compute(p2));
        RuntimeException e = assertThrows(RuntimeException.class, () -> Delayed.of(DashTest::readMissing).apply(1).compute(p2));
        Throwable c = e instanceof TaskFailedException t ? t.getCause() : e;
        assertInstanceOf(FileNotFoundException.class, c, String.valueOf(c));
        assertEquals("/no/such/file-1", c.getMessage());
        RuntimeException u = assertThrows(RuntimeException.class, () -> Delayed.of(DashTest::unchecked).apply(4).compute(p2));
        assertChain(u instanceof TaskFailedException t ? t.getCause() : u);
    }

    private static void assertChain(Throwable t) {
        assertInstanceOf(UncheckedIOException.class, t, String.valueOf(t));
        assertEquals("wrapped 4", t.getMessage());
        assertInstanceOf(IOException.class, t.getCause());
        assertEquals("inner 4", t.getCause().getMessage());
        assertInstanceOf(FileNotFoundException.class, t.getCause().getCause());
        assertEquals("root", t.getCause().getCause().getMessage());
        assertTrue(t.getStackTrace().length > 0, "the stack trace crosses too");
    }
}
