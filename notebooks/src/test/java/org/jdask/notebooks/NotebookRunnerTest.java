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
                "x * 10;", "String s = \"a\";\ns", "s + \"\\n\\\"b\\\"\"", "'c'", "System.out.println(\"π → ✓\"); \"é\"");
        NotebookRunner.Result r = RUNNER.run(nb);
        List<Output> c1 = r.cells().get(0).outputs();
        assertEquals(List.of(new Output.Stream("stdout", "hi 3\n"), new Output.Stream("stderr", "E\n"),
                new Output.ExecuteResult(java.util.Map.of("text/plain", "4"))), c1);
        assertEquals(List.of(), r.cells().get(1).outputs());
        // strings are shown as themselves (like IJava), not as escaped literals; other values as JShell shows them
        assertEquals(List.of(new Output.ExecuteResult(java.util.Map.of("text/plain", "a"))), r.cells().get(2).outputs());
        assertEquals(List.of(new Output.ExecuteResult(java.util.Map.of("text/plain", "a\n\"b\""))), r.cells().get(3).outputs());
        assertEquals(List.of(new Output.ExecuteResult(java.util.Map.of("text/plain", "'c'"))), r.cells().get(4).outputs());
        assertEquals(List.of(new Output.Stream("stdout", "π → ✓\n"), new Output.ExecuteResult(java.util.Map.of("text/plain", "é"))),
                r.cells().get(5).outputs());
    }

    @Test
    void failingCellNamesCellLineAndError() {
        Notebook nb = notebook("int x = 3;", "void f() {\n  throw new IllegalStateException(\"boom\");\n}", "int y = 1;\nf();");
        CellFailedException e = assertThrows(CellFailedException.class, () -> RUNNER.run(nb));
        assertEquals(4, e.cell());
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("java.lang.IllegalStateException: boom"), e.getMessage());
        assertTrue(e.getMessage().contains("(cell 3, line 2)"), e.getMessage());
    }

    @Test
    void linesCountCommentsAndBlankLines() {
        Notebook nb = notebook("int x = 3;\n\n  // a comment\n  /* another */\n  if (x > 2)\n    throw new IllegalArgumentException(\"x \" + x);");
        CellFailedException e = assertThrows(CellFailedException.class, () -> RUNNER.run(nb));
        assertEquals(2, e.cell());
        assertEquals(6, e.line());
        assertTrue(e.getMessage().contains("IllegalArgumentException: x 3"), e.getMessage());
    }

    @Test
    void compileErrorNamesCellLineAndDiagnostic() {
        Notebook nb = notebook("int x = 3;", "int y = 2;\nint z = undefinedThing(x);");
        CellFailedException e = assertThrows(CellFailedException.class, () -> RUNNER.run(nb));
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
        double secs = (System.nanoTime() - t0) / 1e9;
        assertEquals(3, e.cell());
        assertTrue(e.getMessage().startsWith("test.ipynb: cell 3 failed at line 1: while (true) { Thread.onSpinWait(); }\ntimed out: the cell ran longer than 2 s"),
                e.getMessage());
        assertTrue(e.getMessage().contains("the cell printed before failing") == false, e.getMessage());
        assertTrue(secs < 30, "the runner gave up after " + secs + " s");
    }

    @Test
    void sleepingCellHitsItsOwnTimeoutFromMetadata() {
        Notebook nb = Notebook.parse("{\"nbformat\": 4, \"cells\": [{\"cell_type\": \"code\", \"source\": \"Thread.sleep(60_000);\","
                + " \"metadata\": {\"jdask\": {\"timeout_seconds\": 1}}}]}", Path.of("sleepy.ipynb"));
        long t0 = System.nanoTime();
        CellFailedException e = assertThrows(CellFailedException.class, () -> RUNNER.run(nb));
        double secs = (System.nanoTime() - t0) / 1e9;
        assertTrue(e.getMessage().startsWith("sleepy.ipynb: cell 1 failed at line 1: Thread.sleep(60_000);\ntimed out: the cell ran longer than 1 s"), e.getMessage());
        assertTrue(secs < 30, "the runner gave up after " + secs + " s");
    }

    @Test
    void displayTurnsFilesIntoImageOutputs() throws Exception {
        Notebook nb = notebook("""
                Path dir = java.nio.file.Files.createTempDirectory("nbtest");
                Path svg = java.nio.file.Files.writeString(dir.resolve("a.svg"), "<svg xmlns=\\"http://www.w3.org/2000/svg\\"/>");
                var img = new java.awt.image.BufferedImage(2, 2, java.awt.image.BufferedImage.TYPE_INT_RGB);
                javax.imageio.ImageIO.write(img, "png", dir.resolve("b.png").toFile());
                System.out.print("before");
                org.jdask.notebooks.Display.svg(svg);
                System.out.println("between");
                org.jdask.notebooks.Display.png(dir.resolve("b.png"));
                System.out.println("after");
                """.replace("Path ", "java.nio.file.Path "));
        List<Output> outs = RUNNER.run(nb).cells().get(0).outputs();
        assertEquals(5, outs.size(), outs.toString());
        assertEquals(new Output.Stream("stdout", "before"), outs.get(0));
        assertEquals("<svg xmlns=\"http://www.w3.org/2000/svg\"/>", ((Output.DisplayData) outs.get(1)).data().get("image/svg+xml"));
        assertEquals(new Output.Stream("stdout", "between\n"), outs.get(2));
        byte[] png = java.util.Base64.getDecoder().decode(((Output.DisplayData) outs.get(3)).data().get("image/png"));
        assertEquals("PNG", new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(new Output.Stream("stdout", "after\n"), outs.get(4));
    }

    @Test
    void displayOfAMissingFileFailsInTheCell() {
        CellFailedException e = assertThrows(CellFailedException.class,
                () -> RUNNER.run(notebook("org.jdask.notebooks.Display.svg(java.nio.file.Path.of(\"/no/such.svg\"));")));
        assertTrue(e.getMessage().contains("java.lang.IllegalArgumentException: Display: no such file /no/such.svg"), e.getMessage());
    }

    @Test
    void engineIsAFreshJvmWithJdaskFlagsAndClasspath() {
        String flags = String.join("\", \"", org.jdask.graph.JvmFlags.get());
        Notebook nb = notebook(
                "java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().containsAll(java.util.List.of(\"" + flags + "\"))",
                "org.jdask.Delayed.of((org.jdask.fn.Fn1<Integer, Integer>) a -> a + 1).apply(41).compute()",
                "System.setProperty(\"jdask.notebook.test\", \"set\"); ProcessHandle.current().pid() == " + ProcessHandle.current().pid());
        List<NotebookRunner.CellRun> runs = RUNNER.run(nb).cells();
        assertEquals(List.of(new Output.ExecuteResult(java.util.Map.of("text/plain", "true"))), runs.get(0).outputs());
        assertEquals(List.of(new Output.ExecuteResult(java.util.Map.of("text/plain", "42"))), runs.get(1).outputs());
        assertEquals(List.of(new Output.ExecuteResult(java.util.Map.of("text/plain", "false"))), runs.get(2).outputs());
        // a second run starts from scratch
        assertEquals(List.of(new Output.ExecuteResult(java.util.Map.of("text/plain", "null"))),
                RUNNER.run(notebook("System.getProperty(\"jdask.notebook.test\")")).cells().get(0).outputs());
    }

    @Test
    void unresolvedReferenceFails() {
        CellFailedException e = assertThrows(CellFailedException.class, () -> RUNNER.run(notebook("int ok = 1;", "void g() {\n  h(ok);\n}")));
        assertEquals(3, e.cell());
        assertTrue(e.getMessage().contains("unresolved reference to method h(int)"), e.getMessage());
    }

    @Test
    void incompleteCellIsACompileError() {
        CellFailedException e = assertThrows(CellFailedException.class, () -> RUNNER.run(notebook("int a = 1;\nvoid f() {\n  int b = 2;\n")));
        assertEquals(2, e.cell());
        assertTrue(e.getMessage().contains("error (line "), e.getMessage());
    }

    @Test
    void exceptionShowsCauseChainAndWhatTheCellPrinted() {
        CellFailedException e = assertThrows(CellFailedException.class, () -> RUNNER.run(notebook(
                "System.out.println(\"partial\");\nthrow new RuntimeException(\"outer\", new IllegalStateException(\"inner\"));")));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("java.lang.RuntimeException: outer"), e.getMessage());
        assertTrue(e.getMessage().contains("Caused by: java.lang.IllegalStateException: inner"), e.getMessage());
        assertTrue(e.getMessage().contains("the cell printed before failing:\n  stdout: partial"), e.getMessage());
    }

    @Test
    void systemExitInACellFailsInsteadOfHanging() {
        CellFailedException e = assertThrows(CellFailedException.class, () -> RUNNER.run(notebook("int a = 1;", "System.exit(3);")));
        assertEquals(3, e.cell());
        assertTrue(e.getMessage().contains("the notebook JVM ended while this cell ran"), e.getMessage());
    }

    @Test
    void recordedOutputIsComparedUnlessTheCellOptsOut() {
        String json = "{\"nbformat\": 4, \"cells\": ["
                + "{\"cell_type\": \"code\", \"source\": \"System.out.println(1 + 1);\", \"outputs\": [{\"output_type\": \"stream\", \"name\": \"stdout\", \"text\": \"3\\n\"}]},"
                + "{\"cell_type\": \"code\", \"source\": \"System.out.println(2);\", \"metadata\": {\"jdask\": {\"check_output\": false}}, \"outputs\": []},"
                + "{\"cell_type\": \"code\", \"source\": \"System.out.println(3);\", \"outputs\": [{\"output_type\": \"stream\", \"name\": \"stdout\", \"text\": [\"3\\n\"]}]},"
                + "{\"cell_type\": \"code\", \"source\": \"this does not compile\", \"metadata\": {\"jdask\": {\"skip\": \"needs SSH hosts\"}}}]}";
        NotebookRunner.Result r = RUNNER.run(Notebook.parse(json, Path.of("rec.ipynb")));
        assertEquals(List.of("rec.ipynb: cell 1: output differs from the recorded one\n  recorded: stdout: \"3\\n\"\n  produced: stdout: \"2\\n\""),
                r.mismatches());
        assertEquals("needs SSH hosts", r.cells().get(3).skipped());
        assertEquals(List.of(1, 2, 3), r.cells().stream().limit(3).map(NotebookRunner.CellRun::executionCount).toList());
    }

    @Test
    void ijavaMagicsAndOtherLanguagesAreRefusedBeforeAnythingRuns() {
        CellFailedException e = assertThrows(CellFailedException.class,
                () -> RUNNER.run(notebook("int a = 1;", "int b = 2;\n%maven org.example:x:1.0\nb")));
        assertEquals(3, e.cell());
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("IJava magics ('%maven') are not supported"), e.getMessage());
        String py = "{\"nbformat\": 4, \"metadata\": {\"kernelspec\": {\"name\": \"python3\", \"language\": \"python\"}}, \"cells\": []}";
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> RUNNER.run(Notebook.parse(py, Path.of("py.ipynb"))));
        assertTrue(bad.getMessage().startsWith("py.ipynb: the notebook's language is 'python'"), bad.getMessage());
    }

    @Test
    void displayGraphShowsTheTaskGraphAsSvg() {
        List<Output> outs = RUNNER.run(notebook("""
                var d = org.jdask.Delayed.of((org.jdask.fn.Fn1<Integer, Integer>) a -> a + 1).apply(1);
                org.jdask.notebooks.Display.graph(d);
                """)).cells().get(0).outputs();
        assertEquals(1, outs.size(), outs.toString());
        String svg = ((Output.DisplayData) outs.get(0)).data().get("image/svg+xml");
        assertTrue(svg.contains("<svg") && svg.contains("</svg>"), svg);
    }

    @Test
    void notebookMetadataAddsJvmOptions() {
        String json = "{\"nbformat\": 4, \"metadata\": {\"jdask\": {\"jvm_options\": [\"-Dnb.option=with space\", \"-Xmx300m\"]}},"
                + " \"cells\": [{\"cell_type\": \"code\", \"source\": \"System.getProperty(\\\"nb.option\\\") + \\\" \\\" + Runtime.getRuntime().maxMemory() / (1 << 20)\"}]}";
        Notebook nb = Notebook.parse(json, Path.of("opts.ipynb"));
        assertEquals(List.of("-Dnb.option=with space", "-Xmx300m"), nb.jvmOptions());
        String v = ((Output.ExecuteResult) RUNNER.run(nb).cells().get(0).outputs().get(0)).text();
        assertTrue(v.startsWith("with space ") && Integer.parseInt(v.substring(11)) <= 300, v);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Notebook.parse("{\"nbformat\": 4, \"metadata\": {\"jdask\": {\"jvm_options\": \"-Xmx1g\"}}, \"cells\": []}", Path.of("o.ipynb")));
        assertTrue(e.getMessage().startsWith("o.ipynb: notebook metadata jdask.jvm_options must be a list of strings"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Notebook.parse("{\"nbformat\": 4, \"metadata\": {\"jdask\": {\"jvm_opts\": []}}, \"cells\": []}", Path.of("o.ipynb")));
        assertEquals("o.ipynb: unknown key 'jvm_opts' in notebook metadata 'jdask' (known: jvm_options)", e.getMessage());
    }

    @Test
    void engineThatCannotStartIsNamed() {
        NotebookRunner.Options bad = new NotebookRunner.Options(System.getProperty("java.class.path"), List.of("-XX:+NoSuchJdaskFlag"), Duration.ofSeconds(30));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new NotebookRunner(bad).run(notebook("1")));
        assertTrue(e.getMessage().startsWith("test.ipynb: cannot start the notebook JVM (JShell's execution engine) with options [-XX:+NoSuchJdaskFlag]"),
                e.getMessage());
    }

    @Test
    void aPathToAPictureAsTheLastValueIsShownAsThePicture() {
        List<NotebookRunner.CellRun> runs = RUNNER.run(notebook(
                "java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(\"nbtest\");",
                "java.nio.file.Files.writeString(dir.resolve(\"p.svg\"), \"<svg/>\")",
                "java.nio.file.Files.writeString(dir.resolve(\"p.txt\"), \"x\").getFileName()",
                "dir.resolve(\"missing.svg\").getFileName()")).cells();
        assertEquals(List.of(new Output.ExecuteResult(java.util.Map.of("image/svg+xml", "<svg/>", "text/plain", "<image/svg+xml: p.svg>"))),
                runs.get(1).outputs());
        assertEquals(List.of(new Output.ExecuteResult(java.util.Map.of("text/plain", "p.txt"))), runs.get(2).outputs());
        assertEquals(List.of(new Output.ExecuteResult(java.util.Map.of("text/plain", "missing.svg"))), runs.get(3).outputs());
    }
}
