package plugin;

import java.nio.ByteBuffer;
import org.jdask.codec.ValueCodec;

/** Writes a {@link Blob}'s bytes as they are; reads exactly the payload it is given. */
public final class BlobCodec implements ValueCodec {
    public static final byte TAG = 121;

    @Override
    public byte tag() {
        return TAG;
    }

    @Override
    public Class<?> type() {
        return Blob.class;
    }

    @Override
    public byte[] encode(Object value) {
        return ((Blob) value).bytes.clone();
    }

    @Override
    public Object decode(ByteBuffer payload) {
        byte[] b = new byte[payload.remaining()];
        payload.get(b);
        return new Blob(b);
    }
}
