package org.jdask.fn;

import java.io.Serializable;

/** A serializable function of 6 arguments; see {@link Fn0} for why jdask has its own function types. */
@FunctionalInterface
public interface Fn6<A, B, C, D, E, F, R> extends Serializable {
    R apply(A a, B b, C c, D d, E e, F f) throws Exception;
}
