package org.jdask.array;

import static org.jdask.array.Shape.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jdask.graph.Schedulers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every DArray operation against the same operation on the whole in-memory NDArray (the eager
 * oracle), on every local scheduler, with adversarial chunkings: blocks of 1, ragged last
 * blocks, one block, and a zero-length axis.
 */
class DArrayTest {
    static List<String> schedulers() {
        List<String> s = new ArrayList<>(List.of("sync", "threads"));
        if (Schedulers.providers().containsKey("processes")) s.add("processes");
        return s;
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        int[][][] chunkings = {
            {{7, 5}, {1, 1}}, {{7, 5}, {3, 2}}, {{7, 5}, {7, 5}}, {{7, 5}, {-1, 2}}, {{0, 5}, {2, 2}}, {{1, 9}, {1, 4}},
        };
        for (String s : schedulers()) for (int[][] c : chunkings) out.add(Arguments.of(s, c[0], c[1]));
        return out.stream();
    }

    /**
     * Collects (oracle, lazy) pairs and computes all lazies in one graph, so each test case is one
     * scheduler run (cheap even on a scheduler that ships tasks to other JVMs).
     */
    static final class Batch {
        final List<NDArray> want = new ArrayList<>();
        final List<DArray> lazy = new ArrayList<>();
        final List<String> what = new ArrayList<>();

        void add(NDArray w, DArray x, String label) {
            want.add(w);
            lazy.add(x);
            what.add(label);
        }

        void check(Map<String, Object> on) {
            List<NDArray> got = org.jdask.Jdask.compute(lazy, on);
            for (int i = 0; i < got.size(); i++) same(want.get(i), got.get(i), what.get(i));
        }
    }

    static void same(NDArray want, NDArray got, String what) {
        assertEquals(want.dtype(), got.dtype(), what + ": dtype");
        assertArrayEquals(want.shape(), got.shape(), what + ": shape " + Shape.str(got.shape()) + " vs " + Shape.str(want.shape()));
        assertTrue(want.allClose(got, 1e-9, 1e-9), what + ": values\n want " + want + "\n got  " + got);
    }

    @ParameterizedTest(name = "{0} shape {1} chunks {2}")
    @MethodSource("cases")
    void elementwiseAndReductionsMatchTheOracle(String scheduler, int[] shape, int[] chunks) {
        Map<String, Object> on = Map.of("scheduler", scheduler);
        Batch batch = new Batch();
        NDArray a = NDArrayTest.rand(11, shape), b = NDArrayTest.rand(12, shape), row = NDArrayTest.rand(13, shape[1]);
        DArray x = DArray.fromArray(a, chunks);
        DArray y = DArray.fromArray(b, shape(Math.max(1, shape[0] / 2), 3)); // other chunking: unify rechunks
        DArray r = DArray.fromArray(row, shape(4));
        batch.add(a, x, "roundtrip");
        batch.add(a.add(1).mul(2), x.add(1).mul(2), "(x + 1) * 2");
        batch.add(a.sub(b).div(b.abs().add(1)), x.sub(y).div(y.abs().add(1)), "x - y / (|y| + 1)");
        batch.add(a.add(row), x.add(r), "broadcast row");
        batch.add(a.mul(row.reshape(1, -1)), x.mul(row.reshape(1, -1)), "broadcast NDArray");
        batch.add(a.gt(b), x.gt(y), "x > y");
        batch.add(NDArray.where(a.gt(0), a, b), DArray.where(x.gt(0), x, y), "where");
        batch.add(a.map(v -> v * v + 1), x.map(v -> v * v + 1), "map");
        batch.add(a.exp().log().sqrt(), x.exp().log().sqrt(), "exp log sqrt");
        int[][] axesCases = {{}, {0}, {1}, {0, 1}, {-1}};
        for (int[] ax : axesCases) {
            for (Reduction red : Reduction.values()) {
                if (shape[0] == 0 && (red == Reduction.MIN || red == Reduction.MAX) && (ax.length != 1 || ax[0] == 0)) continue;
                for (boolean keep : new boolean[] {false, true}) {
                    NDArray want = a.reduce(red, ax, keep);
                    String what = red + " axes " + java.util.Arrays.toString(ax) + " keepdims " + keep;
                    batch.add(want, x.reduce(red, ax, keep, 2), what + " splitEvery 2");
                    if (!keep) batch.add(want, x.reduce(red, ax, keep), what);
                }
            }
        }
        if (shape[0] > 0) {
            batch.add(a.argmax(0), x.argmax(0), "argmax 0");
            batch.add(a.argmin(1), x.argmin(1), "argmin 1");
            batch.add(NDArray.scalar(a.argmax()), x.argmax(), "argmax flat");
            batch.add(NDArray.scalar(a.argmin()), x.argmin(), "argmin flat");
        }
        batch.add(a.cumsum(0), x.cumsum(0), "cumsum 0");
        batch.add(a.cumsum(1), x.cumsum(1), "cumsum 1");
        batch.add(a.gt(0).any(1), x.gt(0).any(1), "any over bools");
        // lazy reductions broadcast back: standardize columns, center on the 0-d mean
        if (shape[0] > 0) {
            batch.add(a.sub(a.mean(0)).div(a.std(0).add(1)), x.sub(x.mean(0)).div(x.std(0).add(1)), "standardize");
            batch.add(a.sub(a.mean()), x.sub(x.mean()), "center");
        }
        batch.check(on);
    }

    @ParameterizedTest(name = "{0} shape {1} chunks {2}")
    @MethodSource("cases")
    void shapeOperationsMatchTheOracle(String scheduler, int[] shape, int[] chunks) {
        Map<String, Object> on = Map.of("scheduler", scheduler);
        Batch batch = new Batch();
        NDArray a = NDArrayTest.rand(21, shape);
        DArray x = DArray.fromArray(a, chunks);
        for (String s : new String[] {":", "1:4, ::2", "::-1", "-3:, ::-2", "..., 1", "0", "None, :, 2:", ":, None", "5:1:-2, -1",
                "100:", ":, 3:3"}) {
            if (shape[0] == 0 && (s.equals("0") || s.startsWith("5:1") || s.contains("-1") || s.contains("1"))) continue;
            if (shape[0] == 1 && (s.contains("-1"))) continue;
            if (shape[1] < 3 && s.contains("2:")) continue;
            batch.add(a.slice(s), x.slice(s), "slice " + s);
        }
        batch.add(a.transpose(), x.transpose(), "transpose");
        batch.add(a.reshape(-1), x.reshape(-1), "reshape -1");
        if (shape[0] == 7) {
            batch.add(a.reshape(5, 7), x.reshape(5, 7), "reshape 5x7");
            batch.add(a.reshape(35, 1), x.reshape(35, 1), "reshape 35x1");
        }
        batch.add(a, x.rechunk(2, 3), "rechunk");
        batch.add(a, x.rechunk(-1, 1).rechunk(3, -1), "rechunk twice");
        batch.add(NDArray.concatenate(List.of(a, a.mul(2)), 0), DArray.concatenate(List.of(x, x.mul(2).rechunk(2, 2)), 0), "concat 0");
        batch.add(NDArray.concatenate(List.of(a, a), 1), DArray.concatenate(List.of(x, x), 1), "concat 1");
        batch.add(NDArray.stack(List.of(a, a), 1), DArray.stack(List.of(x, x), 1), "stack");
        if (shape[0] > 0) {
            boolean[] m = new boolean[shape[0]];
            for (int i = 0; i < m.length; i++) m[i] = i % 3 != 1;
            NDArray mask = NDArray.of(m, m.length);
            List<NDArray> rows = new ArrayList<>();
            for (int i = 0; i < m.length; i++) if (m[i]) rows.add(a.get(Slice.of(i, i + 1)));
            batch.add(NDArray.concatenate(rows, 0), x.mask(mask), "mask");
            int[] idx = {shape[0] - 1, 0, 0, -1};
            NDArray t = NDArray.concatenate(List.of(a.get(Slice.of(shape[0] - 1, shape[0])), a.get(Slice.of(0, 1)),
                    a.get(Slice.of(0, 1)), a.get(Slice.of(-1, null))), 0);
            batch.add(t, x.take(idx, 0), "take");
        }
        batch.check(on);
    }
}
