package org.jdask.distributed;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short local commands (sbatch, scancel) with a timeout; shell quoting for job scripts and SSH. */
final class Commands {
    private Commands() {}

    /** Output of a finished command. */
    record Result(int exit, String out, String err) { }

    /** Runs {@code cmd} in {@code dir}, waiting at most {@code timeoutMs}; a clear error if it cannot start or hangs. */
    static Result run(List<String> cmd, Path dir, long timeoutMs) {
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir == null ? null : dir.toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        }
        try { // no input: a command that would read stdin sees its end at once
            p.getOutputStream().close();
        } catch (IOException ignored) {
            // already closed
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        Thread to = pump(p.getInputStream(), out), te = pump(p.getErrorStream(), err);
        try {
            if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish within " + timeoutMs + " ms");
            }
            to.join(1_000);
            te.join(1_000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", cmd), e);
        }
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Thread pump(InputStream in, ByteArrayOutputStream sink) {
        Thread t = new Thread(() -> {
            try (in) {
                in.transferTo(sink);
            } catch (IOException e) {
                // the process went away
            }
        }, "jdask-command-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** {@code it's} to {@code 'it'\''s'}: one word for a POSIX shell, whatever it contains. */
    static String quote(String s) {
        if (!s.isEmpty() && s.matches("[A-Za-z0-9_@%+=:,./-]+")) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Quotes every word and joins them with spaces. */
    static String quote(List<String> words) {
        StringBuilder b = new StringBuilder();
        for (String w : words) {
            if (b.length() > 0) b.append(' ');
            b.append(quote(w));
        }
        return b.toString();
    }

    /** A command line for error messages: words over 120 characters (classpaths) are shortened. */
    static String brief(String commandLine) {
        StringBuilder b = new StringBuilder();
        for (String w : commandLine.split(" ")) {
            if (b.length() > 0) b.append(' ');
            b.append(w.length() <= 120 ? w : w.substring(0, 60) + "...(" + w.length() + " chars)");
        }
        return b.toString();
    }

    static void deleteTree(Path dir) {
        if (dir == null) return;
        try (var s = java.nio.file.Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
