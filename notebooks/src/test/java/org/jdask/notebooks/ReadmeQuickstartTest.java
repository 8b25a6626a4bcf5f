package org.jdask.notebooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jdask.Config;
import org.jdask.Delayed;
import org.jdask.Jdask;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.junit.jupiter.api.Test;

/**
 * The README's quickstart, run for real. The code between the markers below must equal the
 * README's fenced block opened with {@code ```java quickstart} (compared after removing the common
 * indentation and trimming), so the README and this test cannot drift apart.
 */
class ReadmeQuickstartTest {
    private static final String BEGIN = "// README quickstart: begin";
    private static final String END = "// README quickstart: end";

    @Test
    @SuppressWarnings("try") // the README shows the usual unused `scope` variable
    void quickstartRuns() {
        // README quickstart: begin
        Fn1<Integer, Integer> inc = a -> a + 1;
        Fn2<Integer, Integer, Integer> add = (a, b) -> a + b;

        Delayed<Integer> x = Delayed.of(inc).apply(1);          // nothing runs yet
        Delayed<Integer> y = Delayed.of(inc).apply(2);
        Delayed<Integer> z = Delayed.of(add).apply(x, y);       // arguments: plain values or Delayed
        int r = z.compute();                                    // 5, on the scheduler config picks
        z.visualize(Path.of("task_graph.dot"));                 // .svg too (Graphviz, or pure Java); .png with Graphviz

        Delayed<List<Integer>> parts = Delayed.all(List.of(x, y, z));   // many -> one
        Delayed<Integer> total = Delayed.of((List<Integer> xs) -> xs.stream().mapToInt(i -> i).sum()).apply(parts);
        try (var scope = Config.set("num_workers", 2)) {                // thread-confined, undone on close
            System.out.println(Jdask.compute(List.of(x, y, total)));    // [2, 3, 10]: one graph, shared work
        }
        int s = z.compute(Map.of("scheduler", "sync"));                 // per call: "sync", "threads", ...
        // README quickstart: end

        assertEquals(5, r);
        assertEquals(5, s);
        assertEquals(List.of(2, 3, 10), Jdask.compute(List.of(x, y, total)));
        assertTrue(Files.exists(Path.of("task_graph.dot")));
    }

    @Test
    void readmeShowsExactlyThisCode() throws IOException {
        Path readme = findUp("README.md");
        String block = fencedBlock(Files.readString(readme), "```java quickstart");
        Path self = findUp("notebooks/src/test/java/org/jdask/notebooks/ReadmeQuickstartTest.java");
        String code = between(Files.readString(self), BEGIN, END);
        assertEquals(code, dedent(block).strip(), "README.md's ```java quickstart block differs from " + self
                + " (between the markers); change both together");
    }

    @Test
    void readmeOpensWithTheBuildAndTestCommands() throws IOException {
        String head = Files.readString(findUp("README.md")).lines().limit(15).reduce("", (a, b) -> a + b + "\n");
        assertTrue(head.contains("./jdask demo"), head);
        assertTrue(head.contains("mvn -B verify"), head);
    }

    static String fencedBlock(String markdown, String opening) {
        int start = markdown.indexOf("\n" + opening + "\n");
        assertTrue(start >= 0, "README.md has no block opened with " + opening);
        int from = start + opening.length() + 2;
        int end = markdown.indexOf("\n```", from - 1);
        assertTrue(end >= 0, "README.md's " + opening + " block is not closed");
        return markdown.substring(from, end + 1);
    }

    /** The lines strictly between the lines that read exactly {@code begin} and {@code end} (after stripping). */
    static String between(String text, String begin, String end) {
        List<String> lines = text.lines().toList();
        int b = -1;
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).strip().equals(begin)) b = i;
        assertTrue(b >= 0, "no line '" + begin + "'");
        int e = b + 1;
        while (e < lines.size() && !lines.get(e).strip().equals(end)) e++;
        assertTrue(e < lines.size(), "no line '" + end + "' after '" + begin + "'");
        return dedent(String.join("\n", lines.subList(b + 1, e))).strip();
    }

    static String dedent(String text) {
        List<String> lines = text.lines().toList();
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return String.join("\n", lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent).stripTrailing()).toList());
    }

    /** {@code rel} in the working directory or a parent (surefire runs in notebooks/, IDEs at the root). */
    static Path findUp(String rel) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.exists(d.resolve(rel))) return d.resolve(rel);
        }
        throw new AssertionError(rel + " not found above " + Path.of("").toAbsolutePath());
    }
}
