package org.jdask.fn;

import java.io.Serializable;

/** A serializable function of 4 arguments; see {@link Fn0} for why jdask has its own function types. */
@FunctionalInterface
public interface Fn4<A, B, C, D, R> extends Serializable {
    R apply(A a, B b, C c, D d) throws Exception;
}
