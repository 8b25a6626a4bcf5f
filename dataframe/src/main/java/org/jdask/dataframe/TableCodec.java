package org.jdask.dataframe;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import org.jdask.codec.ValueCodec;
import tech.tablesaw.api.Table;

/**
 * Tablesaw tables cross process boundaries as Arrow IPC streams (frame tag 33), registered with
 * {@code jdask-schedulers}' codec layer through {@link java.util.ServiceLoader}.
 */
public final class TableCodec implements ValueCodec {
    @Override public byte tag() { return 33; }
    @Override public Class<?> type() { return Table.class; }
    @Override public byte[] encode(Object value) { return ArrowTables.toBytes((Table) value); }

    @Override
    public Object decode(ByteBuffer payload) {
        byte[] b;
        int off = 0, len = payload.remaining();
        if (payload.hasArray()) {
            b = payload.array();
            off = payload.arrayOffset() + payload.position();
        } else {
            b = new byte[len];
            payload.duplicate().get(b);
        }
        return ArrowTables.read(Channels.newChannel(new ByteArrayInputStream(b, off, len)), null);
    }
}
