package org.jdask.distributed;

/** Main class of the fresh JVM {@link ClientWarmupTest} starts: the client warm-up alone, then exit. */
public final class ClientWarmupProbe {
    private ClientWarmupProbe() {}

    public static void main(String[] args) {
        System.out.println("WARM-UP DONE " + ClientWarmup.run());
    }
}
