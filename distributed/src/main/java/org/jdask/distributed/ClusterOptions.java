package org.jdask.distributed;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The argument checks of the cluster builders ({@link LocalCluster.Builder}, {@link SshCluster.Builder},
 * {@link SlurmCluster.Builder}): each returns its argument or throws an {@link IllegalArgumentException}
 * naming the option and the value refused.
 */
final class ClusterOptions {
    private static final Pattern WORD = Pattern.compile("[^\\s'\"\\\\$`]+");

    private ClusterOptions() {}

    /** {@code n}, refused below {@code min}: "cores must be >= 1, got 0". */
    static int atLeast(String option, int n, int min) {
        if (n < min) throw new IllegalArgumentException(option + " must be >= " + min + ", got " + n);
        return n;
    }

    /** {@code n}, refused below {@code min}. */
    static long atLeast(String option, long n, long min) {
        if (n < min) throw new IllegalArgumentException(option + " must be >= " + min + ", got " + n);
        return n;
    }

    /** A TCP port from {@code min} (0: a free one, or 1) to 65535. */
    static int port(String option, int p, int min) {
        if (p < min || p > 65535) throw new IllegalArgumentException(option + " must be " + min + "-65535, got " + p);
        return p;
    }

    /** A command line of at least the program. */
    static List<String> command(String option, String... command) {
        if (command.length == 0) throw new IllegalArgumentException(option + " needs at least the program");
        return List.of(command);
    }

    /** One word without spaces, quotes or {@code $} (safe in a shell line unquoted). */
    static String word(String option, String s) {
        if (s == null || !WORD.matcher(s).matches()) {
            throw new IllegalArgumentException(option + " '" + s + "' must be one word without spaces, quotes or $");
        }
        return s;
    }

    /** One non-empty line. */
    static String line(String option, String s) {
        if (s == null || s.isBlank() || s.contains("\n") || s.contains("\r")) {
            throw new IllegalArgumentException(option + " must be one non-empty line, got " + (s == null ? "null" : "'" + s + "'"));
        }
        return s;
    }
}
