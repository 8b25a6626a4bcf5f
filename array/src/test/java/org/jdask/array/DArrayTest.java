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

    static void same(NDArray want, NDArray got, String what) {
        assertEquals(want.dtype(), got.dtype(), what + ": dtype");
        assertArrayEquals(want.shape(), got.shape(), what + ": shape " + Shape.str(got.shape()) + " vs " + Shape.str(want.shape()));
        assertTrue(want.allClose(got, 1e-9, 1e-9), what + ": values\n want " + want + "\n got  " + got);
    }

    @ParameterizedTest(name = "{0} shape {1} chunks {2}")
    @MethodSource("cases")
    void elementwiseAndReductionsMatchTheOracle(String scheduler, int[] shape, int[] chunks) {
        Map<String, Object> on = Map.of("scheduler", scheduler);
        NDArray a = NDArrayTest.rand(11, shape), b = NDArrayTest.rand(12, shape), row = NDArrayTest.rand(13, shape[1]);
        DArray x = DArray.fromArray(a, chunks);
        DArray y = DArray.fromArray(b, shape(Math.max(1, shape[0] / 2), 3)); // other chunking: unify rechunks
        DArray r = DArray.fromArray(row, shape(4));
        same(a, x.compute(on), "roundtrip");
        same(a.add(1).mul(2), x.add(1).mul(2).compute(on), "(x + 1) * 2");
        same(a.sub(b).div(b.abs().add(1)), x.sub(y).div(y.abs().add(1)).compute(on), "x - y / (|y| + 1)");
        same(a.add(row), x.add(r).compute(on), "broadcast row");
        same(a.mul(row.reshape(1, -1)), x.mul(row.reshape(1, -1)).compute(on), "broadcast NDArray");
        same(a.gt(b), x.gt(y).compute(on), "x > y");
        same(NDArray.where(a.gt(0), a, b), DArray.where(x.gt(0), x, y).compute(on), "where");
        same(a.map(v -> v * v + 1), x.map(v -> v * v + 1).compute(on), "map");
        same(a.exp().log().sqrt(), x.exp().log().sqrt().compute(on), "exp log sqrt");
        int[][] axesCases = {{}, {0}, {1}, {0, 1}, {-1}};
        for (int[] ax : axesCases) {
            for (Reduction red : Reduction.values()) {
                if (shape[0] == 0 && (red == Reduction.MIN || red == Reduction.MAX) && (ax.length != 1 || ax[0] == 0)) continue;
                for (boolean keep : new boolean[] {false, true}) {
                    NDArray want = a.reduce(red, ax, keep);
                    String what = red + " axes " + java.util.Arrays.toString(ax) + " keepdims " + keep;
                    same(want, x.reduce(red, ax, keep, 2).compute(on), what + " splitEvery 2");
                    if (!keep) same(want, x.reduce(red, ax, keep).compute(on), what);
                }
            }
        }
        if (shape[0] > 0) {
            same(a.argmax(0), x.argmax(0).compute(on), "argmax 0");
            same(a.argmin(1), x.argmin(1).compute(on), "argmin 1");
            assertEquals(a.argmax(), x.argmax().compute(on).getLong(), "argmax flat");
            assertEquals(a.argmin(), x.argmin().compute(on).getLong(), "argmin flat");
        }
        same(a.cumsum(0), x.cumsum(0).compute(on), "cumsum 0");
        same(a.cumsum(1), x.cumsum(1).compute(on), "cumsum 1");
        same(a.gt(0).any(1), x.gt(0).any(1).compute(on), "any over bools");
        // lazy reductions broadcast back: standardize columns, center on the 0-d mean
        if (shape[0] > 0) {
            same(a.sub(a.mean(0)).div(a.std(0).add(1)), x.sub(x.mean(0)).div(x.std(0).add(1)).compute(on), "standardize");
            same(a.sub(a.mean()), x.sub(x.mean()).compute(on), "center");
        }
    }

    @ParameterizedTest(name = "{0} shape {1} chunks {2}")
    @MethodSource("cases")
    void shapeOperationsMatchTheOracle(String scheduler, int[] shape, int[] chunks) {
        Map<String, Object> on = Map.of("scheduler", scheduler);
        NDArray a = NDArrayTest.rand(21, shape);
        DArray x = DArray.fromArray(a, chunks);
        for (String s : new String[] {":", "1:4, ::2", "::-1", "-3:, ::-2", "..., 1", "0", "None, :, 2:", ":, None", "5:1:-2, -1",
                "100:", ":, 3:3"}) {
            if (shape[0] == 0 && (s.equals("0") || s.startsWith("5:1") || s.contains("-1") || s.contains("1"))) continue;
            if (shape[0] == 1 && (s.contains("-1"))) continue;
            if (shape[1] < 3 && s.contains("2:")) continue;
            same(a.slice(s), x.slice(s).compute(on), "slice " + s);
        }
        same(a.transpose(), x.transpose().compute(on), "transpose");
        same(a.reshape(-1), x.reshape(-1).compute(on), "reshape -1");
        if (shape[0] == 7) {
            same(a.reshape(5, 7), x.reshape(5, 7).compute(on), "reshape 5x7");
            same(a.reshape(35, 1), x.reshape(35, 1).compute(on), "reshape 35x1");
        }
        same(a, x.rechunk(2, 3).compute(on), "rechunk");
        same(a, x.rechunk(-1, 1).rechunk(3, -1).compute(on), "rechunk twice");
        same(NDArray.concatenate(List.of(a, a.mul(2)), 0), DArray.concatenate(List.of(x, x.mul(2).rechunk(2, 2)), 0).compute(on), "concat 0");
        same(NDArray.concatenate(List.of(a, a), 1), DArray.concatenate(List.of(x, x), 1).compute(on), "concat 1");
        same(NDArray.stack(List.of(a, a), 1), DArray.stack(List.of(x, x), 1).compute(on), "stack");
        if (shape[0] > 0) {
            boolean[] m = new boolean[shape[0]];
            for (int i = 0; i < m.length; i++) m[i] = i % 3 != 1;
            NDArray mask = NDArray.of(m, m.length);
            List<NDArray> rows = new ArrayList<>();
            for (int i = 0; i < m.length; i++) if (m[i]) rows.add(a.get(Slice.of(i, i + 1)));
            same(NDArray.concatenate(rows, 0), x.mask(mask).compute(on), "mask");
            int[] idx = {shape[0] - 1, 0, 0, -1};
            NDArray t = NDArray.concatenate(List.of(a.get(Slice.of(shape[0] - 1, shape[0])), a.get(Slice.of(0, 1)),
                    a.get(Slice.of(0, 1)), a.get(Slice.of(-1, null))), 0);
            same(t, x.take(idx, 0).compute(on), "take");
        }
    }
}
