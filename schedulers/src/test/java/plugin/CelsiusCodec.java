package plugin;

import java.nio.ByteBuffer;
import org.jdask.codec.ValueCodec;

public final class CelsiusCodec implements ValueCodec {
    public static final byte TAG = 120;

    @Override
    public byte tag() {
        return TAG;
    }

    @Override
    public Class<?> type() {
        return Celsius.class;
    }

    @Override
    public byte[] encode(Object value) {
        return ByteBuffer.allocate(8).putDouble(((Celsius) value).degrees).array();
    }

    @Override
    public Object decode(ByteBuffer payload) {
        if (payload.remaining() != 8) throw new IllegalArgumentException("expected 8 bytes, got " + payload.remaining());
        return new Celsius(payload.getDouble());
    }
}
