package org.jdask;

/** Root of jdask's own unchecked exceptions. */
public class JdaskException extends RuntimeException {
    public JdaskException(String message) {
        super(message);
    }

    public JdaskException(String message, Throwable cause) {
        super(message, cause);
    }
}
