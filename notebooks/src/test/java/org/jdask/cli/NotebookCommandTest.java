package org.jdask.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jdask.notebooks.Notebook;
import org.jdask.notebooks.Output;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jdask notebook run}, through picocli in this JVM (the cells run in their own JVM). */
class NotebookCommandTest {
    static String nb(String... sources) {
        StringBuilder b = new StringBuilder("{\"nbformat\": 4, \"nbformat_minor\": 5, \"metadata\": {}, \"cells\": [");
        for (int i = 0; i < sources.length; i++) {
            if (i > 0) b.append(',');
            b.append("{\"cell_type\": \"code\", \"metadata\": {}, \"outputs\": [], \"execution_count\": null, \"source\": \"")
                    .append(sources[i].replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append("\"}");
        }
        return b.append("]}").toString();
    }

    @Test
    void runInplaceRecordsOutputsThenCheckPasses(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("a.ipynb");
        Files.writeString(f, nb("int x = 20;", "System.out.println(\"x is \" + x);\nx + 1"));
        DemoCommandTest.Run r = DemoCommandTest.jdask("notebook", "run", "--inplace", f.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("  cell 1   ok ") && r.out().contains("  cell 2   ok "), r.out());
        assertTrue(r.out().contains(f + ": 2 code cells ran in "), r.out());
        Notebook back = Notebook.read(f);
        assertEquals(java.util.List.of(new Output.Stream("stdout", "x is 20\n"), new Output.ExecuteResult(java.util.Map.of("text/plain", "21"))),
                back.cells().get(1).outputs());
        assertTrue(Files.readString(f).contains("\"name\": \"java\""));
        r = DemoCommandTest.jdask("notebook", "run", "--check", f.toString());
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void checkFailsWhenOutputChanged(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("b.ipynb");
        Files.writeString(f, nb("System.out.println(7);"));
        DemoCommandTest.Run r = DemoCommandTest.jdask("notebook", "run", "--check", f.toString());
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains(f + ": cell 1: output differs from the recorded one"), r.err());
        assertTrue(r.err().contains("jdask notebook run --inplace " + f), r.err());
    }

    @Test
    void failingCellExitsOneAndLeavesTheFileAlone(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.ipynb");
        String text = nb("int a = 1;", "int b = a / 0;");
        Files.writeString(f, text);
        DemoCommandTest.Run r = DemoCommandTest.jdask("notebook", "run", "--inplace", f.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith(f + ": cell 2 failed at line 1: int b = a / 0;\njava.lang.ArithmeticException: / by zero"), r.err());
        assertEquals(text, Files.readString(f));
    }

    @Test
    void badInputIsNamed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("broken.ipynb");
        Files.writeString(f, "{\"nbformat\": 4,\n \"cells\": [}");
        DemoCommandTest.Run r = DemoCommandTest.jdask("notebook", "run", f.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(f + ": malformed JSON at line 2, column"), r.err());
        r = DemoCommandTest.jdask("notebook", "run", dir.resolve("missing.ipynb").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("missing.ipynb"), r.err());
        r = DemoCommandTest.jdask("notebook", "run", "--timeout", "0", f.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--timeout"), r.err());
        r = DemoCommandTest.jdask("notebook");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("missing command"), r.err());
    }

    @Test
    void convertGoesBothWaysAndKeepsOutputs(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("d.ipynb");
        Files.writeString(f, nb("int x = 2;", "x * 21"));
        assertEquals(0, DemoCommandTest.jdask("notebook", "run", "--inplace", f.toString()).code());
        DemoCommandTest.Run r = DemoCommandTest.jdask("notebook", "convert", f.toString());
        assertEquals(0, r.code(), r.err());
        Path script = dir.resolve("d.java");
        assertEquals("// %%\nint x = 2;\n\n// %%\nx * 21\n\n", Files.readString(script));
        Files.writeString(script, Files.readString(script) + "// %% [markdown]\n// done\n");
        r = DemoCommandTest.jdask("notebook", "convert", script.toString());
        assertEquals(0, r.code(), r.err());
        Notebook back = Notebook.read(f);
        assertEquals(3, back.cells().size());
        assertEquals(java.util.List.of(new Output.ExecuteResult(java.util.Map.of("text/plain", "42"))), back.cells().get(1).outputs());
        r = DemoCommandTest.jdask("notebook", "convert", dir.resolve("x.txt").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("must end with .ipynb or .java"), r.err());
    }
}
