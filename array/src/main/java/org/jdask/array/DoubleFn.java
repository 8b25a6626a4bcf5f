package org.jdask.array;

import java.io.Serializable;

/**
 * A serializable {@code double -> double} function for {@link NDArray#map} and
 * {@link DArray#map}: unboxed, so a map over a block is one tight loop.
 */
@FunctionalInterface
public interface DoubleFn extends Serializable {
    double apply(double x);
}
