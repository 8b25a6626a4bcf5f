package org.jdask.graph;

import org.jdask.Config;

/**
 * Knobs of {@link Optimize#fuse}, mirroring Dask's {@code optimization.fuse.*} settings.
 *
 * @param aveWidth fuse a fan-in subgraph only while {@code tasks / height <= aveWidth} (1 fuses
 *     only linear chains); a measure of how much parallelism fusion may remove
 * @param maxWidth never fuse a subgraph with more leaves (inputs) than this
 * @param maxHeight never fuse more than this many levels ({@code Double.POSITIVE_INFINITY}: no limit)
 * @param maxDepthNewEdges never fuse a fan-in whose fused task would read more than this many keys
 * @param renameKeys give fused tasks a name joined from their parts' names (the old key stays
 *     as an {@link Alias})
 * @param maxKeyLength longest renamed key name; longer ones are cut and get a token suffix
 */
public record FuseOptions(double aveWidth, double maxWidth, double maxHeight, double maxDepthNewEdges,
                          boolean renameKeys, int maxKeyLength) {
    public FuseOptions {
        if (!(aveWidth >= 0)) throw new IllegalArgumentException("aveWidth must be >= 0, got " + aveWidth);
        if (!(maxWidth >= 1)) throw new IllegalArgumentException("maxWidth must be >= 1, got " + maxWidth);
        if (!(maxHeight >= 1)) throw new IllegalArgumentException("maxHeight must be >= 1, got " + maxHeight);
        if (!(maxDepthNewEdges >= 0)) throw new IllegalArgumentException("maxDepthNewEdges must be >= 0, got " + maxDepthNewEdges);
        if (maxKeyLength < 16) throw new IllegalArgumentException("maxKeyLength must be >= 16, got " + maxKeyLength);
    }

    /** Dask's defaults derived from one ave-width: maxWidth = 1.5 + w·ln(w+1), maxDepthNewEdges = 1.5·w. */
    public static FuseOptions of(double aveWidth) {
        return new FuseOptions(aveWidth, defaultMaxWidth(aveWidth), Double.POSITIVE_INFINITY, 1.5 * aveWidth, true, 120);
    }

    /** Linear chains only, with renaming: the defaults. */
    public static FuseOptions defaults() {
        return of(1);
    }

    public FuseOptions withRenameKeys(boolean rename) {
        return new FuseOptions(aveWidth, maxWidth, maxHeight, maxDepthNewEdges, rename, maxKeyLength);
    }

    public FuseOptions withMaxKeyLength(int length) {
        return new FuseOptions(aveWidth, maxWidth, maxHeight, maxDepthNewEdges, renameKeys, length);
    }

    public FuseOptions withMaxHeight(double height) {
        return new FuseOptions(aveWidth, maxWidth, height, maxDepthNewEdges, renameKeys, maxKeyLength);
    }

    /** Reads {@code optimization.fuse.*} from {@link Config}; null/empty values take Dask's defaults. */
    public static FuseOptions fromConfig() {
        double ave = number("optimization.fuse.ave-width", 1);
        return new FuseOptions(ave,
                number("optimization.fuse.max-width", defaultMaxWidth(ave)),
                number("optimization.fuse.max-height", Double.POSITIVE_INFINITY),
                number("optimization.fuse.max-depth-new-edges", 1.5 * ave),
                Config.getBoolean("optimization.fuse.rename-keys", true),
                (int) number("optimization.fuse.max-key-length", 120));
    }

    private static double defaultMaxWidth(double ave) {
        return 1.5 + ave * Math.log(ave + 1);
    }

    private static double number(String key, double fallback) {
        Object v = Config.get(key);
        if (v == null) return fallback;
        if (v instanceof Number num) return num.doubleValue();
        String s = v.toString().trim().toLowerCase();
        if (s.isEmpty() || s.equals("null") || s.equals("~") || s.equals("none")) return fallback;
        if (s.equals(".inf") || s.equals("inf") || s.equals("infinity")) return Double.POSITIVE_INFINITY;
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("config " + key + " must be a number, got '" + v + "'");
        }
    }
}
