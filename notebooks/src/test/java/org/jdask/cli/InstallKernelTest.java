package org.jdask.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jdask.graph.JvmFlags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jdask notebook install-kernel}: the JJava kernel spec it writes, read back. */
class InstallKernelTest {
    @Test
    void writesAJJavaKernelSpecWithTheClasspathAndJvmFlags(@TempDir Path dir) throws Exception {
        Path jar = Files.writeString(dir.resolve("jjava-1.0.jar"), "not really a jar");
        Path kernels = dir.resolve("kernels");
        DemoCommandTest.Run r = DemoCommandTest.jdask("notebook", "install-kernel", "--jjava-jar", jar.toString(), "--dir", kernels.toString());
        assertEquals(0, r.code(), r.err());
        Path spec = kernels.resolve("jdask/kernel.json");
        assertTrue(r.out().contains("kernel spec written: " + spec), r.out());
        JsonNode k = new ObjectMapper().readTree(spec.toFile());
        List<String> argv = new ArrayList<>();
        k.get("argv").forEach(a -> argv.add(a.asText()));
        List<String> flags = JvmFlags.get();
        assertTrue(argv.get(0).endsWith(File.separator + "java"), argv.toString());
        assertEquals(flags, argv.subList(1, 1 + flags.size()), "the kernel JVM gets jdask's flags");
        assertTrue(flags.contains("--add-opens=java.base/java.nio=ALL-UNNAMED"), flags.toString());
        assertEquals(List.of("-jar", jar.toAbsolutePath().toString(), "{connection_file}"), argv.subList(1 + flags.size(), argv.size()));
        assertEquals("java", k.get("language").asText());
        assertEquals("Java (jdask)", k.get("display_name").asText());
        String cp = k.get("env").get("JJAVA_CLASSPATH").asText();
        List<String> entries = List.of(cp.split(File.pathSeparator));
        assertTrue(entries.stream().allMatch(e -> Path.of(e).isAbsolute()), cp);
        assertTrue(entries.stream().anyMatch(e -> e.contains("graph")), "jdask-graph on the kernel's class path: " + cp);
        assertEquals(String.join(" ", flags), k.get("env").get("JJAVA_JVM_OPTS").asText());
    }

    @Test
    void aMissingJarOrABadNameIsRefusedAndNothingIsWritten(@TempDir Path dir) {
        Path kernels = dir.resolve("kernels");
        DemoCommandTest.Run r = DemoCommandTest.jdask("notebook", "install-kernel", "--jjava-jar", dir.resolve("nope.jar").toString(),
                "--dir", kernels.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no JJava kernel jar at " + dir.resolve("nope.jar")) && r.err().contains("--jjava-jar"), r.err());
        assertFalse(Files.exists(kernels));
        r = DemoCommandTest.jdask("notebook", "install-kernel", "--jjava-jar", "x.jar", "--dir", kernels.toString(), "--name", "a b");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("kernel name 'a b' must be"), r.err());
    }
}
