package org.jdask.distributed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Which address of this machine a worker (or a client's code server) advertises, so that peers on
 * other hosts can reach it (issue 16): never 127.0.0.1 towards a scheduler on another host.
 * <ul>
 *   <li>{@link #towards}: the local address the machine's routing table picks to reach the
 *       scheduler (what {@code jdask worker} uses by default, as Dask does): 127.0.0.1 for a
 *       scheduler on loopback, the node's address on the cluster network otherwise;</li>
 *   <li>{@link #ofInterface}: the IPv4 address of a named interface ({@code --interface eth0},
 *       Dask's option of that name), for machines with several networks.</li>
 * </ul>
 */
public final class HostAddress {
    private HostAddress() {}

    /** The local address used to reach {@code tcp://HOST:PORT} (no packet is sent). */
    public static String towards(String schedulerAddress) {
        URI u;
        try {
            u = URI.create(schedulerAddress);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("scheduler address must look like tcp://host:port, got '" + schedulerAddress + "'", e);
        }
        if (!"tcp".equals(u.getScheme()) || u.getHost() == null) {
            throw new IllegalArgumentException("scheduler address must look like tcp://host:port, got '" + schedulerAddress + "'");
        }
        try {
            InetAddress target = InetAddress.getByName(u.getHost());
            if (target.isLoopbackAddress()) return "127.0.0.1";
            try (DatagramSocket probe = new DatagramSocket()) {
                probe.connect(new InetSocketAddress(target, Math.max(1, u.getPort())));
                InetAddress local = probe.getLocalAddress();
                if (local == null || local.isAnyLocalAddress()) {
                    throw new UncheckedIOException(new IOException("no route from this machine to " + u.getHost()
                            + " (give --host ADDRESS or --interface NAME)"));
                }
                return local.getHostAddress();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find this machine's address towards " + schedulerAddress + ": " + e.getMessage()
                    + " (give --host ADDRESS or --interface NAME)", e);
        }
    }

    /** The first IPv4 address of interface {@code name}; the error lists the interfaces there are. */
    public static String ofInterface(String name) {
        try {
            NetworkInterface nif = NetworkInterface.getByName(name);
            if (nif == null) throw new IllegalArgumentException("no network interface '" + name + "'; this machine has " + names());
            for (InterfaceAddress a : nif.getInterfaceAddresses()) {
                if (a.getAddress() instanceof Inet4Address v4) return v4.getHostAddress();
            }
            throw new IllegalArgumentException("network interface '" + name + "' has no IPv4 address (it has " + nif.getInterfaceAddresses() + ")");
        } catch (SocketException e) {
            throw new UncheckedIOException("cannot read network interface '" + name + "': " + e.getMessage(), e);
        }
    }

    private static List<String> names() throws SocketException {
        List<String> out = new ArrayList<>();
        for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) out.add(n.getName());
        return out;
    }
}
