package org.jdask.distributed.internal;

import org.jdask.serialize.Codecs;

/**
 * A user value on its way between processes: held as the value, as its {@link Codecs} frame, or
 * both. The scheduler forwards payloads (task specs, errors) without ever decoding them; a worker
 * decodes a spec on its executor thread, not on its I/O thread. Between components in one JVM the
 * value itself travels (see {@code Wire}: local references), so nothing is serialized.
 */
public final class Payload {
    private volatile Object value;
    private volatile boolean hasValue;
    private volatile byte[] bytes;

    private Payload(Object value, boolean hasValue, byte[] bytes) {
        this.value = value;
        this.hasValue = hasValue;
        this.bytes = bytes;
    }

    public static Payload ofValue(Object value) {
        return new Payload(value, true, null);
    }

    public static Payload ofBytes(byte[] frame) {
        return new Payload(null, false, frame);
    }

    /** The value, decoding the frame on first use. */
    public Object value() {
        if (!hasValue) {
            synchronized (this) {
                if (!hasValue) {
                    value = Codecs.decode(bytes);
                    hasValue = true;
                }
            }
        }
        return value;
    }

    /** The frame, encoding the value on first use. */
    public byte[] bytes() {
        byte[] b = bytes;
        if (b == null) {
            synchronized (this) {
                if (bytes == null) bytes = Codecs.encode(value);
                b = bytes;
            }
        }
        return b;
    }

    public boolean hasValue() {
        return hasValue;
    }

    /** Size of the encoded frame if known, else -1. */
    public long encodedSize() {
        byte[] b = bytes;
        return b == null ? -1 : b.length;
    }

    @Override
    public String toString() {
        return hasValue ? "Payload(" + org.jdask.graph.Task.describe(value) + ")" : "Payload(" + bytes.length + " bytes)";
    }
}
