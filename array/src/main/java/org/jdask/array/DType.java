package org.jdask.array;

/** Element types of {@link NDArray} and {@link DArray}: NumPy's float64, int64 and bool. */
public enum DType {
    FLOAT64("<f8", 8), INT64("<i8", 8), BOOL("|b1", 1);

    private final String npy;
    private final int itemSize;

    DType(String npy, int itemSize) {
        this.npy = npy;
        this.itemSize = itemSize;
    }

    /** The {@code .npy} descr string ({@code <f8}, {@code <i8}, {@code |b1}). */
    public String npyDescr() {
        return npy;
    }

    /** Bytes per element. */
    public int itemSize() {
        return itemSize;
    }

    /** NumPy's name: {@code float64}, {@code int64}, {@code bool}. */
    public String numpyName() {
        return switch (this) {
            case FLOAT64 -> "float64";
            case INT64 -> "int64";
            case BOOL -> "bool";
        };
    }

    /** The type both operands are converted to for arithmetic (bool + bool is int64 here). */
    static DType promote(DType a, DType b) {
        if (a == FLOAT64 || b == FLOAT64) return FLOAT64;
        return INT64;
    }
}
