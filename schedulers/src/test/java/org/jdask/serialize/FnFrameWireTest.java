package org.jdask.serialize;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import org.jdask.SerializationException;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fns;
import org.jdask.fn.FnN;
import org.junit.jupiter.api.Test;

/**
 * A function frame read from the wire is checked before its bytes are taken: a truncated frame, a
 * negative or huge length, a length past the end and a garbage arity fail with a message naming
 * what was read and what was there, not deep inside Fory's buffer.
 */
class FnFrameWireTest {
    private static final Fn1<Integer, Integer> PLUS = x -> x + 1;

    /** A task-level frame holding one {@link FnFrame}, and where its function's bytes start in it. */
    private record Framed(byte[] outer, int inner, int length) {
        /** The outer frame with the length varint (just before the function's bytes) replaced by {@code n}'s. */
        byte[] withLength(long n) {
            int lenBytes = varUInt(length).length;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(outer, 0, inner - lenBytes);
            out.writeBytes(varUInt(n));
            out.write(outer, inner, outer.length - inner);
            return out.toByteArray();
        }

        /** Index of the arity varint (one byte for a small arity), just before the length. */
        int arityAt() {
            return inner - varUInt(length).length - 1;
        }
    }

    private static Framed framed() {
        FnN fn = Fns.of(PLUS);
        byte[] inner = Codecs.encode(fn);
        byte[] outer = Codecs.encode(FnFrame.of(fn));
        int at = indexOf(outer, inner);
        assertTrue(at > 0, "the function's bytes are inside the FnFrame's frame");
        assertEquals(inner.length, ((FnFrame) Codecs.decode(outer)).frameSize());
        return new Framed(outer, at, inner.length);
    }

    @Test
    void anIntactFrameReadsBack() throws Exception {
        FnFrame f = assertInstanceOf(FnFrame.class, Codecs.decode(framed().outer()));
        assertEquals(42, f.invoke(new Object[] {41}));
    }

    @Test
    void aTruncatedFrameNamesTheLengthAndTheBytesLeft() {
        Framed f = framed();
        int cut = f.inner() + f.length() / 2;
        String m = refused(Arrays.copyOf(f.outer(), cut));
        assertTrue(m.contains("a length of " + f.length() + " bytes, but only " + (cut - f.inner()) + " bytes follow it"), m);
        assertTrue(m.contains("FnFrame") && m.contains("truncated or corrupt"), m);
    }

    @Test
    void aNegativeLengthIsRefused() {
        String m = refused(framed().withLength(0xFFFF_FFFFL)); // -1 as an int
        assertTrue(m.contains("a negative length -1 (4294967295 as unsigned)"), m);
    }

    @Test
    void aLengthPastTheEndIsRefused() {
        Framed f = framed();
        int tail = f.outer().length - f.inner(); // the function's bytes and whatever follows them
        String m = refused(f.withLength(f.length() + 1000L));
        assertTrue(m.contains("a length of " + (f.length() + 1000) + " bytes, but only " + tail + " bytes follow it"), m);
    }

    @Test
    void aLengthOverTheLimitIsRefusedAsSuch() {
        String m = refused(framed().withLength(FnFrame.MAX_BYTES + 1L));
        assertTrue(m.contains("a length of " + (FnFrame.MAX_BYTES + 1) + " bytes, over the " + FnFrame.MAX_BYTES + "-byte limit"), m);
    }

    @Test
    void aGarbageArityIsRefused() {
        Framed f = framed();
        byte[] bad = f.outer().clone();
        assertEquals(2, bad[f.arityAt()], "arity 1, zigzag-encoded");
        bad[f.arityAt()] = 9; // zigzag for -5
        String m = refused(bad);
        assertTrue(m.contains("an arity of -5 (expected -1 or more)"), m);
    }

    @Test
    void garbageInPlaceOfTheFunctionFailsClearlyWhenItIsResolved() {
        Framed f = framed();
        byte[] bad = f.outer().clone();
        Random r = new Random(17);
        for (int i = f.inner() + 1; i < f.inner() + f.length(); i++) bad[i] = (byte) r.nextInt(256); // keeps the tag byte
        FnFrame read = assertInstanceOf(FnFrame.class, Codecs.decode(bad), "the bytes are opaque until resolved");
        SerializationException e = assertThrows(SerializationException.class, read::resolve);
        assertTrue(e.getMessage().contains("cannot be read (truncated or corrupt)"), e.getMessage());
    }

    @Test
    void theCheckAcceptsExactlyWhatFits() {
        assertDoesNotThrow(() -> FnFrame.checkRead(-1, 10, 10, 3));
        assertDoesNotThrow(() -> FnFrame.checkRead(2, 0, 0, 3));
        assertThrows(SerializationException.class, () -> FnFrame.checkRead(1, 11, 10, 3));
        assertThrows(SerializationException.class, () -> FnFrame.checkRead(-2, 1, 10, 3));
        assertThrows(SerializationException.class, () -> FnFrame.checkRead(1, Integer.MIN_VALUE, 10, 3));
        String m = assertThrows(SerializationException.class, () -> FnFrame.checkRead(1, 11, 10, 3)).getMessage();
        assertTrue(m.contains("arity 1") && m.contains("at byte 3"), m);
    }

    private static String refused(byte[] frame) {
        return assertThrows(SerializationException.class, () -> Codecs.decode(frame)).getMessage();
    }

    private static byte[] varUInt(long n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((n & ~0x7FL) != 0) {
            out.write((int) ((n & 0x7F) | 0x80));
            n >>>= 7;
        }
        out.write((int) n);
        return out.toByteArray();
    }

    private static int indexOf(byte[] in, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= in.length; i++) {
            for (int j = 0; j < part.length; j++) if (in[i + j] != part[j]) continue outer;
            return i;
        }
        return -1;
    }
}
