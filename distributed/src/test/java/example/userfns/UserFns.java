package example.userfns;

/**
 * Functions of a user's own package (outside {@code org.jdask}, so the deserialization policy
 * refuses it until {@code Codecs.allow("example.userfns")}): worker JVMs must learn that allow
 * from the client to decode tasks calling them.
 */
public final class UserFns {
    private UserFns() {}

    public static int square(int x) {
        return x * x;
    }

    public static boolean isEven(int x) {
        return x % 2 == 0;
    }

    public static int mod7(int x) {
        return x % 7;
    }

    public static double halfPlusOne(double v) {
        return v * 0.5 + 1;
    }

    public static long pid() {
        return ProcessHandle.current().pid();
    }
}
