package org.jdask.graph;

/** Child-JVM entry point for {@link JvmFlagsTest}: checks the flag Arrow needs, exit 0 if present. */
public final class JvmFlagsProbe {
    private JvmFlagsProbe() {}

    public static void main(String[] args) {
        try {
            JvmFlags.requireOpen("java.base", "java.nio", "Apache Arrow");
            System.out.println("ok");
        } catch (IllegalStateException e) {
            System.out.println(e.getMessage());
            System.exit(3);
        }
    }
}
