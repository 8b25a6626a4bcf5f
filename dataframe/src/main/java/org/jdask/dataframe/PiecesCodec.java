package org.jdask.dataframe;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import org.jdask.codec.ValueCodec;
import tech.tablesaw.api.Table;

/**
 * {@link Pieces} cross processes and go to disk as a count, a byte per piece (1: here, 0: already
 * taken by its pick) and then each held piece's Arrow IPC stream, one after the other (frame tag
 * 34), streamed piece by piece by {@link #encode(Object, OutputStream)}. Sized without encoding
 * ({@link TableSizes}).
 */
public final class PiecesCodec implements ValueCodec {
    private final TableCodec table = new TableCodec();

    @Override public byte tag() { return 34; }
    @Override public Class<?> type() { return Pieces.class; }

    @Override
    public long sizeOf(Object value) {
        return TableSizes.of((Pieces) value);
    }

    @Override
    public byte[] encode(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            encode(value, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Override
    public void encode(Object value, OutputStream out) throws IOException {
        Pieces p = (Pieces) value;
        DataOutputStream d = new DataOutputStream(out);
        Table[] held = new Table[p.size()];
        for (int j = 0; j < held.length; j++) held[j] = p.peek(j); // one look: a pick may take a piece meanwhile
        d.writeInt(held.length);
        for (Table t : held) d.writeByte(t == null ? 0 : 1);
        d.flush();
        for (Table t : held) if (t != null) table.encode(t, out); // leaves out open
    }

    @Override
    public Object decode(ByteBuffer payload) {
        int len = payload.remaining();
        InputStream in = new FilterInputStream(TableCodec.stream(payload)) {
            @Override
            public void close() {
                // each piece's reader closes its channel: the stream goes on to the next piece
            }
        };
        try {
            DataInputStream d = new DataInputStream(in);
            int n = d.readInt();
            if (n < 0 || n > len) throw new IOException("a split says it has " + n + " pieces in " + len + " bytes: corrupt frame");
            boolean[] here = new boolean[n];
            for (int j = 0; j < n; j++) here[j] = d.readByte() != 0;
            Table[] parts = new Table[n];
            for (int j = 0; j < n; j++) if (here[j]) parts[j] = ArrowTables.read(Channels.newChannel(in), null);
            return new Pieces(parts);
        } catch (IOException e) {
            throw new UncheckedIOException("reading a split partition's pieces: " + e.getMessage(), e);
        }
    }
}
