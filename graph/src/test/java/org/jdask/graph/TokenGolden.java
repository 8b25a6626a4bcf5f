package org.jdask.graph;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jdask.Ops;
import org.jdask.fn.Fn1;

/**
 * A fixed set of values whose tokens must never change between JVM runs. {@code TokenizeTest}
 * compares them with hard-coded hex strings and with the output of {@link #main} run in a child
 * JVM (a fresh identity-hash and string-hash seed, fresh lambda classes).
 */
public final class TokenGolden {
    private TokenGolden() {}

    /** A record in test sources, tokenized by class name and components. */
    public record Point(int x, String label) {}

    /** name -> token, in a fixed order. */
    public static Map<String, String> tokens() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("int-1", Tokenize.tokenize(1));
        m.put("long-1", Tokenize.tokenize(1L));
        m.put("string-1", Tokenize.tokenize("1"));
        m.put("string-unicode", Tokenize.tokenize("naïve ☃ 𝄞"));
        m.put("string-long", Tokenize.tokenize("x".repeat(100)));
        m.put("null", Tokenize.tokenize((Object) null));
        m.put("list", Tokenize.tokenize(List.of(1, 2, 3)));
        m.put("nested", Tokenize.tokenize(List.of(List.of("a", 1.5), List.of())));
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("b", List.of(2, 3));
        map.put("a", 1);
        m.put("map", Tokenize.tokenize(map));
        m.put("set", Tokenize.tokenize(Set.of("x", "y", "z")));
        m.put("double-array", Tokenize.tokenize((Object) new double[] {0.5, 1.5, -2.0, Double.NaN}));
        m.put("record", Tokenize.tokenize(new Point(3, "p")));
        m.put("enum", Tokenize.tokenize(TimeUnit.SECONDS));
        m.put("key", Tokenize.tokenize(Key.of("x", 0, 1)));
        Fn1<Integer, Integer> inc = Ops::inc;
        m.put("method-ref", Tokenize.tokenize(inc));
        m.put("several", Tokenize.tokenize(inc, 1, "two", 3.0));
        return m;
    }

    public static void main(String[] args) {
        tokens().forEach((k, v) -> System.out.println(k + "=" + v));
    }
}
