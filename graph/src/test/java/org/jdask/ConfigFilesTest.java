package org.jdask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.ObjectOutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker JVM reads its parent's parse of the YAML config ({@link ConfigFiles}) and still applies its own environment and properties. */
class ConfigFilesTest {
    @TempDir Path tmp;

    private Properties props() throws Exception {
        Properties p = new Properties();
        p.setProperty("user.home", Files.createDirectories(tmp.resolve("home")).toString());
        return p;
    }

    @Test
    void everyValueTypeYamlGivesRoundTripsAndOthersAreRefused() throws Exception {
        Map<String, Object> m = new TreeMap<>();
        m.put("s", "text ü");
        m.put("i", 7);
        m.put("l", 1L << 40);
        m.put("big", new BigInteger("123456789012345678901234567890"));
        m.put("d", 0.75);
        m.put("t", true);
        m.put("f", false);
        m.put("n", null);
        m.put("list", new ArrayList<>(Arrays.asList(1, "two", null, List.of(3.0))));
        Map<String, Object> inner = new LinkedHashMap<>();
        m.put("empty", inner);
        Path f = tmp.resolve("c.bin");
        ConfigFiles.write(m, f);
        Properties p = new Properties();
        p.setProperty(ConfigFiles.PROPERTY, f.toString());
        assertEquals(m, ConfigFiles.fromProperty(p));
        assertThrows(IllegalArgumentException.class, () -> ConfigFiles.write(Map.of("x", new Object()), tmp.resolve("bad.bin")));
    }

    @Test
    void aChildWithTheFileSkipsTheYamlAndStillAppliesItsOwnEnvironmentAndProperties() throws Exception {
        Properties parent = props();
        Files.createDirectories(Path.of(parent.getProperty("user.home"), ".config", "jdask"));
        Files.writeString(Path.of(parent.getProperty("user.home"), ".config", "jdask", "a.yaml"), "k:\n  file: 1\n  env: 1\n  prop: 1\n");
        Map<String, Object> parsed = Config.load(Map.of(), parent); // the parent's YAML part (no env, no jdask.* properties)
        Path f = tmp.resolve("handed.bin");
        ConfigFiles.write(parsed, f);

        Properties child = new Properties();
        child.setProperty("user.home", tmp.resolve("elsewhere").toString()); // its own files would not be read at all
        child.setProperty(ConfigFiles.PROPERTY, f.toString());
        child.setProperty("jdask.k.prop", "3");
        Map<String, Object> m = Config.load(Map.of("JDASK_K__ENV", "2"), child);
        assertEquals(1, m.get("k.file"), "from the parent's parse of the user's file");
        assertEquals(2, m.get("k.env"), "the child's environment on top");
        assertEquals(3, m.get("k.prop"), "the child's -Djdask.* on top");
        assertEquals(parsed.get("delayed-pure"), m.get("delayed-pure"), "the defaults.yaml part too");
    }

    @Test
    void aFileNamingAnyOtherClassIsRefusedAndTheYamlParsedInstead() throws Exception {
        Path f = tmp.resolve("hostile.bin");
        try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(f))) {
            out.writeObject(new TreeMap<>(Map.of("x", new File("/etc/passwd")))); // java.io: not a value YAML gives
        }
        Properties p = props();
        p.setProperty(ConfigFiles.PROPERTY, f.toString());
        assertNull(ConfigFiles.fromProperty(p), "the filter refuses java.io.File");
        Files.writeString(f, "not serialized at all");
        assertNull(ConfigFiles.fromProperty(p), "garbage falls back too");
        Map<String, Object> expected = Config.load(Map.of(), props());
        expected.put("config.files", f.toString()); // the property itself is a jdask.* setting like any other
        assertEquals(expected, Config.load(Map.of(), p), "the YAML parse instead");
    }

    @Test
    void aMissingFileFallsBackToTheYaml() throws Exception {
        Properties p = props();
        p.setProperty(ConfigFiles.PROPERTY, tmp.resolve("gone.bin").toString());
        assertNull(ConfigFiles.fromProperty(p));
        Map<String, Object> m = Config.load(Map.of(), p);
        Properties plain = props();
        Map<String, Object> expected = Config.load(Map.of(), plain);
        expected.put("config.files", tmp.resolve("gone.bin").toString()); // the property itself is a jdask.* setting like any other
        assertEquals(expected, m);
    }

    @Test
    void thisJvmHandsItsParseToChildrenWithItsOwnClassPathOnly() throws Exception {
        List<String> opts = ConfigFiles.childOptions(System.getProperty("java.class.path"));
        assertEquals(1, opts.size(), opts.toString());
        assertTrue(opts.get(0).startsWith("-D" + ConfigFiles.PROPERTY + "="), opts.toString());
        Properties p = new Properties();
        p.setProperty(ConfigFiles.PROPERTY, opts.get(0).substring(opts.get(0).indexOf('=') + 1));
        Map<String, Object> handed = ConfigFiles.fromProperty(p);
        assertNotNull(handed);
        assertEquals(Config.filesPart(), handed);
        assertEquals(List.of(), ConfigFiles.childOptions("/some/other.jar"), "another class path may have other defaults.yaml");
        assertEquals(opts, ConfigFiles.childOptions(System.getProperty("java.class.path")), "written once per parse");
        Config.refresh(); // the files are read again: children get the new parse (the same stored one while the texts are the same)
        List<String> again = ConfigFiles.childOptions(System.getProperty("java.class.path"));
        p.setProperty(ConfigFiles.PROPERTY, again.get(0).substring(again.get(0).indexOf('=') + 1));
        assertEquals(Config.filesPart(), ConfigFiles.fromProperty(p), "after a refresh, the handed file holds the new parse");
    }
}
