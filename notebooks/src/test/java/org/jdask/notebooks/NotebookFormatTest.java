package org.jdask.notebooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading, checking and writing nbformat 4 without running anything. */
class NotebookFormatTest {
    static final Path F = Path.of("nb.ipynb");

    static IllegalArgumentException bad(String json) {
        return assertThrows(IllegalArgumentException.class, () -> Notebook.parse(json, F));
    }

    @Test
    void malformedJsonNamesFileLineAndColumn() {
        IllegalArgumentException e = bad("{\n \"nbformat\": 4,\n \"cells\": [\n  {\"cell_type\": \"code\",, }\n ]\n}");
        assertTrue(e.getMessage().startsWith("nb.ipynb: malformed JSON at line 4, column "), e.getMessage());
        e = bad("{\"nbformat\": 4, \"cells\": [");
        assertTrue(e.getMessage().startsWith("nb.ipynb: malformed JSON at line 1"), e.getMessage());
        e = bad("{\"nbformat\": 4, \"nbformat\": 4, \"cells\": []}");
        assertTrue(e.getMessage().contains("malformed JSON") && e.getMessage().contains("nbformat"), e.getMessage());
    }

    @Test
    void structureErrorsNameTheCellAndField() {
        assertEquals("nb.ipynb: empty file, not a notebook", bad("").getMessage());
        assertEquals("nb.ipynb: a notebook is a JSON object, got ARRAY", bad("[]").getMessage());
        assertEquals("nb.ipynb: not a Jupyter notebook (no integer field 'nbformat')", bad("{\"cells\": []}").getMessage());
        assertTrue(bad("{\"nbformat\": 3, \"worksheets\": []}").getMessage().contains("nbformat 3 is not supported"));
        assertEquals("nb.ipynb: field 'cells' must be a list", bad("{\"nbformat\": 4}").getMessage());
        assertEquals("nb.ipynb: cell 2: unknown cell_type 'python' (nbformat 4 has code, markdown, raw)",
                bad("{\"nbformat\": 4, \"cells\": [{\"cell_type\": \"raw\", \"source\": \"\"}, {\"cell_type\": \"python\", \"source\": \"\"}]}").getMessage());
        assertEquals("nb.ipynb: cell 1, field 'source': expected a string or a list of strings, got NUMBER",
                bad("{\"nbformat\": 4, \"cells\": [{\"cell_type\": \"code\", \"source\": 3}]}").getMessage());
        assertEquals("nb.ipynb: cell 1: unknown key 'check_outputs' in metadata 'jdask' (known: skip, check_output, timeout_seconds)",
                bad(code("{\"jdask\": {\"check_outputs\": false}}", "[]")).getMessage());
        assertTrue(bad(code("{\"jdask\": {\"timeout_seconds\": 0}}", "[]")).getMessage().contains("timeout_seconds must be a whole number >= 1"));
        assertTrue(bad(code("{\"jdask\": {\"skip\": true}}", "[]")).getMessage().contains("jdask.skip must be a non-empty string"));
        assertEquals("nb.ipynb: cell 1, output 1: unknown output_type 'picture' (nbformat 4 has stream, display_data, execute_result, error)",
                bad(code("{}", "[{\"output_type\": \"picture\"}]")).getMessage());
    }

    static String code(String metadata, String outputs) {
        return "{\"nbformat\": 4, \"nbformat_minor\": 5, \"cells\": [{\"cell_type\": \"code\", \"metadata\": " + metadata
                + ", \"source\": [\"int x = 1;\\n\", \"x\"], \"outputs\": " + outputs + ", \"execution_count\": null}]}";
    }

    @Test
    void readsOptionsAndOutputs() {
        Notebook nb = Notebook.parse(code("{\"jdask\": {\"skip\": \"needs SSH hosts\", \"check_output\": false, \"timeout_seconds\": 5}}",
                "[{\"output_type\": \"stream\", \"name\": \"stdout\", \"text\": [\"a\\n\", \"b\\n\"]},"
                        + "{\"output_type\": \"execute_result\", \"execution_count\": 1, \"data\": {\"text/plain\": [\"1\"]}, \"metadata\": {}}]"), F);
        Cell c = nb.cells().get(0);
        assertEquals("int x = 1;\nx", c.source());
        assertEquals("needs SSH hosts", c.skipReason());
        assertEquals(false, c.checkOutput());
        assertEquals(5, c.timeoutSeconds());
        assertEquals(List.of(new Output.Stream("stdout", "a\nb\n"), new Output.ExecuteResult(Map.of("text/plain", "1"))), c.outputs());
        Cell plain = Notebook.parse(code("{}", "[]"), F).cells().get(0);
        assertNull(plain.skipReason());
        assertTrue(plain.checkOutput());
        assertNull(plain.timeoutSeconds());
    }

    @Test
    void writesJupyterStyleNbformat45WithJavaKernelAndKeepsUnknownFields(@TempDir Path dir) throws Exception {
        String in = "{\"nbformat\": 4, \"nbformat_minor\": 2, \"metadata\": {\"custom\": {\"x\": 1}},"
                + " \"cells\": [{\"cell_type\": \"markdown\", \"source\": \"# T\", \"attachments\": {}},"
                + " {\"cell_type\": \"code\", \"source\": \"1 + 1\", \"metadata\": {\"tags\": [\"t\"]}}]}";
        Notebook nb = Notebook.parse(in, F);
        nb.cells().get(1).record(List.of(new Output.Stream("stdout", "x\ny\n"), new Output.ExecuteResult(Map.of("text/plain", "2"))), 1);
        Path out = dir.resolve("out.ipynb");
        nb.write(out);
        String text = Files.readString(out);
        assertTrue(text.startsWith("{\n \"cells\": [\n  {\n   \"attachments\": {},\n   \"cell_type\": \"markdown\",\n   \"id\": \"cell-1\",\n"), text);
        assertTrue(text.contains("\"text\": [\n      \"x\\n\",\n      \"y\\n\"\n     ]"), text);
        assertTrue(text.contains("\"kernelspec\": {\n   \"display_name\": \"Java\",\n   \"language\": \"java\",\n   \"name\": \"java\"\n  }"), text);
        assertTrue(text.contains("\"language_info\": {\n   \"codemirror_mode\": \"java\""), text);
        assertTrue(text.contains("\"custom\": {\n   \"x\": 1\n  }"), text);
        assertTrue(text.contains("\"tags\": [\n     \"t\"\n    ]"), text);
        assertTrue(text.contains("\"nbformat_minor\": 5") && text.endsWith("}\n"), text);
        Notebook back = Notebook.read(out);
        assertEquals(List.of(new Output.Stream("stdout", "x\ny\n"), new Output.ExecuteResult(Map.of("text/plain", "2"))), back.cells().get(1).outputs());
        assertEquals("1 + 1", back.cells().get(1).source());
        assertEquals(text, back.toJson(), "writing is stable");
    }

    @Test
    void missingFileIsNamed() {
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Notebook.read(Path.of("no/such/notebook.ipynb")));
        assertTrue(e.getMessage().contains("no/such/notebook.ipynb"), e.getMessage());
    }

    @Test
    void imagesCompareByMediaTypeTextExactly() {
        Output a = new Output.DisplayData(Map.of("image/svg+xml", "<svg>1</svg>", "text/plain", "x"));
        Output b = new Output.DisplayData(Map.of("image/svg+xml", "<svg>2</svg>", "text/plain", "y"));
        Output c = new Output.DisplayData(Map.of("image/png", "AAAA", "text/plain", "x"));
        assertTrue(a.sameAs(b));
        assertTrue(!a.sameAs(c));
        assertTrue(new Output.Stream("stdout", "a\r\nb").sameAs(new Output.Stream("stdout", "a\nb")));
        assertTrue(!new Output.Stream("stdout", "a").sameAs(new Output.Stream("stderr", "a")));
        assertTrue(!new Output.Stream("stdout", "1.0").sameAs(new Output.Stream("stdout", "1.00")));
    }
}
