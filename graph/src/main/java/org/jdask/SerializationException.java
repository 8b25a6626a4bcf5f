package org.jdask;

import org.jdask.graph.Key;

/**
 * A task, argument or result could not be serialized to cross a process boundary. Names the task
 * key (when known), the class that failed and the field path that led to it.
 */
public class SerializationException extends JdaskException {
    private final Key key;
    private final String className;
    private final String field;

    public SerializationException(Key key, String className, String field, String detail, Throwable cause) {
        super((key == null ? "" : "task " + key + ": ") + "cannot serialize " + className
                + (field == null || field.isEmpty() ? "" : " (at " + field + ")")
                + (detail == null ? "" : ": " + detail), cause);
        this.key = key;
        this.className = className;
        this.field = field;
    }

    public Key key() {
        return key;
    }

    public String className() {
        return className;
    }

    public String field() {
        return field;
    }
}
