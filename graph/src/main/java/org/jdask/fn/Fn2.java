package org.jdask.fn;

import java.io.Serializable;

/** A serializable function of 2 arguments; see {@link Fn0} for why jdask has its own function types. */
@FunctionalInterface
public interface Fn2<A, B, R> extends Serializable {
    R apply(A a, B b) throws Exception;
}
