package org.jdask.fn;

import java.io.Serializable;

/** A serializable function of 1 argument; see {@link Fn0} for why jdask has its own function types. */
@FunctionalInterface
public interface Fn1<A, R> extends Serializable {
    R apply(A a) throws Exception;
}
