package org.jdask.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    private static List<String> probe(List<String> flags) throws Exception {
        List<String> cmd = JavaCommand.of(flags, System.getProperty("java.class.path"));
        cmd.add(JvmFlagsProbe.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM timed out");
        return List.of(String.valueOf(p.exitValue()), out);
    }

    /** A child JVM started without Arrow's flag fails at first use, naming the flag and where to add it. */
    @Test
    void aMissingFlagFailsFastNamingItAndTheLinesToAdd() throws Exception {
        List<String> r = probe(List.of());
        assertEquals("3", r.get(0), r.get(1));
        String flag = "--add-opens=java.base/java.nio=ALL-UNNAMED";
        assertTrue(r.get(1).startsWith("Apache Arrow needs the JVM flag " + flag), r.get(1));
        assertTrue(r.get(1).contains("JDK_JAVA_OPTIONS=\"" + flag + "\"") && r.get(1).contains("<argLine>" + flag + "</argLine>")
                && r.get(1).contains("jvmArgs '" + flag + "'"), r.get(1));
        assertEquals(List.of("0", "ok\n"), probe(List.of(flag)).stream().map(s -> s.replace("\r", "")).toList());
    }
}
