package org.jdask.dataframe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.columns.datetimes.PackedLocalDateTime;

/** Packed values and epoch milliseconds against java.time and Tablesaw's own packing; the ISO parser's edges. */
class TemporalTest {
    @Test
    void packingAgreesWithJavaTimeAndTablesaw() {
        Random r = new Random(3);
        for (int k = 0; k < 20_000; k++) {
            long ms = (long) ((r.nextDouble() - 0.5) * 2 * 20_000_000_000_000L); // about 1336..2603
            LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(ms, 1000), (int) Math.floorMod(ms, 1000) * 1_000_000, ZoneOffset.UTC);
            long packed = Temporal.epochMsToDateTime(ms);
            assertEquals(PackedLocalDateTime.pack(t), packed, t.toString());
            assertEquals(ms, Temporal.dateTimeToEpochMs(packed), t.toString());
            assertEquals(t.toLocalDate().toEpochDay(), Temporal.epochDay(t.getYear(), t.getMonthValue(), t.getDayOfMonth()));
        }
    }

    static long iso(String s, ColumnType t) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return new DateFormat("iso", null).parse(b, 0, b.length, t);
    }

    @Test
    void isoEdges() {
        assertEquals(DateFormat.FAIL, iso("2023-02-29", ColumnType.LOCAL_DATE));
        assertEquals(Temporal.packDate(2024, 2, 29), iso("2024-02-29", ColumnType.LOCAL_DATE));
        assertEquals(DateFormat.FAIL, iso("2024-01-01 24:00", ColumnType.LOCAL_DATE_TIME));
        assertEquals(DateFormat.NO_ZONE, iso("2024-01-01 10:00", ColumnType.INSTANT));
        assertEquals(DateFormat.FAIL, iso("2024-01-01T10:00Z", ColumnType.LOCAL_DATE_TIME));
        assertEquals(Temporal.epochMsToDateTime(Instant.parse("2023-12-31T23:30:00Z").toEpochMilli()), iso("2024-01-01T01:30+02:00", ColumnType.INSTANT));
        assertEquals(Temporal.epochMsToDateTime(Instant.parse("2024-01-01T05:45:00.123Z").toEpochMilli()), iso("2024-01-01 01:00:00.123456789-0445", ColumnType.INSTANT));
        assertEquals(LocalDate.of(1969, 12, 31).toEpochDay() * Temporal.DAY_MS, Temporal.dateTimeToEpochMs(iso("1969-12-31", ColumnType.LOCAL_DATE_TIME)));
        assertThrows(IllegalArgumentException.class, () -> Temporal.frequencyMs("1 hour"));
        assertThrows(IllegalArgumentException.class, () -> Temporal.frequencyMs("0h"));
        assertEquals(15 * 60_000L, Temporal.frequencyMs("15min"));
    }
}
