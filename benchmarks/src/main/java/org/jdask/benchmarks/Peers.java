package org.jdask.benchmarks;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs a peer script that prints one flat JSON line, and reads fields out of it. */
final class Peers {
    private Peers() {}

    /**
     * Runs {@code command} (output to a temporary file, so a peer that hangs is stopped after
     * {@code timeoutS}) and returns the named fields of its JSON output: numbers as written, strings
     * without their quotes. Missing fields are absent; when none is found the output goes to stderr.
     */
    static Map<String, String> runJson(List<String> command, long timeoutS, List<String> fields) throws IOException, InterruptedException {
        File log = File.createTempFile("jdask-peer", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
            if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IOException("peer " + command + " did not finish in " + timeoutS + " s; its output: " + log);
            }
            String text = Files.readString(log.toPath(), StandardCharsets.UTF_8);
            Map<String, String> m = new LinkedHashMap<>();
            for (String f : fields) {
                Matcher fm = Pattern.compile("\"" + Pattern.quote(f) + "\": (\"((?:[^\"\\\\]|\\\\.)*)\"|[0-9A-Za-z.+-]+)").matcher(text);
                if (fm.find()) m.put(f, fm.group(2) != null ? fm.group(2) : fm.group(1));
            }
            if (m.isEmpty()) System.err.println("could not parse the peer's output (" + command + "):\n" + text);
            return m;
        } finally {
            Files.deleteIfExists(log.toPath());
        }
    }

    static double num(Map<String, String> m, String k) {
        try {
            return Double.parseDouble(m.getOrDefault(k, "NaN"));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    static Path dir(List<String> a) {
        return Path.of(Runner.opt(a, "--peer", "benchmarks/peers"));
    }
}
