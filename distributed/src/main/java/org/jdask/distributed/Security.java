package org.jdask.distributed;

/**
 * Encryption and authentication of cluster connections (CurveZMQ keys and a ZAP allow-list).
 *
 * <p>Not implemented yet: this is the seam. {@link LocalCluster.Builder#security} accepts it and
 * fails at {@code build()} with a message saying so, rather than silently running unencrypted.
 * The plan (see {@code PROTOCOL.md}, "Security"): {@code Security.temporary()} makes a CURVE
 * keypair for the scheduler and one shared by the cluster's workers and clients; the scheduler
 * and every worker's data port run a ZAP handler that admits only those public keys, so an
 * unknown peer is refused during the handshake, before any frame reaches the decoder.
 */
public final class Security {
    private Security() {}

    /** Keys made for one cluster (not implemented yet; see the class comment). */
    public static Security temporary() {
        return new Security();
    }

    void requireSupported() {
        throw new UnsupportedOperationException("Security (CurveZMQ) is not implemented yet in jdask-distributed; "
                + "clusters bind to 127.0.0.1 by default and accept any peer that can reach them");
    }
}
