package org.jdask;

/**
 * Stands in for an exception thrown in another JVM whose class could not (or should not) be
 * instantiated here. Carries the original class name and message; the remote stack trace is set
 * as this throwable's stack trace, so it prints like the original.
 */
public class RemoteTaskError extends JdaskException {
    private final String originalType;

    public RemoteTaskError(String originalType, String message, StackTraceElement[] remoteStack) {
        super(originalType + (message == null ? "" : ": " + message));
        this.originalType = originalType;
        setStackTrace(remoteStack == null ? new StackTraceElement[0] : remoteStack);
    }

    public String originalType() {
        return originalType;
    }
}
