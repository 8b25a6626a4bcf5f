package org.jdask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one parser of config values: Dask's environment literals, parse_timedelta and parse_bytes. */
class ConfigValuesTest {
    @Test
    void environmentValuesParseLikeDask() {
        for (String t : List.of("true", "True", "TRUE")) assertEquals(true, ConfigValues.parseLiteral(t), t);
        for (String f : List.of("false", "False")) assertEquals(false, ConfigValues.parseLiteral(f), f);
        for (String n : List.of("null", "None", "none", "NULL")) assertNull(ConfigValues.parseLiteral(n), n);
        assertEquals(4, ConfigValues.parseLiteral("4"));
        assertEquals(-12, ConfigValues.parseLiteral("-12"));
        assertEquals(10_000_000_000L, ConfigValues.parseLiteral("10_000_000_000"));
        assertEquals(0.7, ConfigValues.parseLiteral("0.7"));
        assertEquals(1e9, ConfigValues.parseLiteral("1e9"));
        assertEquals(0.5, ConfigValues.parseLiteral(".5"));
        assertEquals(List.of(1, "a", true), ConfigValues.parseLiteral("[1, 'a', True]"));
        assertEquals(List.of(), ConfigValues.parseLiteral("[]"));
        assertEquals(List.of(1, 2), ConfigValues.parseLiteral("(1, 2,)"));
        assertEquals(Map.of("a", 1, "b", Arrays.asList((Object) null)), ConfigValues.parseLiteral("{'a': 1, \"b\": [None]}"));
        assertEquals("quoted text", ConfigValues.parseLiteral("'quoted text'"));
        assertEquals("it's", ConfigValues.parseLiteral("\"it's\""));
        assertEquals("4", ConfigValues.parseLiteral("'4'"));
        // not literals: the text itself
        for (String s : List.of("threads", "a plain string", "5s", "4GB", "tcp://host:8786", "[1, 2", "1.2.3", "'open", "Truex", "~", "")) {
            assertEquals(s, ConfigValues.parseLiteral(s), s);
        }
    }

    @Test
    void durationsLikeParseTimedelta() {
        assertEquals(Duration.ofSeconds(5), ConfigValues.parseDuration("5s", "t", ChronoUnit.SECONDS));
        assertEquals(Duration.ofMillis(100), ConfigValues.parseDuration("100ms", "t", ChronoUnit.SECONDS));
        assertEquals(Duration.ofMinutes(2), ConfigValues.parseDuration("2 minutes", "t", ChronoUnit.SECONDS));
        assertEquals(Duration.ofMinutes(90), ConfigValues.parseDuration("1.5h", "t", ChronoUnit.SECONDS));
        assertEquals(Duration.ofNanos(250_000), ConfigValues.parseDuration("250us", "t", ChronoUnit.SECONDS));
        assertEquals(Duration.ofDays(1), ConfigValues.parseDuration("1 day", "t", ChronoUnit.SECONDS));
        assertEquals(Duration.ofMillis(20), ConfigValues.parseDuration("0.02", "t", ChronoUnit.SECONDS));
        assertEquals(Duration.ofMillis(5000), ConfigValues.parseDuration("5000", "t", ChronoUnit.MILLIS));
        assertEquals(Duration.ofMillis(500), ConfigValues.toDuration(0.5, "k", ChronoUnit.SECONDS));
        assertEquals(Duration.ofSeconds(60), ConfigValues.toDuration(60_000, "k", ChronoUnit.MILLIS));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigValues.toDuration("5 parsecs", "a.timeout", ChronoUnit.SECONDS));
        assertTrue(e.getMessage().contains("config a.timeout '5 parsecs' is not a time") && e.getMessage().contains("5s, 100ms"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfigValues.toDuration("-1s", "a.timeout", ChronoUnit.SECONDS));
        assertTrue(e.getMessage().contains(">= 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ConfigValues.toDuration("s", "k", ChronoUnit.SECONDS));
        assertThrows(IllegalArgumentException.class, () -> ConfigValues.toDuration(List.of(1), "k", ChronoUnit.SECONDS));
    }

    @Test
    void sizesLikeParseBytes() {
        assertEquals(4_000_000_000L, ConfigValues.parseBytes("4GB", "s"));
        assertEquals(4_000_000_000L, ConfigValues.parseBytes("4 gb", "s"));
        assertEquals(512L << 20, ConfigValues.parseBytes("512MiB", "s"));
        assertEquals(1_500_000_000L, ConfigValues.parseBytes("1.5 GB", "s"));
        assertEquals(1_000_000_000L, ConfigValues.parseBytes("1e9", "s"));
        assertEquals(5_000L, ConfigValues.parseBytes("5kb", "s"));
        assertEquals(2048L, ConfigValues.parseBytes("2KiB", "s"));
        // ambiguous forms Dask would take are refused: G is GiB to Slurm and -Xmx, GB to Dask
        for (String t : List.of("24G", "5k", "2Ki", "MB")) assertThrows(IllegalArgumentException.class, () -> ConfigValues.parseBytes(t, "s"), t);
        assertEquals(100L, ConfigValues.parseBytes("100", "s"));
        assertEquals(100L, ConfigValues.toBytes(100, "k"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigValues.toBytes("4 bananas", "a.limit"));
        assertEquals("config a.limit '4 bananas' is not a size like 4GB, 512MiB or a number of bytes", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfigValues.parseBytes("-5GB", "memory"));
        assertEquals("memory '-5GB' must be a finite size >= 0", e.getMessage());
    }

    @Test
    void integersAreStrict() {
        assertEquals(4, ConfigValues.toInt(4, "n"));
        assertEquals(4, ConfigValues.toInt("4", "n"));
        assertEquals(4, ConfigValues.toInt(4.0, "n"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigValues.toInt(2.5, "num-workers"));
        assertEquals("config num-workers must be an integer, got 2.5 (not a whole number)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfigValues.toInt("2.5", "num-workers"));
        assertTrue(e.getMessage().contains("2.5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ConfigValues.toInt("many", "n"));
        assertThrows(IllegalArgumentException.class, () -> ConfigValues.toInt(1L << 40, "n"));
    }

    @Test
    void getDurationAndGetBytesReadTheConfig() {
        try (var s = Config.set("x.timeout", "250ms", "x.wait", 2, "x.ms", 1500, "x.size", "4GiB", "x.blank", "")) {
            assertEquals(Duration.ofMillis(250), Config.getDuration("x.timeout", Duration.ZERO));
            assertEquals(Duration.ofSeconds(2), Config.getDuration("x.wait", Duration.ZERO));
            assertEquals(Duration.ofMillis(1500), Config.getDuration("x.ms", Duration.ZERO, ChronoUnit.MILLIS));
            assertEquals(4L << 30, Config.getBytes("x.size", 0));
            assertEquals(Duration.ofSeconds(7), Config.getDuration("x.blank", Duration.ofSeconds(7)));
            assertEquals(7, Config.getBytes("x.unset", 7));
        }
        try (var s = Config.set("num_workers", 2.5)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Config.getInt("num-workers", 1));
            assertTrue(e.getMessage().contains("num-workers") && e.getMessage().contains("2.5"), e.getMessage());
            var opts = org.jdask.graph.RunOptions.of(Config.snapshot());
            e = assertThrows(IllegalArgumentException.class, () -> opts.configInt("num-workers", 1));
            assertTrue(e.getMessage().contains("2.5"), e.getMessage());
        }
    }
}
