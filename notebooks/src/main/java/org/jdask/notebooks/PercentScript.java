package org.jdask.notebooks;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Notebooks written as plain Java files in Jupytext's "percent" format, the easy way to author
 * and review them:
 *
 * <pre>
 * // %% [markdown]
 * // # 02 — Arrays
 * // Some *text*.
 * // %%
 * import org.jdask.Delayed;
 * // %% jdask={"check_output": false}
 * long t0 = System.nanoTime();
 * </pre>
 *
 * <p>{@code // %%} starts a code cell, {@code // %% [markdown]} a markdown cell (its lines lose
 * their {@code // }), {@code // %% [raw]} a raw cell; after the marker, {@code key=JSON} pairs are
 * the cell's metadata (Jupytext writes them the same way). {@link #toNotebook} keeps the outputs
 * recorded in an existing notebook for every code cell whose source did not change, so after
 * editing one cell only that cell needs {@code jdask notebook run --inplace} to record its output.
 */
public final class PercentScript {
    private static final Pattern MARKER = Pattern.compile("^//\\s*%%(?:\\s+\\[(markdown|md|raw)\\])?(.*)$");
    private static final Pattern KEY = Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_.-]*)=");
    private static final ObjectMapper JSON = new ObjectMapper();

    private PercentScript() {}

    /**
     * Converts script text to notebook JSON (nbformat 4.5); {@code previous}, when not null, is the
     * notebook the script was converted to before, whose outputs are kept for unchanged code cells.
     *
     * @throws IllegalArgumentException naming the script and line of a malformed marker
     */
    public static Notebook toNotebook(String script, Path file, Notebook previous) {
        Map<String, List<Output>> kept = new HashMap<>();
        if (previous != null) {
            for (Cell c : previous.cells()) if (c.isCode() && !c.outputs().isEmpty()) kept.putIfAbsent(c.source(), c.outputs());
        }
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("nbformat", 4);
        root.put("nbformat_minor", 5);
        root.putObject("metadata");
        ArrayNode cells = root.putArray("cells");
        String[] lines = script.split("\\R", -1);
        String type = "code";
        ObjectNode meta = f.objectNode();
        List<String> body = new ArrayList<>();
        boolean started = false;
        for (int i = 0; i <= lines.length; i++) {
            Matcher m = i < lines.length ? MARKER.matcher(lines[i]) : null;
            if (i < lines.length && !m.matches()) {
                body.add(lines[i]);
                continue;
            }
            if (started || body.stream().anyMatch(l -> !l.isBlank())) add(cells, type, meta, body, kept);
            if (m == null) break;
            started = true;
            type = m.group(1) == null ? "code" : m.group(1).equals("raw") ? "raw" : "markdown";
            meta = metadata(m.group(2), file, i + 1);
            body = new ArrayList<>();
        }
        return Notebook.parse(root.toString(), file);
    }

    private static void add(ArrayNode cells, String type, ObjectNode meta, List<String> body, Map<String, List<Output>> kept) {
        int from = 0;
        int to = body.size();
        while (from < to && body.get(from).isBlank()) from++;
        while (to > from && body.get(to - 1).isBlank()) to--;
        List<String> text = new ArrayList<>();
        for (String l : body.subList(from, to)) {
            text.add(type.equals("markdown") ? l.replaceFirst("^//\\s?", "") : l);
        }
        String source = String.join("\n", text);
        ObjectNode c = cells.addObject();
        c.put("cell_type", type);
        c.set("metadata", meta);
        c.put("source", source);
        if (type.equals("code")) {
            ArrayNode outs = c.putArray("outputs");
            for (Output o : kept.getOrDefault(source, List.of())) outs.add(o.toJson(null));
            c.putNull("execution_count");
        }
    }

    /** The notebook as a percent script (outputs are left out); {@link #toNotebook} reads it back. */
    public static String fromNotebook(Notebook nb) {
        StringBuilder b = new StringBuilder();
        for (Cell c : nb.cells()) {
            b.append("// %%");
            if (!c.isCode()) b.append(" [").append(c.type()).append(']');
            c.metadata().forEach(e -> b.append(' ').append(e.getKey()).append('=').append(e.getValue().toString()));
            b.append('\n');
            for (String l : c.source().split("\n", -1)) {
                b.append(c.type().equals("markdown") ? (l.isEmpty() ? "//" : "// " + l) : l).append('\n');
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** {@code key=JSON key2=JSON ...} after a marker, as a metadata object. */
    private static ObjectNode metadata(String text, Path file, int line) {
        ObjectNode meta = JsonNodeFactory.instance.objectNode();
        String rest = text;
        while (!rest.isBlank()) {
            Matcher k = KEY.matcher(rest);
            if (!k.lookingAt()) {
                throw new IllegalArgumentException(file + ":" + line + ": after '// %%' expected [markdown], [raw] or key=JSON "
                        + "metadata (e.g. jdask={\"check_output\": false}), found '" + rest.strip() + "'");
            }
            String value = rest.substring(k.end());
            try (JsonParser p = JSON.createParser(value)) {
                JsonNode v = JSON.readTree(p);
                if (v == null) throw new IllegalArgumentException(file + ":" + line + ": metadata key '" + k.group(1) + "' has no value");
                meta.set(k.group(1), v);
                rest = value.substring((int) p.currentLocation().getCharOffset());
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(file + ":" + line + ": metadata '" + k.group(1) + "' is not valid JSON: " + e.getOriginalMessage(), e);
            } catch (IOException e) {
                throw new IllegalStateException(e);   // reading a String does not fail
            }
        }
        return meta;
    }
}
