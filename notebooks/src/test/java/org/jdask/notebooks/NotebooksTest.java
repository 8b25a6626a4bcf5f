package org.jdask.notebooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every {@code notebooks/*.ipynb}, each in a fresh JShell (its own JVM), and checks that no
 * cell fails and that every cell whose output is deterministic still prints what the notebook
 * records. To accept new output after a deliberate change: {@code ./jdask notebook run --inplace FILE},
 * then review the diff.
 */
class NotebooksTest {
    /** The module directory (surefire runs tests there); the notebooks sit at its top. */
    static List<Path> notebooks() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("").toAbsolutePath())) {
            return s.filter(p -> p.getFileName().toString().endsWith(".ipynb")).sorted().toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyNotebookRunsAndMatchesItsRecordedOutput() throws IOException {
        List<Path> all = notebooks();
        assertFalse(all.isEmpty(), "no notebooks found in " + Path.of("").toAbsolutePath());
        NotebookRunner runner = new NotebookRunner(NotebookRunner.Options.defaults());
        return all.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
            Notebook nb = Notebook.read(p);
            NotebookRunner.Result r = runner.run(nb);   // throws CellFailedException naming cell and line
            long checked = r.cells().stream().filter(NotebookRunner.CellRun::checked).count();
            assertTrue(checked > 0, p + " has no cell whose output is checked");
            for (NotebookRunner.CellRun c : r.cells()) {
                if (c.checked()) {
                    assertFalse(c.cell().outputs().isEmpty() && !c.outputs().isEmpty(),
                            p + ": cell " + c.cell().number() + " has no recorded output; run ./jdask notebook run --inplace " + p);
                }
            }
            assertEquals(List.of(), r.mismatches(), p + ": outputs changed; if that is right, re-record with ./jdask notebook run --inplace " + p);
            System.out.printf(Locale.ROOT, "%s: %d code cells (%d checked, %d skipped) in %.2f s, engine start %.2f s%n",
                    p.getFileName(), r.cells().size(), checked, r.cells().stream().filter(c -> c.skipped() != null).count(),
                    r.total().toNanos() / 1e9, r.startup().toNanos() / 1e9);
        }));
    }
}
