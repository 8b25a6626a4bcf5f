package org.jdask.notebooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NotebookRunnerTest {
    static final NotebookRunner RUNNER = new NotebookRunner(NotebookRunner.Options.defaults());

    /** A notebook of code cells with these sources (a markdown cell first, so code cell k is cell k+1). */
    static Notebook notebook(String... sources) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("nbformat", 4);
        root.put("nbformat_minor", 5);
        root.putObject("metadata");
        ArrayNode cells = root.putArray("cells");
        ObjectNode md = cells.addObject();
        md.put("cell_type", "markdown");
        md.putObject("metadata");
        md.put("source", "# test");
        for (String s : sources) {
            ObjectNode c = cells.addObject();
            c.put("cell_type", "code");
            c.putObject("metadata");
            c.put("source", s);
            c.putArray("outputs");
            c.putNull("execution_count");
        }
        return Notebook.parse(root.toString(), Path.of("test.ipynb"));
    }

    @Test
    void capturesOutputsAndValues() {
        Notebook nb = notebook("int x = 3;\n// comment\nSystem.out.println(\"hi \" + x);\nSystem.err.println(\"E\");\nx + 1",
                "x * 10;", "String s = \"a\";\ns");
        NotebookRunner.Result r = RUNNER.run(nb);
        System.out.println(r);
        List<Output> c1 = r.cells().get(0).outputs();
        assertEquals(List.of(new Output.Stream("stdout", "hi 3\n"), new Output.Stream("stderr", "E\n"),
                new Output.ExecuteResult(java.util.Map.of("text/plain", "4"))), c1);
        assertEquals(List.of(), r.cells().get(1).outputs());
        assertEquals(List.of(new Output.ExecuteResult(java.util.Map.of("text/plain", "\"a\""))), r.cells().get(2).outputs());
    }

    @Test
    void failingCellNamesCellLineAndError() {
        Notebook nb = notebook("int x = 3;", "void f() {\n  throw new IllegalStateException(\"boom\");\n}", "int y = 1;\nf();");
        CellFailedException e = assertThrows(CellFailedException.class, () -> RUNNER.run(nb));
        System.out.println(e.getMessage());
        assertEquals(4, e.cell());
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("java.lang.IllegalStateException: boom"), e.getMessage());
        assertTrue(e.getMessage().contains("(cell 3, line 2)"), e.getMessage());
    }

    @Test
    void linesCountCommentsAndBlankLines() {
        Notebook nb = notebook("int x = 3;\n\n  // a comment\n  /* another */\n  if (x > 2)\n    throw new IllegalArgumentException(\"x \" + x);");
        CellFailedException e = assertThrows(CellFailedException.class, () -> RUNNER.run(nb));
        System.out.println(e.getMessage());
        assertEquals(2, e.cell());
        assertEquals(6, e.line());
        assertTrue(e.getMessage().contains("IllegalArgumentException: x 3"), e.getMessage());
    }

    @Test
    void compileErrorNamesCellLineAndDiagnostic() {
        Notebook nb = notebook("int x = 3;", "int y = 2;\nint z = undefinedThing(x);");
        CellFailedException e = assertThrows(CellFailedException.class, () -> RUNNER.run(nb));
        System.out.println(e.getMessage());
        assertEquals(3, e.cell());
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("cannot find symbol"), e.getMessage());
    }

    @Test
    void hangingCellHitsTheTimeout() {
        Notebook nb = notebook("System.out.println(\"before\");", "while (true) { Thread.onSpinWait(); }");
        NotebookRunner r = new NotebookRunner(NotebookRunner.Options.defaults().withCellTimeout(Duration.ofSeconds(2)));
        long t0 = System.nanoTime();
        CellFailedException e = assertThrows(CellFailedException.class, () -> r.run(nb));
        System.out.println(e.getMessage() + " after " + (System.nanoTime() - t0) / 1e9);
        assertEquals(3, e.cell());
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
    }
}
