package org.jdask.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class JvmFlagsTest {
    @Test
    void parseSplitsOnWhitespaceAndSkipsComments() {
        String text = "# comment\n--add-opens=java.base/java.nio=ALL-UNNAMED  -Da=b\n\n\t--add-exports=x/y=ALL-UNNAMED\n";
        assertEquals(List.of("--add-opens=java.base/java.nio=ALL-UNNAMED", "-Da=b", "--add-exports=x/y=ALL-UNNAMED"),
                JvmFlags.parse(text));
        assertEquals(List.of(), JvmFlags.parse(" \n"));
    }

    @Test
    void unfilteredResourceIsRejectedWithTheReason() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> JvmFlags.parse("${jdask.jvm.flags}\n"));
        assertTrue(e.getMessage().contains("not filtered"), e.getMessage());
    }

    @Test
    void resourceIsFilteredAndEveryFlagIsAnOption() {
        for (String f : JvmFlags.get()) assertTrue(f.startsWith("-"), f);
    }

    /** The one-list promise: surefire's argLine and the resource come from the same pom property. */
    @Test
    void testJvmWasStartedWithExactlyTheseFlags() {
        List<String> running = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (String f : JvmFlags.get()) assertTrue(running.contains(f), "test JVM lacks " + f + "; it has " + running);
    }
}
