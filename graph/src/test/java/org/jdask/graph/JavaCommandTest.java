package org.jdask.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fresh-JVM command line: this JDK's java, the caller's flags, then the class path; open for more. */
class JavaCommandTest {
    @Test
    void javaIsThisJdksLauncher() {
        Path java = Path.of(JavaCommand.java());
        assertEquals(Path.of(System.getProperty("java.home")).resolve("bin"), java.getParent());
        assertTrue(java.getFileName().toString().startsWith("java"), java.toString());
        assertTrue(Files.isExecutable(java), java + " is not executable");
        assertEquals(java.resolveSibling("jcmd"), Path.of(JavaCommand.tool("jcmd")));
    }

    @Test
    void flagsThenTheClassPathInOrderAndTheListTakesTheMainClass() {
        List<String> cmd = JavaCommand.of(List.of("-Da=1", "-Xmx64m"), "x.jar:y.jar");
        assertEquals(List.of(JavaCommand.java(), "-Da=1", "-Xmx64m", "-cp", "x.jar:y.jar"), cmd);
        cmd.add("Main");
        assertEquals("Main", cmd.get(5));
        List<String> bare = JavaCommand.of(List.of());
        assertEquals(List.of(JavaCommand.java()), bare);
        bare.add("@args");
        assertEquals(2, bare.size());
    }
}
