package org.jdask.array;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdask.graph.Key;
import org.jdask.graph.Node;
import org.jdask.graph.Task;
import org.jdask.graph.Tokenize;

/**
 * NumPy's {@code .npy} format (version 1.0/2.0 headers, C order, little-endian {@code <f8},
 * {@code <i8} and {@code |b1}): whole arrays with {@link #read}/{@link #write}, and block-wise
 * for {@link DArray#fromNpy} / {@link DArray#toNpy}, where each task reads or writes only its
 * block's byte ranges of the one file (positional I/O, no shared state).
 */
public final class Npy {
    private Npy() {}

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** What the header says: type, shape and where the data starts. */
    record Header(DType dtype, int[] shape, long dataOffset) implements java.io.Serializable {}

    static Header header(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(pre, 0);
            pre.flip();
            byte[] m = new byte[6];
            if (pre.remaining() < 10) throw new IllegalArgumentException(path + ": not a .npy file (too short)");
            pre.get(m);
            if (!Arrays.equals(m, MAGIC)) throw new IllegalArgumentException(path + ": not a .npy file (bad magic bytes)");
            int major = pre.get() & 0xff;
            pre.get();
            long len, start;
            if (major == 1) {
                len = pre.getShort() & 0xffff;
                start = 10;
            } else if (major == 2 || major == 3) {
                if (pre.remaining() < 4) throw new IllegalArgumentException(path + ": truncated .npy header");
                len = pre.getInt() & 0xffffffffL;
                start = 12;
            } else {
                throw new IllegalArgumentException(path + ": unsupported .npy version " + major);
            }
            ByteBuffer h = ByteBuffer.allocate((int) len);
            ch.read(h, start);
            String text = new String(h.array(), StandardCharsets.ISO_8859_1);
            Matcher d = DESCR.matcher(text), f = FORTRAN.matcher(text), s = SHAPE.matcher(text);
            if (!d.find() || !f.find() || !s.find()) throw new IllegalArgumentException(path + ": malformed .npy header: " + text.trim());
            DType t = switch (d.group(1)) {
                case "<f8" -> DType.FLOAT64;
                case "<i8" -> DType.INT64;
                case "|b1" -> DType.BOOL;
                default -> throw new IllegalArgumentException(path + ": dtype '" + d.group(1)
                        + "' is not supported (float64 '<f8', int64 '<i8' and bool '|b1' are)");
            };
            if (f.group(1).equals("True")) {
                throw new IllegalArgumentException(path + ": fortran_order files are not supported; save a C-ordered array");
            }
            List<Integer> dims = new ArrayList<>();
            for (String p : s.group(1).split(",")) if (!p.isBlank()) dims.add(Integer.parseInt(p.trim()));
            int[] shape = dims.stream().mapToInt(Integer::intValue).toArray();
            long dataOffset = start + len;
            long need = dataOffset + Shape.size(shape) * t.itemSize();
            if (ch.size() < need) {
                throw new IllegalArgumentException(path + ": file has " + ch.size() + " bytes, header " + text.trim()
                        + " needs " + need);
            }
            return new Header(t, shape, dataOffset);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    static byte[] headerBytes(DType t, int[] shape) {
        String dict = "{'descr': '" + t.npyDescr() + "', 'fortran_order': False, 'shape': " + Shape.str(shape) + ", }";
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String h = dict + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + h.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length()).put(h.getBytes(StandardCharsets.ISO_8859_1));
        return b.array();
    }

    /** Reads a whole {@code .npy} file. */
    public static NDArray read(Path path) {
        Header h = header(path);
        int[] all = new int[h.shape.length];
        return readBlock(path, h, all, h.shape);
    }

    /** Writes {@code a} as a {@code .npy} file NumPy can load. */
    public static void write(NDArray a, Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] head = headerBytes(a.dtype, a.shape);
            ch.write(ByteBuffer.wrap(head), 0);
            writeBlock(ch, head.length, a.shape, new long[a.ndim()], a);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    /** The block of {@code shape} at {@code start} of the file's array. */
    static NDArray readBlock(Path path, Header h, int[] start, int[] shape) {
        NDArray out = NDArray.zeros(h.dtype, shape);
        if (out.size == 0) return out;
        int nd = shape.length;
        int t = Math.max(0, nd - 1); // axes after t are read whole, so each run of axes t.. is contiguous in the file
        while (t > 0 && shape[t] == h.shape[t]) t--;
        int run = (int) Shape.size(Arrays.copyOfRange(shape, t, nd));
        int[] fileStrides = Shape.cStrides(h.shape);
        int item = h.dtype.itemSize();
        ByteBuffer buf = ByteBuffer.allocate(run * item).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            int at = 0;
            for (int[] outer : Chunks.blocksOf(Arrays.copyOf(shape, t))) {
                long flat = 0;
                for (int a = 0; a < nd; a++) flat += (long) (start[a] + (a < t ? outer[a] : 0)) * fileStrides[a];
                buf.clear();
                long pos = h.dataOffset + flat * item;
                while (buf.hasRemaining()) {
                    int n = ch.read(buf, pos + buf.position());
                    if (n < 0) throw new IOException("unexpected end of " + path);
                }
                buf.flip();
                switch (h.dtype) {
                    case FLOAT64 -> buf.asDoubleBuffer().get(out.d, at, run);
                    case INT64 -> buf.asLongBuffer().get(out.l, at, run);
                    case BOOL -> { for (int i = 0; i < run; i++) out.b[at + i] = buf.get(i) != 0; }
                }
                at += run;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
        return out;
    }

    /** Writes block {@code a} at {@code start} of an array of {@code fileShape} whose data begins at {@code dataOffset}. */
    static long writeBlock(FileChannel ch, long dataOffset, int[] fileShape, long[] start, NDArray a) throws IOException {
        NDArray c = a.contiguous();
        int nd = fileShape.length;
        int[] shape = c.shape;
        if (c.size == 0) return 0;
        int last = nd == 0 ? 1 : shape[nd - 1];
        int[] fileStrides = Shape.cStrides(fileShape);
        int item = c.dtype.itemSize();
        ByteBuffer buf = ByteBuffer.allocate(last * item).order(ByteOrder.LITTLE_ENDIAN);
        int at = 0;
        long written = 0;
        for (int[] outer : Chunks.blocksOf(nd == 0 ? new int[0] : Arrays.copyOf(shape, nd - 1))) {
            long flat = 0;
            for (int k = 0; k < nd; k++) flat += (start[k] + (k < nd - 1 ? outer[k] : 0)) * fileStrides[k];
            buf.clear();
            switch (c.dtype) {
                case FLOAT64 -> buf.asDoubleBuffer().put(c.d, c.offset + at, last);
                case INT64 -> buf.asLongBuffer().put(c.l, c.offset + at, last);
                case BOOL -> { for (int i = 0; i < last; i++) buf.put(i, (byte) (c.b[c.offset + at + i] ? 1 : 0)); }
            }
            buf.limit(last * item);
            long pos = dataOffset + flat * item;
            while (buf.hasRemaining()) ch.write(buf, pos + buf.position());
            at += last;
            written += (long) last * item;
        }
        return written;
    }

    static DArray fromNpy(Path path, int[] blockShape) {
        Header h = header(path);
        Chunks c = Chunks.regular(h.shape, blockShape);
        String name = "from-npy-" + Tokenize.token(path.toAbsolutePath().toString(), fileStamp(path), c.all());
        String file = path.toAbsolutePath().toString(); // Strings, not Paths, travel to other JVMs
        return DArray.generate(name, c, h.dtype, (idx, bs, off) -> {
            int[] start = new int[off.length];
            for (int a = 0; a < off.length; a++) start[a] = (int) off[a];
            return new BlockFn("read-npy", a -> readBlock(Path.of(file), h, start, bs));
        });
    }

    private static Object fileStamp(Path p) {
        try {
            return List.of(Files.size(p), Files.getLastModifiedTime(p).toMillis());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat " + p, e);
        }
    }

    static void toNpy(DArray x, Path path) {
        byte[] head = headerBytes(x.dtype, x.shape());
        long dataOffset = head.length;
        int[] fileShape = x.shape();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(head), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
        String file = path.toAbsolutePath().toString();
        writeAll(x, "to-npy", Tokenize.token(x.name, file), (idx, off) -> block -> {
            try (FileChannel ch = FileChannel.open(Path.of(file), StandardOpenOption.WRITE)) {
                return writeBlock(ch, dataOffset, fileShape, off, block);
            }
        });
    }

    static void store(DArray x, Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        String d = dir.toAbsolutePath().toString();
        writeAll(x, "store", Tokenize.token(x.name, d), (idx, off) -> block -> {
            StringBuilder f = new StringBuilder();
            for (int i = 0; i < idx.length; i++) f.append(i > 0 ? "." : "").append(idx[i]);
            if (idx.length == 0) f.append('0');
            Path p = Path.of(d, f + ".npy");
            write(block, p);
            return Files.size(p);
        });
    }

    interface Writer extends java.io.Serializable {
        long write(NDArray block) throws IOException;
    }

    @FunctionalInterface
    interface WriterMaker {
        Writer make(int[] idx, long[] offsets);
    }

    /** Runs one writing task per block and waits for all (bytes summed through a tree). */
    private static void writeAll(DArray x, String op, String token, WriterMaker maker) {
        String name = op + "-" + token;
        int nd = x.ndim();
        Map<Key, Node> l = new LinkedHashMap<>();
        int[] ones = new int[nd];
        Arrays.fill(ones, 1);
        for (int[] idx : x.chunks.blocks()) {
            long[] off = new long[nd];
            for (int a = 0; a < nd; a++) off[a] = x.chunks.offset(a, idx[a]);
            Writer w = maker.make(idx, off);
            l.put(Key.of(name, idx), Task.ofArray(new BlockFn(op, a -> NDArray.of(new long[] {w.write((NDArray) a[0])}, ones)),
                    new Object[] {Key.of(x.name, idx)}));
        }
        int[][] sizes = new int[nd][];
        for (int a = 0; a < nd; a++) {
            sizes[a] = new int[x.chunks.numBlocks(a)];
            Arrays.fill(sizes[a], 1);
        }
        new DArray(name, Chunks.ofSizes(sizes), DType.INT64, l, x).sum().compute();
    }
}
