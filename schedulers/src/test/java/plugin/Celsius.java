package plugin;

/** A value outside the allow-list that only a registered ValueCodec may carry. */
public final class Celsius {
    public final double degrees;

    public Celsius(double degrees) {
        this.degrees = degrees;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Celsius c && c.degrees == degrees;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(degrees);
    }
}
