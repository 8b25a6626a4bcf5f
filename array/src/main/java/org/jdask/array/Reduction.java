package org.jdask.array;

/** The reductions of {@link NDArray#reduce} and {@link DArray#reduce}. */
public enum Reduction {
    SUM, PROD, MIN, MAX, ANY, ALL, MEAN, VAR, STD
}
