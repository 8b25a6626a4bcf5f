package org.jdask.fn;

import java.io.Serializable;

/**
 * The uniform calling convention a {@link org.jdask.graph.Task} uses: a function over an argument
 * array. Typed {@code Fn0..Fn6} functions are adapted with {@link Fns#of}; graph passes (fusion)
 * build their own {@code FnN} implementations.
 *
 * <p>{@link #target()} returns the user's function behind an adapter, so tokenization, naming and
 * error messages talk about {@code Ops::inc}, not about the adapter.
 */
@FunctionalInterface
public interface FnN extends Serializable {
    Object invoke(Object[] args) throws Exception;

    /** The user-level function this one wraps (itself when it wraps nothing). */
    default Object target() {
        return this;
    }

    /** Number of arguments expected, or -1 for any. */
    default int arity() {
        return -1;
    }
}
