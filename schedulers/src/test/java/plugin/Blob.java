package plugin;

import java.util.Arrays;

/** A value of any size that only its ValueCodec carries (payloads over Fory's 16 KiB buffer steps). */
public final class Blob {
    public final byte[] bytes;

    public Blob(byte[] bytes) {
        this.bytes = bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Blob b && Arrays.equals(b.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "Blob(" + bytes.length + " bytes)";
    }
}
