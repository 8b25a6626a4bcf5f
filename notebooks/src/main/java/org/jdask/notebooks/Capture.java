package org.jdask.notebooks;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine's {@code stdout} and {@code stderr} as one ordered list of chunks (a new chunk
 * whenever the stream changes), so a cell's outputs keep the order in which they were printed.
 */
final class Capture {
    /** Consecutive bytes written to one stream. */
    record Chunk(String stream, String text) {}

    private final List<String> names = new ArrayList<>();
    private final List<ByteArrayOutputStream> bytes = new ArrayList<>();

    /** A stream writing into chunks named {@code name}. */
    PrintStream stream(String name) {
        return new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                append(name, b, off, len);
            }
        }, true, StandardCharsets.UTF_8);
    }

    private synchronized void append(String name, byte[] b, int off, int len) {
        int n = names.size();
        if (n == 0 || !names.get(n - 1).equals(name)) {
            names.add(name);
            bytes.add(new ByteArrayOutputStream());
        }
        bytes.get(bytes.size() - 1).write(b, off, len);
    }

    /** Whether {@code marker} arrived on every stream that ever wrote, and on stdout and stderr. */
    synchronized boolean seen(String marker) {
        boolean out = false;
        boolean err = false;
        for (int i = 0; i < names.size(); i++) {
            if (bytes.get(i).toString(StandardCharsets.UTF_8).contains(marker)) {
                out |= names.get(i).equals("stdout");
                err |= names.get(i).equals("stderr");
            }
        }
        return out && err;
    }

    /** The chunks so far, emptied. */
    synchronized List<Chunk> drain() {
        List<Chunk> out = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) out.add(new Chunk(names.get(i), bytes.get(i).toString(StandardCharsets.UTF_8)));
        names.clear();
        bytes.clear();
        return out;
    }
}
