package org.jdask.array;

import java.io.Serializable;
import org.jdask.fn.FnN;

/**
 * The function of an array task: a named, serializable body over the task's argument values
 * (blocks, literals). The name is what graph printing and profiles show ({@code add}, {@code
 * sum-chunk}, {@code getitem}).
 */
final class BlockFn implements FnN {
    private static final long serialVersionUID = 1L;

    @FunctionalInterface
    interface Body extends Serializable {
        Object apply(Object[] args) throws Exception;
    }

    private final String name;
    private final Body body;

    BlockFn(String name, Body body) {
        this.name = name;
        this.body = body;
    }

    @Override
    public Object invoke(Object[] args) throws Exception {
        return body.apply(args);
    }

    @Override
    public String toString() {
        return name;
    }
}
