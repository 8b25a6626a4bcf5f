package org.jdask.fn;

import java.io.Serializable;

/**
 * A function of no arguments that can cross process boundaries.
 *
 * <p>All {@code Fn*} interfaces extend {@link Serializable} so that lambdas and method references
 * assigned to them are compiled as serializable lambdas: the {@code processes} and
 * {@code distributed} schedulers ship them to worker JVMs, and {@link org.jdask.Jdask#tokenize}
 * derives a stable identity from their implementation method. Unlike {@link
 * java.util.function.Supplier}, the body may throw checked exceptions; they are reported as the
 * cause of a {@link org.jdask.TaskFailedException}.
 */
@FunctionalInterface
public interface Fn0<R> extends Serializable {
    R apply() throws Exception;
}
