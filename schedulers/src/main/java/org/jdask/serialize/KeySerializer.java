package org.jdask.serialize;

import org.apache.fory.Fory;
import org.apache.fory.config.Config;
import org.apache.fory.context.ReadContext;
import org.apache.fory.context.WriteContext;
import org.apache.fory.memory.MemoryBuffer;
import org.apache.fory.serializer.Serializer;
import org.jdask.graph.Key;

/**
 * A hand-written Fory serializer for {@link Key}: its name, then its index as a count and
 * varints. Without it Fory generates a serializer for {@code Key} with Janino the first time a
 * JVM reads a task spec holding keys — on a fresh worker JVM, W6's {@code submit(sum, futures)}
 * (one task whose argument is a list of 10,000 keys) waited ~100–150 ms for that compile:
 * Fory's background compiler holds the lock every {@code deserialize} takes while it installs the
 * generated class, so even the task's input values (plain integers) waited for it (issue 14,
 * found with a flight recording of the worker: {@code JITContext.lock} parks). Keys are the one
 * jdask type in nearly every spec, so this one is written out; the rest keep Fory's generated code.
 */
final class KeySerializer extends Serializer<Key> {
    KeySerializer(Config config) {
        super(config, Key.class, false); // immutable and small: no reference tracking
    }

    /** Makes every Fory built by {@link ForyCodec} write keys with this serializer. */
    static void register(Fory fory) {
        fory.registerSerializer(Key.class, new KeySerializer(fory.getConfig()));
    }

    @Override
    public void write(WriteContext ctx, Key key) {
        ctx.writeString(key.name());
        MemoryBuffer b = ctx.getBuffer();
        int n = key.indexLength();
        b.writeVarUInt32(n);
        for (int i = 0; i < n; i++) b.writeVarInt32(key.index(i));
    }

    @Override
    public Key read(ReadContext ctx) {
        String name = ctx.readString();
        MemoryBuffer b = ctx.getBuffer();
        int n = b.readVarUInt32();
        if (n < 0 || n > b.remaining()) throw Codecs.corrupt("key " + name + ": index length " + n + " is out of range");
        if (n == 0) return Key.of(name);
        int[] index = new int[n];
        for (int i = 0; i < n; i++) index[i] = b.readVarInt32();
        return Key.of(name, index);
    }

    @Override
    public boolean isImmutable() {
        return true;
    }
}
