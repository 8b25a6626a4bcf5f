package org.jdask;

import org.jdask.graph.Key;

/**
 * A task raised an exception. {@link #key()} names the task; {@link #getCause()} is the user's
 * exception itself (original type and stack trace) when the task ran in this JVM, or a {@link
 * RemoteTaskError} that carries the original type, message and remote stack when it ran in
 * another JVM.
 */
public class TaskFailedException extends JdaskException {
    private final Key key;

    public TaskFailedException(Key key, Throwable cause) {
        super("task " + key + " failed: " + describe(cause), cause);
        this.key = key;
    }

    public Key key() {
        return key;
    }

    private static String describe(Throwable t) {
        if (t == null) return "(no cause)";
        String type = t instanceof RemoteTaskError r ? r.originalType() : t.getClass().getName();
        return t.getMessage() == null ? type : type + ": " + t.getMessage();
    }
}
