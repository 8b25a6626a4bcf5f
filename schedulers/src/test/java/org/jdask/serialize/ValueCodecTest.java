package org.jdask.serialize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jdask.SerializationException;
import org.junit.jupiter.api.Test;
import plugin.Blob;
import plugin.Celsius;
import plugin.CelsiusCodec;

class ValueCodecTest {
    @Test
    void topLevelValueUsesThePluginTag() {
        byte[] frame = Codecs.encode(new Celsius(21.5));
        assertEquals(CelsiusCodec.TAG, frame[0]);
        assertEquals(9, frame.length);
        assertEquals(new Celsius(21.5), Codecs.decode(frame));
    }

    @Test
    void nestedValuesGoThroughThePluginInsideFory() {
        List<Object> list = new ArrayList<>(List.of(new Celsius(1), Map.of("t", new Celsius(2)), "x"));
        byte[] frame = Codecs.encode(list);
        assertEquals(Codecs.FORY, frame[0]);
        assertEquals(list, Codecs.decode(frame));
    }

    /** Nested payloads of every size class, over Fory's 16 KiB steps (1.6.0's bytes-with-size pair broke there). */
    @Test
    void largeNestedPluginPayloadsRoundTrip() {
        Random r = new Random(18);
        for (int n : new int[] {0, 1, 16_384, 16_385, 17_000, 300_000, 2_000_000}) {
            byte[] b = new byte[n];
            r.nextBytes(b);
            List<Object> list = new ArrayList<>(List.of(new Blob(b), "after", new Blob(new byte[] {7})));
            assertEquals(list, Codecs.decode(Codecs.encode(list)), "nested Blob of " + n + " bytes");
            assertEquals(new Blob(b), Codecs.decode(Codecs.encode(new Blob(b))), "top-level Blob of " + n + " bytes");
        }
    }

    @Test
    void arraysOfPluginValuesRoundTrip() {
        Celsius[] a = {new Celsius(1), new Celsius(2), new Celsius(1)};
        Object back = Codecs.decode(Codecs.encode(a));
        assertEquals(List.of(a), List.of((Celsius[]) back));
        Object[] mixed = {a, new Celsius(3), List.of(new Celsius(4))};
        Object[] m = (Object[]) Codecs.decode(Codecs.encode(mixed));
        assertEquals(List.of(a), List.of((Celsius[]) m[0]));
        assertEquals(new Celsius(3), m[1]);
    }

    @Test
    void serializationCheckAcceptsCodecTypesAloneAndNested() {
        // Celsius is not java.io.Serializable: only its ValueCodec can carry it
        org.jdask.graph.SerializationCheck.checkValue(org.jdask.graph.Key.of("k"), new Celsius(1), "value");
        org.jdask.graph.SerializationCheck.checkValue(org.jdask.graph.Key.of("k"),
                new ArrayList<>(List.of(new Celsius(1), new Celsius(2))), "value");
    }

    @Test
    void pluginTypeIsAllowedExactlyNotItsPackage() {
        assertTrue(Codecs.isAllowed("plugin.Celsius"));
        assertTrue(!Codecs.isAllowed("plugin.Other"));
    }

    @Test
    void corruptPluginPayloadNamesTheCodec() {
        byte[] frame = {CelsiusCodec.TAG, 1, 2, 3};
        SerializationException e = assertThrows(SerializationException.class, () -> Codecs.decode(frame));
        assertTrue(e.getMessage().contains("CelsiusCodec"), e.getMessage());
    }

    @Test
    void unknownPluginTagSaysWhichAreRegistered() {
        SerializationException e = assertThrows(SerializationException.class, () -> Codecs.decode(new byte[] {99, 0}));
        assertTrue(e.getMessage().contains("120=plugin.Celsius"), e.getMessage());
    }
}
