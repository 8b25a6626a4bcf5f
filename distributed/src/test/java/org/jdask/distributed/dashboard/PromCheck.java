package org.jdask.distributed.dashboard;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small checker of the Prometheus text exposition format (0.0.4): lines end with {@code \n};
 * {@code # HELP name text} and {@code # TYPE name counter|gauge|histogram|summary|untyped} at most
 * once per name and before its samples; a metric's samples are grouped together; names and label
 * names are valid; label values are quoted with only {@code \\ \" \n} escapes; values are floats,
 * {@code NaN} or {@code +Inf}/{@code -Inf}, optionally followed by an integer timestamp.
 */
final class PromCheck {
    record Sample(Map<String, String> labels, double value) { }

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern TYPE = Pattern.compile("# TYPE (\\S+) (counter|gauge|histogram|summary|untyped)");
    private static final Pattern HELP = Pattern.compile("# HELP (\\S+)(?: (.*))?");

    private PromCheck() { }

    static Map<String, List<Sample>> parse(String text) {
        if (!text.endsWith("\n")) throw new AssertionError("the last line must end with \\n");
        Map<String, List<Sample>> out = new LinkedHashMap<>();
        Set<String> typed = new HashSet<>(), helped = new HashSet<>(), closed = new HashSet<>();
        String current = null;
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length - 1; n++) {
            String line = lines[n];
            String where = "line " + (n + 1) + " '" + line + "': ";
            if (line.isBlank()) continue;
            if (line.startsWith("#")) {
                Matcher t = TYPE.matcher(line), h = HELP.matcher(line);
                if (t.matches()) {
                    name(t.group(1), where);
                    if (!typed.add(t.group(1))) throw new AssertionError(where + "second TYPE line for " + t.group(1));
                    if (out.containsKey(t.group(1))) throw new AssertionError(where + "TYPE after samples of " + t.group(1));
                } else if (h.matches()) {
                    name(h.group(1), where);
                    if (!helped.add(h.group(1))) throw new AssertionError(where + "second HELP line for " + h.group(1));
                    String doc = h.group(2) == null ? "" : h.group(2);
                    if (doc.replace("\\\\", "").replace("\\n", "").contains("\\")) throw new AssertionError(where + "bad escape in HELP");
                } else if (line.startsWith("# TYPE") || line.startsWith("# HELP")) {
                    throw new AssertionError(where + "malformed TYPE/HELP line");
                }
                continue;
            }
            int i = 0;
            while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') i++;
            String metric = line.substring(0, i);
            name(metric, where);
            Map<String, String> labels = new LinkedHashMap<>();
            if (i < line.length() && line.charAt(i) == '{') {
                i++;
                while (true) {
                    if (i >= line.length()) throw new AssertionError(where + "unterminated label set");
                    if (line.charAt(i) == '}') {
                        i++;
                        break;
                    }
                    int eq = line.indexOf('=', i);
                    if (eq < 0) throw new AssertionError(where + "label without '='");
                    String label = line.substring(i, eq);
                    if (!LABEL.matcher(label).matches()) throw new AssertionError(where + "bad label name '" + label + "'");
                    if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') throw new AssertionError(where + "label value not quoted");
                    StringBuilder v = new StringBuilder();
                    int j = eq + 2;
                    boolean done = false;
                    while (j < line.length()) {
                        char c = line.charAt(j);
                        if (c == '\\') {
                            if (j + 1 >= line.length()) break;
                            char e = line.charAt(j + 1);
                            if (e == '\\') v.append('\\');
                            else if (e == '"') v.append('"');
                            else if (e == 'n') v.append('\n');
                            else throw new AssertionError(where + "bad escape \\" + e);
                            j += 2;
                        } else if (c == '"') {
                            done = true;
                            j++;
                            break;
                        } else {
                            v.append(c);
                            j++;
                        }
                    }
                    if (!done) throw new AssertionError(where + "unterminated label value");
                    if (labels.put(label, v.toString()) != null) throw new AssertionError(where + "label " + label + " twice");
                    i = j;
                    if (i < line.length() && line.charAt(i) == ',') i++;
                }
            }
            String[] rest = line.substring(i).trim().split("[ \t]+");
            if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) throw new AssertionError(where + "expected 'value [timestamp]'");
            double value = value(rest[0], where);
            if (rest.length == 2) {
                try {
                    Long.parseLong(rest[1]);
                } catch (NumberFormatException e) {
                    throw new AssertionError(where + "timestamp is not an integer");
                }
            }
            if (!metric.equals(current)) {
                if (current != null) closed.add(current);
                if (closed.contains(metric)) throw new AssertionError(where + "samples of " + metric + " are not grouped together");
                current = metric;
            }
            out.computeIfAbsent(metric, k -> new ArrayList<>()).add(new Sample(labels, value));
        }
        return out;
    }

    private static void name(String n, String where) {
        if (!NAME.matcher(n).matches()) throw new AssertionError(where + "bad metric name '" + n + "'");
    }

    private static double value(String s, String where) {
        switch (s) {
            case "NaN":
                return Double.NaN;
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                try {
                    return Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw new AssertionError(where + "value '" + s + "' is not a float");
                }
        }
    }

    /** The value of the sample of {@code metric} with exactly {@code labels}, or null. */
    static Double value(Map<String, List<Sample>> m, String metric, Map<String, String> labels) {
        for (Sample s : m.getOrDefault(metric, List.of())) if (s.labels().equals(labels)) return s.value();
        return null;
    }
}
