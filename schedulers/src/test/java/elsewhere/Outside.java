package elsewhere;

import org.jdask.fn.Fn1;

/** A function created in a package the deserialization policy does not allow by default (for ProcessesSchedulerTest). */
public final class Outside {
    private Outside() {}

    public static int twice(int x) {
        return 2 * x;
    }

    /** A method reference whose capturing class is this one (what the policy checks). */
    public static Fn1<Integer, Integer> twiceFn() {
        return Outside::twice;
    }
}
