package org.jdask.graph;

/**
 * A {@link SchedulerProvider} whose name and one-line description are fixed when it is made; a
 * subclass gives only {@link #scheduler}. The providers of {@code sync}, {@code threads} and
 * {@code processes} are made this way (a {@link java.util.ServiceLoader} still needs each to have a
 * public no-argument constructor).
 */
public abstract class NamedSchedulerProvider implements SchedulerProvider {
    private final String name;
    private final String description;

    protected NamedSchedulerProvider(String name, String description) {
        this.name = name;
        this.description = description;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String description() {
        return description;
    }
}
