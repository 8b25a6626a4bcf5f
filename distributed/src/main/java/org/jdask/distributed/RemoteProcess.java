package org.jdask.distributed;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One command running on another host through an SSH exec channel (for {@link SshCluster}).
 *
 * <p>How it works: the command runs in the background of a small POSIX shell wrapper that prints
 * its process id and then waits on the channel's stdin; when the channel's input ends (on
 * {@link #close()}, or when the SSH connection drops because this JVM died) the wrapper sends the
 * command {@code SIGTERM}, so a lost connection leaves no orphan. If the command exits by itself
 * the wrapper exits with its status and the channel closes. Output lines (stdout and stderr) are
 * kept, prefixed with the host, and the first line matching the start pattern gives the address.
 */
final class RemoteProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteProcess.class);
    private static final int LOG_LINES = 1000;
    private static final Pattern PID = Pattern.compile("^jdask-remote-pid (\\d+)$");

    final String name, where, command;
    private final ClientSession session;
    private final ChannelExec channel;
    private final Pattern started;
    private final Deque<String> logs = new ArrayDeque<>();
    private final CompletableFuture<String> address = new CompletableFuture<>();
    private volatile long remotePid = -1;

    /** Starts {@code command} (a shell command line) on the session's host; {@link #awaitStart} waits for {@code started}. */
    RemoteProcess(String name, String where, ClientSession session, String command, Pattern started, long timeoutMs) throws IOException {
        this.name = name;
        this.where = where;
        this.command = Commands.brief(command);
        this.session = session;
        this.started = started;
        // fd 3 keeps the channel's stdin for the watcher: a background job's stdin is /dev/null otherwise
        String script = "exec 3<&0; " + command + " 3<&- & p=$!; echo \"jdask-remote-pid $p\"; "
                + "(cat <&3; kill $p) >/dev/null 2>&1 & exec 3<&-; wait $p";
        channel = session.createExecChannel("exec sh -c " + Commands.quote(script));
        channel.setOut(new Lines());
        channel.setErr(new Lines());
        channel.open().verify(timeoutMs);
        channel.addCloseFutureListener(f -> address.completeExceptionally(new IllegalStateException(
                "exited with status " + channel.getExitStatus() + " before it started")));
    }

    /** The address printed by the command (its start pattern's group 1); a clear error after {@code timeoutMs}. */
    String awaitStart(long timeoutMs) {
        try {
            return address.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(name + " on " + where + " did not start within " + timeoutMs + " ms (command: " + command
                    + "); its output: " + logs());
        } catch (ExecutionException e) {
            throw new IllegalStateException(name + " on " + where + " " + e.getCause().getMessage() + " (command: " + command
                    + "); its output: " + logs());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + name + " on " + where);
        }
    }

    /** The address once started, else null. */
    String address() {
        return address.getNow(null);
    }

    long remotePid() {
        return remotePid;
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    List<String> logs() {
        synchronized (logs) {
            return new ArrayList<>(logs);
        }
    }

    private void line(String line) {
        Matcher pid = PID.matcher(line);
        if (pid.matches() && remotePid < 0) {
            remotePid = Long.parseLong(pid.group(1));
            return;
        }
        synchronized (logs) {
            logs.addLast(where + ": " + line);
            if (logs.size() > LOG_LINES) logs.removeFirst();
        }
        LOG.debug("{} on {}: {}", name, where, line);
        Matcher m = started.matcher(line);
        if (!address.isDone() && m.find()) address.complete(m.group(1));
    }

    /**
     * Ends the remote command: closes its input (the wrapper sends SIGTERM), waits up to
     * {@code graceMs} for it to exit, then {@code kill -9}s it through a second channel.
     */
    @Override
    public void close() {
        close(10_000);
    }

    void close(long graceMs) {
        if (!channel.isOpen()) return;
        try {
            channel.getInvertedIn().close();
        } catch (IOException e) {
            LOG.debug("cannot close the input of {} on {}: {}", name, where, e.toString());
        }
        var events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), graceMs);
        if (!events.contains(ClientChannelEvent.CLOSED)) {
            LOG.warn("{} on {} did not stop within {} ms; killing process {}", name, where, graceMs, remotePid);
            if (remotePid > 0) {
                try (ChannelExec kill = session.createExecChannel("kill -9 " + remotePid)) {
                    kill.open().verify(graceMs);
                    kill.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), graceMs);
                } catch (IOException e) {
                    LOG.warn("cannot kill process {} on {}: {}", remotePid, where, e.toString());
                }
            }
            channel.close(true);
        }
    }

    /** Splits the channel's bytes into lines. */
    private final class Lines extends OutputStream {
        private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') flushLine();
            else buf.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) write(b[i]);
        }

        private void flushLine() {
            String s = buf.toString(StandardCharsets.UTF_8);
            buf.reset();
            if (s.endsWith("\r")) s = s.substring(0, s.length() - 1);
            line(s);
        }

        @Override
        public synchronized void close() {
            if (buf.size() > 0) flushLine();
        }
    }
}
