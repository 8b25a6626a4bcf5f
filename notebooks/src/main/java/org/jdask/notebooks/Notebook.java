package org.jdask.notebooks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Jupyter notebook in the nbformat 4 JSON format, read and written without losing anything the
 * runner does not touch (markdown, attachments, unknown metadata).
 *
 * <p>{@link #read} checks the structure and fails with the file and the position of the problem
 * (JSON line and column, or cell number and field). {@link #toJson} writes what Jupyter itself
 * writes (keys sorted, one-space indent, a final newline), as nbformat 4.5 with cell ids and the
 * metadata of the IJava kernel ({@code kernelspec} and {@code language_info} named {@code java}),
 * so a notebook rewritten by {@code jdask notebook run --inplace} diffs cleanly and opens in
 * Jupyter with a Java kernel.
 */
public final class Notebook {
    /** The kernel name (IJava's). */
    public static final String KERNEL = "java";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    private final Path file;
    private final ObjectNode root;
    private final List<Cell> cells;
    private final List<String> jvmOptions;

    private Notebook(Path file, ObjectNode root) {
        this.file = file;
        this.root = root;
        JsonNode v = root.get("nbformat");
        if (v == null || !v.isInt()) throw new IllegalArgumentException(file + ": not a Jupyter notebook (no integer field 'nbformat')");
        if (v.asInt() != 4) {
            throw new IllegalArgumentException(file + ": nbformat " + v.asInt() + " is not supported, only 4 "
                    + "(convert with: jupyter nbconvert --to notebook --nbformat 4 " + file.getFileName() + ")");
        }
        JsonNode cs = root.get("cells");
        if (cs == null || !cs.isArray()) throw new IllegalArgumentException(file + ": field 'cells' must be a list");
        List<Cell> list = new ArrayList<>(cs.size());
        for (int i = 0; i < cs.size(); i++) {
            String where = file + ": cell " + (i + 1);
            if (!cs.get(i).isObject()) throw new IllegalArgumentException(where + ": a cell must be a JSON object, got " + cs.get(i).getNodeType());
            list.add(new Cell((ObjectNode) cs.get(i), i + 1, where));
        }
        cells = List.copyOf(list);
        jvmOptions = readJvmOptions();
    }

    private List<String> readJvmOptions() {
        JsonNode opts = root.path("metadata").path("jdask");
        if (opts.isMissingNode()) return List.of();
        if (!opts.isObject()) throw new IllegalArgumentException(file + ": notebook metadata 'jdask' must be an object, got " + opts.getNodeType());
        for (Map.Entry<String, JsonNode> e : opts.properties()) {
            if (!e.getKey().equals("jvm_options")) {
                throw new IllegalArgumentException(file + ": unknown key '" + e.getKey() + "' in notebook metadata 'jdask' (known: jvm_options)");
            }
        }
        JsonNode j = opts.path("jvm_options");
        if (j.isMissingNode()) return List.of();
        List<String> out = new ArrayList<>();
        if (j.isArray()) for (JsonNode n : j) if (n.isTextual()) out.add(n.asText());
        if (!j.isArray() || out.size() != j.size()) {
            throw new IllegalArgumentException(file + ": notebook metadata jdask.jvm_options must be a list of strings, e.g. [\"-Xmx4g\"], got " + j);
        }
        return List.copyOf(out);
    }

    /**
     * Extra options for the notebook's JVM, after the standard flags (notebook metadata {@code
     * {"jdask": {"jvm_options": ["-Xmx4g"]}}}); empty when not set.
     */
    public List<String> jvmOptions() {
        return jvmOptions;
    }

    /**
     * Reads and checks a notebook.
     *
     * @throws IllegalArgumentException naming the file and where: malformed JSON (line, column),
     *     not a notebook, a bad cell (cell number, field)
     * @throws UncheckedIOException if the file cannot be read
     */
    public static Notebook read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read notebook " + file + ": " + e, e);
        }
        return parse(text, file);
    }

    /** Parses notebook JSON text; {@code file} is only used to name it in errors and results. */
    public static Notebook parse(String json, Path file) {
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String pos = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new IllegalArgumentException(file + ": malformed JSON" + pos + ": " + e.getOriginalMessage(), e);
        }
        if (tree == null || tree.isMissingNode()) throw new IllegalArgumentException(file + ": empty file, not a notebook");
        if (!tree.isObject()) throw new IllegalArgumentException(file + ": a notebook is a JSON object, got " + tree.getNodeType());
        return new Notebook(file, (ObjectNode) tree);
    }

    /** The file this notebook was read from. */
    public Path file() {
        return file;
    }

    /**
     * The notebook's language as its metadata states it ({@code kernelspec.language}, else {@code
     * language_info.name}), or null when it says nothing.
     */
    public String language() {
        JsonNode meta = root.get("metadata");
        if (meta == null || !meta.isObject()) return null;
        JsonNode l = meta.path("kernelspec").path("language");
        if (!l.isTextual()) l = meta.path("language_info").path("name");
        return l.isTextual() ? l.asText() : null;
    }

    /** Every cell, in order. */
    public List<Cell> cells() {
        return cells;
    }

    /** The notebook as nbformat 4.5 JSON text, formatted as Jupyter writes it. */
    public String toJson() {
        root.put("nbformat", 4);
        root.put("nbformat_minor", 5);
        ObjectNode meta = root.has("metadata") && root.get("metadata").isObject() ? (ObjectNode) root.get("metadata") : root.putObject("metadata");
        ObjectNode ks = meta.putObject("kernelspec");
        ks.put("display_name", "Java");
        ks.put("language", "java");
        ks.put("name", KERNEL);
        ObjectNode li = meta.putObject("language_info");
        li.put("codemirror_mode", "java");
        li.put("file_extension", ".jshell");
        li.put("mimetype", "text/x-java-source");
        li.put("name", "java");
        li.put("pygments_lexer", "java");
        li.put("version", String.valueOf(Runtime.version().feature()));
        for (int i = 0; i < cells.size(); i++) cells.get(i).normalize(i + 1);
        try {
            StringWriter w = new StringWriter();
            try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
                g.setPrettyPrinter(JUPYTER_STYLE);
                JSON.writeTree(g, sorted(root));
            }
            return w + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // a StringWriter does not fail
        }
    }

    /** Writes {@link #toJson()} to {@code out}, through a temporary file so a reader never sees half a notebook. */
    public void write(Path out) {
        try {
            Path abs = out.toAbsolutePath();
            Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
            try {
                Files.writeString(tmp, toJson(), StandardCharsets.UTF_8);
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write notebook " + out + ": " + e, e);
        }
    }

    /** Python's {@code json.dump(nb, indent=1, sort_keys=True)} look: one-space indent, {@code "k": v}, {@code []}. */
    private static final DefaultPrettyPrinter JUPYTER_STYLE = new DefaultPrettyPrinter(
            Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("")
                    .withArrayEmptySeparator(""))
            .withObjectIndenter(new DefaultIndenter(" ", "\n"))
            .withArrayIndenter(new DefaultIndenter(" ", "\n"));

    private static JsonNode sorted(JsonNode n) {
        if (n.isObject()) {
            TreeMap<String, JsonNode> m = new TreeMap<>();
            n.properties().forEach(e -> m.put(e.getKey(), sorted(e.getValue())));
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            m.forEach(o::set);
            return o;
        }
        if (n.isArray()) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            n.forEach(x -> a.add(sorted(x)));
            return a;
        }
        return n;
    }

    @Override
    public String toString() {
        return "Notebook(" + file + ", " + cells.size() + " cells)";
    }
}
