package org.jdask.bag;

import org.jdask.JdaskException;
import org.jdask.graph.Key;

/**
 * A user function failed on one record of a bag: names the operation and function, the
 * partition's key, the record's 0-based position in that partition and a short rendering of
 * the record. The cause is the function's own exception.
 */
public class BagRecordException extends JdaskException {
    private final Key partition;
    private final long position;

    public BagRecordException(String operation, Key partition, long position, String record, Throwable cause) {
        super(operation + " failed on record " + position + " of partition " + partition + " (" + record + "): "
                + (cause.getMessage() == null ? cause.getClass().getName() : cause.getClass().getName() + ": " + cause.getMessage()), cause);
        this.partition = partition;
        this.position = position;
    }

    /** Key of the partition holding the record. */
    public Key partition() {
        return partition;
    }

    /** 0-based position of the record within its partition (-1 when the function saw the whole partition). */
    public long position() {
        return position;
    }
}
