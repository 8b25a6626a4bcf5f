package org.jdask.serialize;

import java.nio.ByteBuffer;

/**
 * Turns values into bytes and back, for values crossing a process boundary (task payloads,
 * arguments, results). Implementations throw {@link org.jdask.SerializationException} on failure,
 * never a bare runtime exception from a library.
 */
public interface Codec {
    byte[] encode(Object value);

    Object decode(byte[] bytes);

    /** Decodes the remaining bytes of {@code buffer} (the default copies them out once). */
    default Object decode(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.get(b);
        return decode(b);
    }
}
