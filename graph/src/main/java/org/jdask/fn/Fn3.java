package org.jdask.fn;

import java.io.Serializable;

/** A serializable function of 3 arguments; see {@link Fn0} for why jdask has its own function types. */
@FunctionalInterface
public interface Fn3<A, B, C, R> extends Serializable {
    R apply(A a, B b, C c) throws Exception;
}
