package org.jdask.notebooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One output of a code cell, as nbformat 4 stores it: a {@link Stream} of text, {@link
 * DisplayData} (images: {@code image/svg+xml} as text, {@code image/png} as base64), an {@link
 * ExecuteResult} (the value of the cell's last expression) or an {@link Error}.
 *
 * <p>{@link #sameAs} is the comparison the notebook tests use: text must match exactly (line
 * endings normalized; for a result, its {@code text/plain} and media types), while images only
 * need the same media types, because a picture's bytes
 * depend on the installed Graphviz and the keys' tokens, not on the code being right.
 */
public sealed interface Output {
    /** Text written to {@code stdout} or {@code stderr}. */
    record Stream(String name, String text) implements Output {}

    /** Rich output (media type to data; text for SVG and text/plain, base64 for PNG). */
    record DisplayData(Map<String, String> data) implements Output {
        public DisplayData {
            data = Map.copyOf(data);
        }
    }

    /** The value of the cell's last expression. */
    record ExecuteResult(Map<String, String> data) implements Output {
        public ExecuteResult {
            data = Map.copyOf(data);
        }

        /** The {@code text/plain} rendering (what JShell shows after {@code ==>}). */
        public String text() {
            return data.getOrDefault("text/plain", "");
        }
    }

    /** A failure recorded in the notebook (the runner itself stops at the first one). */
    record Error(String ename, String evalue, List<String> traceback) implements Output {
        public Error {
            traceback = List.copyOf(traceback);
        }
    }

    /** Whether {@code other} counts as the same output (see the class comment). */
    default boolean sameAs(Output other) {
        if (this instanceof Stream a && other instanceof Stream b) {
            return a.name().equals(b.name()) && norm(a.text()).equals(norm(b.text()));
        }
        if (this instanceof ExecuteResult a && other instanceof ExecuteResult b) {
            return a.data().keySet().equals(b.data().keySet()) && norm(a.text()).equals(norm(b.text()));
        }
        if (this instanceof DisplayData a && other instanceof DisplayData b) {
            return a.data().keySet().equals(b.data().keySet());
        }
        if (this instanceof Error a && other instanceof Error b) {
            return a.ename().equals(b.ename()) && norm(a.evalue()).equals(norm(b.evalue()));
        }
        return false;
    }

    /** A one-line summary for mismatch reports: the kind, and the text (shortened) or media types. */
    default String describe() {
        if (this instanceof Stream s) return s.name() + ": " + quote(s.text());
        if (this instanceof ExecuteResult r) return "result: " + quote(r.text()) + (r.data().size() > 1 ? " " + r.data().keySet() : "");
        if (this instanceof DisplayData d) return "display " + d.data().keySet();
        Error e = (Error) this;
        return "error " + e.ename() + ": " + quote(e.evalue());
    }

    private static String quote(String s) {
        String t = s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
        return "\"" + (t.length() > 400 ? t.substring(0, 400) + "...(" + t.length() + " chars)" : t) + "\"";
    }

    private static String norm(String s) {
        return s.replace("\r\n", "\n");
    }

    /** This output as nbformat 4 JSON ({@code executionCount} is used by execute results only). */
    default ObjectNode toJson(Integer executionCount) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        if (this instanceof Stream s) {
            o.put("output_type", "stream");
            o.put("name", s.name());
            o.set("text", lines(s.text()));
        } else if (this instanceof DisplayData d) {
            o.put("output_type", "display_data");
            o.set("data", data(d.data()));
            o.set("metadata", f.objectNode());
        } else if (this instanceof ExecuteResult r) {
            o.put("output_type", "execute_result");
            if (executionCount == null) o.putNull("execution_count");
            else o.put("execution_count", executionCount);
            o.set("data", data(r.data()));
            o.set("metadata", f.objectNode());
        } else {
            Error e = (Error) this;
            o.put("output_type", "error");
            o.put("ename", e.ename());
            o.put("evalue", e.evalue());
            ArrayNode tb = o.putArray("traceback");
            e.traceback().forEach(tb::add);
        }
        return o;
    }

    private static ObjectNode data(Map<String, String> data) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        // base64 payloads stay one string (as Jupyter writes them); text is split into lines
        data.forEach((mime, v) -> o.set(mime, mime.startsWith("image/") && !mime.equals("image/svg+xml")
                ? JsonNodeFactory.instance.textNode(v) : lines(v)));
        return o;
    }

    /** Jupyter's multiline string: a list of lines, each keeping its {@code \n}. */
    static ArrayNode lines(String text) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        int from = 0;
        while (from < text.length()) {
            int nl = text.indexOf('\n', from);
            int to = nl < 0 ? text.length() : nl + 1;
            a.add(text.substring(from, to));
            from = to;
        }
        return a;
    }

    /**
     * Reads one output; {@code where} names it in errors ({@code file: cell 3, output 2}).
     *
     * @throws IllegalArgumentException for anything that is not a valid nbformat 4 output
     */
    static Output fromJson(JsonNode o, String where) {
        if (!o.isObject()) throw new IllegalArgumentException(where + ": an output must be a JSON object, got " + o.getNodeType());
        String type = text(o, "output_type", where);
        switch (type) {
            case "stream":
                return new Stream(text(o, "name", where), multiline(o.get("text"), where + ", field 'text'"));
            case "display_data":
            case "execute_result": {
                JsonNode d = o.get("data");
                if (d == null || !d.isObject()) throw new IllegalArgumentException(where + ": '" + type + "' needs an object 'data'");
                Map<String, String> data = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> e : d.properties()) {
                    data.put(e.getKey(), multiline(e.getValue(), where + ", data '" + e.getKey() + "'"));
                }
                return type.equals("display_data") ? new DisplayData(data) : new ExecuteResult(data);
            }
            case "error": {
                List<String> tb = new ArrayList<>();
                JsonNode t = o.get("traceback");
                if (t != null && t.isArray()) t.forEach(n -> tb.add(n.asText()));
                return new Error(text(o, "ename", where), text(o, "evalue", where), tb);
            }
            default:
                throw new IllegalArgumentException(where + ": unknown output_type '" + type
                        + "' (nbformat 4 has stream, display_data, execute_result, error)");
        }
    }

    private static String text(JsonNode o, String field, String where) {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual()) throw new IllegalArgumentException(where + ": field '" + field + "' must be a string");
        return v.asText();
    }

    /** nbformat's multiline string: a string, or a list of strings to concatenate. */
    static String multiline(JsonNode v, String where) {
        if (v != null && v.isTextual()) return v.asText();
        if (v != null && v.isArray()) {
            StringBuilder b = new StringBuilder();
            for (JsonNode n : v) {
                if (!n.isTextual()) throw new IllegalArgumentException(where + ": a list of strings may only hold strings, found " + n.getNodeType());
                b.append(n.asText());
            }
            return b.toString();
        }
        throw new IllegalArgumentException(where + ": expected a string or a list of strings, got "
                + (v == null ? "nothing" : v.getNodeType().toString()));
    }
}
