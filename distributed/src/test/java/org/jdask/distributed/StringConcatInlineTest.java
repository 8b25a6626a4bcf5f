package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jdask.Config;
import org.junit.jupiter.api.Test;

/**
 * jdask compiles string concatenation to plain {@code StringBuilder} code ({@code
 * -XDstringConcat=inline} in the parent pom), not to {@code invokedynamic}: every concatenation
 * shape's first use in a fresh JVM spun method-handle classes (181 {@code LambdaForm} classes in a
 * fresh parent's first {@code LocalCluster} start-up, 52–55 without; its nanny's command line took
 * ~70 ms of them before the first worker JVM was spawned, a class-load trace at load ~7).
 */
class StringConcatInlineTest {
    @Test
    void theStartPathsClassesHaveNoInvokedynamicConcatenation() throws Exception {
        for (Class<?> c : List.of(Nanny.class, LocalCluster.class, WorkerMain.class, Config.class, Client.class)) {
            String resource = c.getName().replace('.', '/') + ".class";
            try (InputStream in = c.getClassLoader().getResourceAsStream(resource)) {
                assertNotNull(in, resource);
                String bytes = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                assertTrue(!bytes.contains("makeConcatWithConstants"), c.getName() + " concatenates strings through invokedynamic: "
                        + "compile with -XDstringConcat=inline (the parent pom's compilerArgs)");
            }
        }
    }
}
