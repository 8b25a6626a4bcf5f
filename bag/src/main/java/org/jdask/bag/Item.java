package org.jdask.bag;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdask.Delayed;
import org.jdask.Jdask;
import org.jdask.Lazy;
import org.jdask.fn.Fn1;
import org.jdask.graph.GraphOptimizer;
import org.jdask.graph.Key;
import org.jdask.graph.Node;
import org.jdask.graph.Task;
import org.jdask.graph.TaskGraph;
import org.jdask.graph.Tokenizable;
import org.jdask.graph.Tokenize;

/**
 * A lazy single value computed from a bag: {@code bag.count()}, {@code sum()}, {@code
 * reduction(...)} (Dask's {@code Item}). One key, {@code (name, 0)}; its graph holds the bag's
 * tasks, so {@code Jdask.compute(bag, bag.count())} reads the bag's inputs once.
 *
 * @param <T> the value's type
 */
public final class Item<T> extends LazyNode implements Lazy.Single<T>, Tokenizable {
    private final Key key;

    Item(Key key, Map<Key, Node> layer, LazyNode... deps) {
        super(layer, deps);
        this.key = key;
    }

    /** This value's key. */
    public Key key() {
        return key;
    }

    /** A lazy {@code fn(value)}. */
    public <R> Item<R> map(Fn1<? super T, ? extends R> fn) {
        String name = "item-map-" + Tokenize.token(key, fn);
        Key k = Key.of(name, 0);
        Map<Key, Node> l = new LinkedHashMap<>();
        l.put(k, Task.of(fn, key));
        return new Item<>(k, l, this);
    }

    /** This value as a {@link Delayed}, for use with delayed functions. */
    public Delayed<T> toDelayed() {
        return Delayed.from(this);
    }

    @Override
    public TaskGraph graph() {
        return assemble();
    }




    @Override
    public Item<T> rebuild(TaskGraph persisted) {
        return new Item<>(key, Map.of(key, persisted.get(key)));
    }

    @Override
    @SuppressWarnings("unchecked")
    public Item<T> persist() {
        return (Item<T>) Jdask.persist(this);
    }

    @Override
    public GraphOptimizer optimizer() {
        return OPTIMIZER;
    }

    @Override
    public Object tokenIdentity() {
        return key;
    }

    @Override
    public String toString() {
        return "Item(" + key + ")";
    }
}
