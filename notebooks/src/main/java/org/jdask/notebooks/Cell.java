package org.jdask.notebooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One cell of a {@link Notebook}: its number (1-based, counting every cell, as seen scrolling
 * the notebook), type, source, the runner's options from metadata {@code "jdask"}, and for code
 * cells the recorded outputs.
 *
 * <p>Options, all optional: {@code {"jdask": {"skip": "needs SSH hosts"}}} leaves the cell out of
 * runs (the reason is printed); {@code "check_output": false} marks output that differs run to run
 * (timings, progress bars), so tests do not compare it; {@code "timeout_seconds": 600} overrides
 * the runner's per-cell timeout. Unknown keys are rejected so a typo cannot silently switch a check off.
 */
public final class Cell {
    private static final Set<String> OPTIONS = Set.of("skip", "check_output", "timeout_seconds");

    private final ObjectNode node;
    private final int number;
    private final String type;
    private final String source;
    private final String skip;
    private final boolean checkOutput;
    private final Integer timeoutSeconds;
    private final List<Output> outputs;

    Cell(ObjectNode node, int number, String where) {
        this.node = node;
        this.number = number;
        JsonNode t = node.get("cell_type");
        if (t == null || !t.isTextual()) throw new IllegalArgumentException(where + ": field 'cell_type' must be a string");
        type = t.asText();
        if (!Set.of("code", "markdown", "raw").contains(type)) {
            throw new IllegalArgumentException(where + ": unknown cell_type '" + type + "' (nbformat 4 has code, markdown, raw)");
        }
        source = Output.multiline(node.get("source"), where + ", field 'source'");
        JsonNode meta = node.get("metadata");
        JsonNode opts = meta != null && meta.isObject() ? meta.get("jdask") : null;
        String skipReason = null;
        boolean check = true;
        Integer timeout = null;
        if (opts != null) {
            if (!opts.isObject()) throw new IllegalArgumentException(where + ": metadata 'jdask' must be an object, got " + opts.getNodeType());
            for (Map.Entry<String, JsonNode> e : opts.properties()) {
                String k = e.getKey();
                if (!OPTIONS.contains(k)) {
                    throw new IllegalArgumentException(where + ": unknown key '" + k + "' in metadata 'jdask' (known: skip, check_output, timeout_seconds)");
                }
            }
            JsonNode s = opts.get("skip");
            if (s != null) {
                if (!s.isTextual() || s.asText().isBlank()) throw new IllegalArgumentException(where + ": metadata jdask.skip must be a non-empty string (the reason)");
                skipReason = s.asText();
            }
            JsonNode c = opts.get("check_output");
            if (c != null) {
                if (!c.isBoolean()) throw new IllegalArgumentException(where + ": metadata jdask.check_output must be true or false, got " + c);
                check = c.asBoolean();
            }
            JsonNode to = opts.get("timeout_seconds");
            if (to != null) {
                if (!to.canConvertToInt() || !to.isIntegralNumber() || to.asInt() < 1) {
                    throw new IllegalArgumentException(where + ": metadata jdask.timeout_seconds must be a whole number >= 1, got " + to);
                }
                timeout = to.asInt();
            }
        }
        skip = skipReason;
        checkOutput = check;
        timeoutSeconds = timeout;
        List<Output> outs = new ArrayList<>();
        if (type.equals("code")) {
            JsonNode o = node.get("outputs");
            if (o != null && !o.isArray()) throw new IllegalArgumentException(where + ": field 'outputs' must be a list");
            if (o != null) {
                for (int i = 0; i < o.size(); i++) outs.add(Output.fromJson(o.get(i), where + ", output " + (i + 1)));
            }
        }
        outputs = List.copyOf(outs);
    }

    /** 1-based position among all cells of the notebook. */
    public int number() {
        return number;
    }

    /** {@code code}, {@code markdown} or {@code raw}. */
    public String type() {
        return type;
    }

    public boolean isCode() {
        return type.equals("code");
    }

    /** The source text, lines joined. */
    public String source() {
        return source;
    }

    /** Why the runner skips this cell (metadata {@code jdask.skip}), or null to run it. */
    public String skipReason() {
        return skip;
    }

    /** False when metadata says the output differs between runs, so tests must not compare it. */
    public boolean checkOutput() {
        return checkOutput;
    }

    /** The cell's own timeout (metadata {@code jdask.timeout_seconds}), or null for the runner's. */
    public Integer timeoutSeconds() {
        return timeoutSeconds;
    }

    /** The cell's metadata entries (e.g. {@code jdask}, {@code tags}), as JSON. */
    public java.util.Set<Map.Entry<String, JsonNode>> metadata() {
        JsonNode m = node.get("metadata");
        return m != null && m.isObject() ? m.properties() : java.util.Set.of();
    }

    /** The outputs recorded in the file (empty for markdown and raw cells). */
    public List<Output> outputs() {
        return outputs;
    }

    /** Replaces the recorded outputs in the underlying JSON (used by {@code --inplace}). */
    void record(List<Output> produced, Integer executionCount) {
        ArrayNode a = node.putArray("outputs");
        produced.forEach(o -> a.add(o.toJson(executionCount)));
        if (executionCount == null) node.putNull("execution_count");
        else node.put("execution_count", executionCount);
    }

    /** Fills in what nbformat 4.5 requires of every cell: an {@code id}, {@code metadata}, and for code cells outputs and a count. */
    void normalize(int index) {
        if (!node.has("id") || !node.get("id").isTextual()) node.put("id", "cell-" + index);
        if (!node.has("metadata") || !node.get("metadata").isObject()) node.putObject("metadata");
        if (isCode()) {
            if (!node.has("outputs")) node.putArray("outputs");
            if (!node.has("execution_count")) node.putNull("execution_count");
        } else {
            node.remove("outputs");
            node.remove("execution_count");
        }
        node.set("source", Output.lines(source));
    }

    @Override
    public String toString() {
        return "cell " + number + " (" + type + ")";
    }
}
