package org.jdask.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The peak disk use of a directory tree, from {@code du -sk} every {@code periodMs} (blocks really
 * used: a sparse, pre-sized Chronicle Map file counts for what it holds, not for its length).
 */
final class DirWatch implements AutoCloseable {
    private final AtomicLong peak = new AtomicLong();
    private final Poll poll;

    DirWatch(Path dir, long periodMs) {
        poll = new Poll("du-" + dir.getFileName(), periodMs, () -> peak.accumulateAndGet(duBytes(dir), Math::max));
    }

    long peakBytes() {
        return peak.get();
    }

    @Override
    public void close() throws InterruptedException {
        poll.close();
    }

    /** Bytes used under {@code dir} by {@code du -sk}; 0 when du fails. */
    static long duBytes(Path dir) {
        try {
            Process p = new ProcessBuilder("du", "-sk", dir.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
            return out.isEmpty() ? 0 : Long.parseLong(out.split("\\s+")[0]) * 1024;
        } catch (IOException | NumberFormatException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
