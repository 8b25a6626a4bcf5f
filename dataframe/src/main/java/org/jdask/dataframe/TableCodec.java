package org.jdask.dataframe;

import java.io.ByteArrayInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
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
    @Override public long sizeOf(Object value) { return TableSizes.of((Table) value); }

    /** Streams the Arrow IPC batch to {@code out} (a spill to disk holds no whole copy of the table on the heap); leaves it open. */
    @Override
    public void encode(Object value, OutputStream out) throws IOException {
        ArrowTables.write((Table) value, Channels.newChannel(new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                out.flush(); // the Arrow writer closes its channel: the caller's stream stays open
            }
        }));
    }

    @Override
    public Object decode(ByteBuffer payload) {
        return ArrowTables.read(Channels.newChannel(stream(payload)), null);
    }

    /** The payload's remaining bytes as a stream (its own array when it has one: no copy). */
    static ByteArrayInputStream stream(ByteBuffer payload) {
        int len = payload.remaining();
        if (payload.hasArray()) return new ByteArrayInputStream(payload.array(), payload.arrayOffset() + payload.position(), len);
        byte[] b = new byte[len];
        payload.duplicate().get(b);
        return new ByteArrayInputStream(b);
    }
}
