package org.jdask.cli;

/** One-line descriptions of failures for the command line: the message chain, no stack trace. */
final class Failures {
    private Failures() {}

    /** {@code message; caused by Type: message; ...}, skipping repeats of the same text. */
    static String describe(Throwable e) {
        StringBuilder b = new StringBuilder();
        String last = null;
        for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (last != null && last.contains(m)) continue;
            if (b.length() > 0) b.append("; caused by ").append(t.getClass().getSimpleName()).append(": ");
            b.append(m);
            last = m;
        }
        return b.toString();
    }
}
