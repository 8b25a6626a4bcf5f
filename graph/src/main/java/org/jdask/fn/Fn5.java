package org.jdask.fn;

import java.io.Serializable;

/** A serializable function of 5 arguments; see {@link Fn0} for why jdask has its own function types. */
@FunctionalInterface
public interface Fn5<A, B, C, D, E, R> extends Serializable {
    R apply(A a, B b, C c, D d, E e) throws Exception;
}
