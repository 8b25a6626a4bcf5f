package evil;

import java.io.Serializable;
import org.jdask.fn.Fn1;

/** A class in a package the codec policy does not allow (for CodecsTest). */
public final class Gadget implements Serializable {
    public int payload = 42;

    /** A lambda whose capturing class is in this non-allowed package. */
    public static Fn1<Integer, Integer> lambda() {
        return x -> x + 1;
    }
}
