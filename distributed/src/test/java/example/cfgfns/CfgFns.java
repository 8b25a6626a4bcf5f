package example.cfgfns;

/** A user function whose package is allowed only through config {@code serialization.allowed-packages}. */
public final class CfgFns {
    private CfgFns() {}

    public static int triple(int x) {
        return 3 * x;
    }
}
