package org.jdask.distributed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdask.Config;

/**
 * How a client finds and reaches its scheduler. {@link Client#connect()} without an argument
 * looks, in order, at config {@code distributed.scheduler-address} (or Dask's top-level {@code scheduler-address}), the environment variable
 * {@code JDASK_SCHEDULER_ADDRESS}, and the scheduler file ({@code jdask scheduler --scheduler-file F}
 * writes {@code {"address": "..."}}) named by config {@code distributed.scheduler-file} or env
 * {@code JDASK_SCHEDULER_FILE}; when none is set it starts a {@link LocalCluster} sized to the
 * machine ({@link Client#local()}), as Dask's {@code Client()} does.
 */
final class ClientConnect {
    private static final Pattern ADDRESS = Pattern.compile("\"address\"\\s*:\\s*\"([^\"]+)\"");

    private ClientConnect() {}

    /** The scheduler address from config, {@code env} or a scheduler file; null when none is set. */
    static String address(Map<String, String> env) {
        String a = Config.getString("distributed.scheduler-address", null);
        if (a == null || a.isBlank()) a = Config.getString("scheduler-address", null); // Dask's key, also the scheduler=distributed option
        if (a == null || a.isBlank()) a = env.get("JDASK_SCHEDULER_ADDRESS");
        if (a != null && !a.isBlank()) return a.strip();
        String file = Config.getString("distributed.scheduler-file", null);
        if (file == null || file.isBlank()) file = env.get("JDASK_SCHEDULER_FILE");
        return file == null || file.isBlank() ? null : fromFile(Path.of(file.strip()));
    }

    /** The address in a scheduler file; a missing file or one without an address fails naming the file. */
    static String fromFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the scheduler file " + file.toAbsolutePath()
                    + " (config distributed.scheduler-file / JDASK_SCHEDULER_FILE): " + e, e);
        }
        Matcher m = ADDRESS.matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException("scheduler file " + file.toAbsolutePath() + " has no \"address\" entry (it should hold"
                    + " {\"address\": \"tcp://host:port\"}, as `jdask scheduler --scheduler-file` writes): " + text.strip());
        }
        return m.group(1);
    }

    /**
     * ZeroMQ retries a refused TCP connection silently, so after a connect timeout a plain TCP
     * probe tells "nothing listens there" (the refusal, returned) from "no answer" (null).
     */
    static Throwable refusedBy(String address) {
        if (!address.startsWith("tcp://")) return null;
        String hostPort = address.substring("tcp://".length());
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) return null;
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))), 2000);
            return null;
        } catch (ConnectException refused) {
            return refused;
        } catch (IOException | RuntimeException other) {
            return null;
        }
    }
}
