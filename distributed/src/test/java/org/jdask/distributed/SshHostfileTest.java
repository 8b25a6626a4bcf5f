package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jdask.distributed.SshCluster.Host;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SshCluster}'s host lists and hostfiles, checked before anything connects. */
class SshHostfileTest {
    @TempDir
    Path dir;

    Path file(String text) throws Exception {
        return Files.writeString(dir.resolve("hosts"), text);
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
        Path f = file("node1\nnode2 2 extra\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SshCluster.builder().hostfile(f));
        assertEquals(f + ":2: expected 'host [nworkers]', got 'node2 2 extra'", e.getMessage());
        Path g = file("# header\nnode1 0\n");
        e = assertThrows(IllegalArgumentException.class, () -> SshCluster.builder().hostfile(g));
        assertEquals(g + ":2: nworkers must be a whole number >= 1, got '0'", e.getMessage());
        Path h = file("a@b@c\n");
        e = assertThrows(IllegalArgumentException.class, () -> SshCluster.builder().hostfile(h));
        assertEquals(h + ":1: 'a@b@c' is not a host like node1, me@node1 or node1:2222", e.getMessage());
        Path p = file("node1:70000\n");
        e = assertThrows(IllegalArgumentException.class, () -> SshCluster.builder().hostfile(p));
        assertEquals(p + ":1: port 70000 of 'node1:70000' is not 1-65535", e.getMessage());
        Path empty = file("# nothing\n\n");
        e = assertThrows(IllegalArgumentException.class, () -> SshCluster.builder().hostfile(empty));
        assertEquals("hostfile " + empty + " lists no hosts", e.getMessage());
        Path missing = dir.resolve("nope");
        e = assertThrows(IllegalArgumentException.class, () -> SshCluster.builder().hostfile(missing));
        assertEquals("cannot read hostfile " + missing + ": " + missing, e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SshCluster.builder().parsedHosts());
        assertEquals("SshCluster: give hosts(...) or hostfile(...)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SshCluster.builder().hosts("node 1").parsedHosts());
        assertEquals("host 'node 1': 'node 1' is not a host like node1, me@node1 or node1:2222", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SshCluster.builder().identity(missing));
        assertEquals("identity file " + missing + " is not readable", e.getMessage());
    }
}
