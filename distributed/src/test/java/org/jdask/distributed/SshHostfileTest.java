package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jdask.distributed.SshCluster.Host;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** {@link SshCluster}'s host lists and hostfiles, checked before anything connects. */
class SshHostfileTest {
    @TempDir
    Path dir;

    Path file(String text) throws Exception {
        return Files.writeString(dir.resolve("hosts"), text);
    }

    /** A hostfile of {@code text} is refused with the file's path followed by {@code message}. */
    void assertRefused(String text, String message) throws Exception {
        Path f = file(text);
        assertMessage(f + message, () -> SshCluster.builder().hostfile(f));
    }

    /** {@code call} throws an {@link IllegalArgumentException} saying exactly {@code message}. */
    static void assertMessage(String message, Executable call) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    @Test
    void hostsAndHostfileLines() throws Exception {
        Path f = file("# cluster\n\nnode1 3\n  alice@node2   # comment\nnode3:2222 2\n[fe80::1]:2200\n");
        List<Host> hosts = SshCluster.builder().user("me").port(2022).nworkers(2).hosts("head").hostfile(f).parsedHosts();
        assertEquals(List.of(new Host("me", "head", 2022, 2), new Host("me", "node1", 2022, 3), new Host("alice", "node2", 2022, 2),
                new Host("me", "node3", 2222, 2), new Host("me", "fe80::1", 2200, 2)), hosts);
        assertEquals("alice@node2:2022", hosts.get(2).toString());
    }

    @Test
    void badLinesNameFileAndLine() throws Exception {
        assertRefused("node1\nnode2 2 extra\n", ":2: expected 'host [nworkers]', got 'node2 2 extra'");
        assertRefused("# header\nnode1 0\n", ":2: nworkers must be a whole number >= 1, got '0'");
        assertRefused("a@b@c\n", ":1: 'a@b@c' is not a host like node1, me@node1 or node1:2222");
        assertRefused("node1:70000\n", ":1: port 70000 of 'node1:70000' is not 1-65535");
        Path empty = file("# nothing\n\n");
        assertMessage("hostfile " + empty + " lists no hosts", () -> SshCluster.builder().hostfile(empty));
        Path missing = dir.resolve("nope");
        assertMessage("cannot read hostfile " + missing + ": " + missing, () -> SshCluster.builder().hostfile(missing));
        assertMessage("SshCluster: give hosts(...) or hostfile(...)", () -> SshCluster.builder().parsedHosts());
        assertMessage("host 'node 1': 'node 1' is not a host like node1, me@node1 or node1:2222",
                () -> SshCluster.builder().hosts("node 1").parsedHosts());
        assertMessage("identity file " + missing + " is not readable", () -> SshCluster.builder().identity(missing));
    }
}
