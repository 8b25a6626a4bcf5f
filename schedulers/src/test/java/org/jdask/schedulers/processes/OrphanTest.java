package org.jdask.schedulers.processes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdask.graph.JavaCommand;
import org.jdask.graph.JvmFlags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** No worker JVM outlives its parent, even when the parent is killed with SIGKILL (no shutdown hook runs). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OrphanTest {
    @Test
    void workersDieWhenTheirParentIsKilled() throws Exception {
        List<String> cmd = JavaCommand.of(JvmFlags.get(), ProcessPool.classpath());
        cmd.add(OrphanParent.class.getName());
        Process parent = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<Long> workers = new ArrayList<>();
        String[] dir = {null};
        try {
            CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        if (l.startsWith("DIR ")) dir[0] = l.substring(4);
                        if (l.startsWith("PIDS ")) return l;
                    }
                    return null;
                } catch (Exception e) {
                    return null;
                }
            });
            String pids = line.get(90, TimeUnit.SECONDS);
            assertNotNull(pids, "the parent never printed its worker pids");
            String[] parts = pids.split(" ");
            assertEquals("2", parts[parts.length - 1], pids);
            for (int i = 1; i < parts.length - 2; i++) workers.add(Long.parseLong(parts[i]));
            assertEquals(2, workers.size(), pids);
            for (long w : workers) assertTrue(ProcessHandle.of(w).map(ProcessHandle::isAlive).orElse(false), "worker " + w + " alive");
            parent.destroyForcibly(); // SIGKILL: no shutdown hook runs in the parent
            assertTrue(parent.waitFor(30, TimeUnit.SECONDS));
            for (long w : workers) {
                ProcessHandle h = ProcessHandle.of(w).orElse(null);
                if (h != null) h.onExit().get(30, TimeUnit.SECONDS);
            }
            for (long w : workers) {
                assertTrue(ProcessHandle.of(w).map(h -> !h.isAlive()).orElse(true), "worker " + w + " outlived its parent");
            }
        } finally {
            parent.destroyForcibly();
            for (long w : workers) ProcessHandle.of(w).ifPresent(ProcessHandle::destroyForcibly);
            if (dir[0] != null) { // the killed parent could not clean its pool directory
                try (var files = java.nio.file.Files.list(Path.of(dir[0]))) {
                    for (Path f : files.toList()) java.nio.file.Files.deleteIfExists(f);
                }
                java.nio.file.Files.deleteIfExists(Path.of(dir[0]));
            }
        }
    }
}
