package org.jdask.notebooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PercentScriptTest {
    static final Path S = Path.of("nb.java");

    @Test
    void readsCellsTypesAndMetadata() {
        String script = """
                import java.util.List;

                // %% [markdown]
                // # Title
                //
                //   - item
                // %%

                int a = 1;
                a

                // %% jdask={"check_output": false} tags=["slow", "x y"]
                System.out.println(System.nanoTime());
                // %% [raw]
                raw text
                """;
        Notebook nb = PercentScript.toNotebook(script, S, null);
        List<Cell> c = nb.cells();
        assertEquals(5, c.size());
        assertEquals(List.of("code", "markdown", "code", "code", "raw"), c.stream().map(Cell::type).toList());
        assertEquals("import java.util.List;", c.get(0).source());
        assertEquals("# Title\n\n  - item", c.get(1).source());
        assertEquals("int a = 1;\na", c.get(2).source());
        assertEquals(false, c.get(3).checkOutput());
        assertEquals("[\"slow\",\"x y\"]", c.get(3).metadata().stream().filter(e -> e.getKey().equals("tags")).findFirst().orElseThrow().getValue().toString());
        assertEquals("raw text", c.get(4).source());
    }

    @Test
    void badMarkerNamesFileAndLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PercentScript.toNotebook("int a;\n// %% jdask={\"skip\": }\nb", S, null));
        assertTrue(e.getMessage().startsWith("nb.java:2: metadata 'jdask' is not valid JSON"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PercentScript.toNotebook("// %% [markdown] oops\n// x", S, null));
        assertTrue(e.getMessage().startsWith("nb.java:1: after '// %%' expected [markdown], [raw] or key=JSON"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PercentScript.toNotebook("// %% jdask={\"skp\": \"x\"}\nint a;", S, null));
        assertTrue(e.getMessage().contains("unknown key 'skp' in metadata 'jdask'"), e.getMessage());
    }

    @Test
    void everyNotebookRoundTripsThroughAScript() throws Exception {
        List<Path> all = NotebooksTest.notebooks();
        assertTrue(!all.isEmpty());
        for (Path p : all) roundTrip(Notebook.read(p));
    }

    static void roundTrip(Notebook nb) {
        String script = PercentScript.fromNotebook(nb);
        assertTrue(script.startsWith("// %%"), script);
        Notebook back = PercentScript.toNotebook(script, S, nb);
        assertEquals(nb.cells().size(), back.cells().size());
        for (int i = 0; i < nb.cells().size(); i++) {
            Cell a = nb.cells().get(i);
            Cell b = back.cells().get(i);
            assertEquals(a.type(), b.type(), nb.file() + ": cell " + (i + 1));
            assertEquals(a.source(), b.source(), "cell " + (i + 1));
            assertEquals(a.skipReason(), b.skipReason(), "cell " + (i + 1));
            assertEquals(a.checkOutput(), b.checkOutput(), "cell " + (i + 1));
            assertEquals(a.outputs().size(), b.outputs().size(), "cell " + (i + 1));
            for (int k = 0; k < a.outputs().size(); k++) assertTrue(a.outputs().get(k).sameAs(b.outputs().get(k)), "cell " + (i + 1));
        }
        assertEquals(script, PercentScript.fromNotebook(back));
    }

    @Test
    void outputsAreKeptOnlyForUnchangedCells() {
        Notebook before = PercentScript.toNotebook("// %%\nint a = 1;\n// %%\na", S, null);
        before.cells().get(1).record(List.of(new Output.ExecuteResult(Map.of("text/plain", "1"))), 2);
        before = Notebook.parse(before.toJson(), S);
        Notebook same = PercentScript.toNotebook("// %%\nint a = 1;\n// %%\na", S, before);
        assertEquals(List.of(new Output.ExecuteResult(Map.of("text/plain", "1"))), same.cells().get(1).outputs());
        Notebook edited = PercentScript.toNotebook("// %%\nint a = 1;\n// %%\na + 1", S, before);
        assertEquals(List.of(), edited.cells().get(1).outputs());
    }
}
