package org.jdask.serialize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdask.SerializationException;
import org.junit.jupiter.api.Test;
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
