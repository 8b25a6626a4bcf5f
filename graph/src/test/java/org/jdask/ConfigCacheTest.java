package org.jdask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The YAML parse is kept on disk by the files' content ({@link ConfigCache}): a fresh JVM reads
 * it instead of parsing; any edit is a new parse; a malformed file still fails naming its line.
 */
class ConfigCacheTest {
    @TempDir Path tmp;

    private Path cacheDir() {
        return tmp.resolve("cache");
    }

    private Properties props() throws Exception {
        Properties p = new Properties();
        p.setProperty("user.home", Files.createDirectories(tmp.resolve("home")).toString());
        p.setProperty(ConfigCache.DIR_PROPERTY, cacheDir().toString());
        return p;
    }

    private Path userFile() throws Exception {
        return Files.createDirectories(tmp.resolve("home").resolve(".config").resolve("jdask")).resolve("a.yaml");
    }

    private List<Path> cached() throws Exception {
        if (!Files.isDirectory(cacheDir())) return List.of();
        try (Stream<Path> s = Files.list(cacheDir())) {
            return s.sorted().toList();
        }
    }

    private Map<String, Object> load(Properties p) {
        return Config.load(Map.of(), p, tmp.resolve("no-etc"));
    }

    @Test
    void aSecondLoadReadsTheStoredParseAndAnEditParsesAgain() throws Exception {
        Files.writeString(userFile(), "k:\n  n: 1\n  s: one\n");
        Properties p = props();
        Map<String, Object> first = load(p);
        assertEquals(1, first.get("k.n"));
        List<Path> files = cached();
        assertEquals(1, files.size(), "the parse is stored once: " + files);
        // the same texts are not parsed again: what the stored file says is what the next load sees
        Map<String, Object> marked = new TreeMap<>(ConfigFiles.read(files.get(0)));
        marked.put("k.n", 42);
        ConfigFiles.write(marked, files.get(0));
        Map<String, Object> second = load(p);
        assertEquals(42, second.get("k.n"), "read from the stored parse, not the YAML");
        second.put("k.more", 1); // the caller's own copy (env and -D properties go on top of it)
        assertFalse(load(p).containsKey("k.more"));
        // an edit of the file is another key: parsed again, and stored beside
        Files.writeString(userFile(), "k:\n  n: 2\n  s: one\n");
        assertEquals(2, load(p).get("k.n"));
        assertEquals(2, cached().size());
        // the parse and the stored parse are the same map, for every default of every module on the class path
        Properties off = props();
        off.setProperty(ConfigCache.DIR_PROPERTY, "off");
        Map<String, Object> parsed = load(off);
        parsed.remove("config.cache-dir"); // the -D property itself
        Map<String, Object> stored = load(p);
        stored.remove("config.cache-dir");
        assertEquals(parsed, stored);
    }

    @Test
    void aMalformedFileIsNotStoredAndStillFailsNamingItsLine() throws Exception {
        Files.writeString(userFile(), "k:\n  n: 1\n   bad: [\n");
        Properties p = props();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load(p));
        assertTrue(e.getMessage().contains("a.yaml") && e.getMessage().contains("line"), e.getMessage());
        assertEquals(List.of(), cached(), "nothing stored for a parse that failed");
    }

    @Test
    void aDamagedStoredFileFallsBackToTheParse() throws Exception {
        Files.writeString(userFile(), "k:\n  n: 3\n");
        Properties p = props();
        load(p);
        Path f = cached().get(0);
        Files.write(f, new byte[] {1, 2, 3});
        assertEquals(3, load(p).get("k.n"), "a file that cannot be read is parsed again");
        assertEquals(3, ConfigFiles.read(cached().get(0)).get("k.n"), "and stored again");
    }
}
