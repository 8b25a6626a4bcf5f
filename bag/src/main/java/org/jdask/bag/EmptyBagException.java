package org.jdask.bag;

import java.util.NoSuchElementException;

/**
 * A reduction that has no value for zero records ({@code min}, {@code max}, {@code mean},
 * {@code var}, {@code std}) was computed over a bag with no records in any partition. Dask
 * raises for these too; jdask uses this one type (a {@link NoSuchElementException}, as {@code
 * Stream.max().orElseThrow()} would throw) and names the operation. Reductions that do have a
 * value for zero records ({@code count}, {@code sum}, {@code any}, {@code all}) return it.
 * When computed, it arrives as the cause of a {@link org.jdask.TaskFailedException}.
 */
public class EmptyBagException extends NoSuchElementException {
    private final String operation;

    public EmptyBagException(String operation) {
        super(operation + " of an empty bag: no records in any partition");
        this.operation = operation;
    }

    /** The reduction that was asked for: "min", "max", "mean", "var" or "std". */
    public String operation() {
        return operation;
    }
}
