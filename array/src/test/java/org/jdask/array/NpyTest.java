package org.jdask.array;

import static org.jdask.array.Shape.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jdask.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** .npy files: our reader on files NumPy wrote, NumPy on files we wrote, block-wise both ways. */
class NpyTest {
    @TempDir
    Path dir;

    static final Path PYTHON = Tools.PYTHON3;

    static String python(String code) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", code).redirectErrorStream(true).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("python did not finish in 120 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.exitValue() != 0) throw new IllegalStateException("python failed: " + out);
        return out;
    }

    @Test
    void readsWhatNumpyWrites() throws Exception {
        Tools.assumeNumpy(PYTHON);
        Path f = dir.resolve("a.npy"), i = dir.resolve("i.npy"), b = dir.resolve("b.npy");
        python("import numpy as np; a = np.arange(7*5*3, dtype='f8').reshape(7, 5, 3) / 7; np.save('" + f + "', a);"
                + "np.save('" + i + "', np.arange(-5, 6, dtype='i8')); np.save('" + b + "', np.arange(10) % 3 == 0)");
        NDArray want = NDArray.arange(0, 105, 1).reshape(7, 5, 3).div(7);
        assertEquals(want, Npy.read(f));
        for (int[] c : new int[][] {{1, 1, 1}, {3, 2, 3}, {7, 5, 3}, {2, 5, 3}, {4, -1, 2}}) {
            for (String s : DArrayTest.schedulers()) {
                assertEquals(want, DArray.fromNpy(f, c).compute(Map.of("scheduler", s)), "chunks " + Shape.str(c) + " on " + s);
            }
        }
        assertEquals(want.slice("2:5, 1, ::2"), DArray.fromNpy(f, shape(2, 2, 2)).slice("2:5, 1, ::2").compute());
        assertEquals(NDArray.of(new long[] {-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5}, 11), DArray.fromNpy(i, shape(4)).compute());
        NDArray bools = DArray.fromNpy(b, shape(3)).compute();
        assertEquals(DType.BOOL, bools.dtype());
        assertEquals(4, bools.sum().getLong());
    }

    @Test
    void numpyReadsWhatWeWrite() throws Exception {
        Tools.assumeNumpy(PYTHON);
        DArray x = DArray.random(5).normal(0, 1, shape(37, 11), shape(8, 4));
        NDArray a = x.compute();
        Path f = dir.resolve("x.npy");
        x.toNpy(f);
        String out = python("import numpy as np; a = np.load('" + f + "'); print(a.shape, a.dtype, repr(float(a.sum())), repr(float(a[36, 10])))");
        assertEquals("(37, 11) float64 " + repr(a.sum().item()) + " " + repr(a.getDouble(36, 10)), out);
        Path g = dir.resolve("ints.npy");
        Npy.write(NDArray.of(new long[] {1, 2, 3, 4, 5, 6}, 2, 3), g);
        assertEquals("(2, 3) int64 [4, 5, 6]", python("import numpy as np; a = np.load('" + g + "'); print(a.shape, a.dtype, list(a[1]))"));
        Path d = dir.resolve("blocks");
        x.store(d);
        assertEquals(5 * 3, Files.list(d).count());
        assertEquals(a.slice("8:16, 4:8"), Npy.read(d.resolve("1.1.npy")));
        assertEquals("(5, 3)", python("import numpy as np; print(np.load('" + d.resolve("4.2.npy") + "').shape)"));
    }

    private static String repr(double v) throws Exception {
        return python("print(repr(float.fromhex('" + Double.toHexString(v) + "')))");
    }

    @Test
    void roundTripsWithoutPythonAndRejectsBadFiles() throws IOException {
        NDArray a = NDArrayTest.rand(3, 6, 4);
        Path f = dir.resolve("r.npy");
        DArray.fromArray(a, shape(4, 3)).toNpy(f);
        assertEquals(a, Npy.read(f));
        assertEquals(a, DArray.fromNpy(f, shape(5, 1)).compute());
        Path bad = dir.resolve("bad.npy");
        Files.writeString(bad, "not numpy at all");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.read(bad));
        assertTrue(e.getMessage().contains("bad.npy: not a .npy file"), e.getMessage());
        byte[] bytes = Files.readAllBytes(f);
        Path cut = dir.resolve("cut.npy");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 8));
        e = assertThrows(IllegalArgumentException.class, () -> DArray.fromNpy(cut, shape(2, 2)));
        assertTrue(e.getMessage().contains("cut.npy: file has"), e.getMessage());
    }
}
