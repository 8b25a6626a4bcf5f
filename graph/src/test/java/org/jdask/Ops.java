package org.jdask;

import java.util.List;

/** Small named functions for tests (method references give stable tokens). */
public final class Ops {
    private Ops() {}

    public static int inc(int x) {
        return x + 1;
    }

    public static int add(int x, int y) {
        return x + y;
    }

    public static int sum(List<Integer> xs) {
        int s = 0;
        for (int x : xs) s += x;
        return s;
    }

    public static int boom(int x) {
        throw new ArithmeticException("boom on " + x);
    }
}
