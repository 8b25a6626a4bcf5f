package org.jdask.distributed.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * A priority queue of distinct elements (smallest first by a total order) that also removes any
 * element, for the scheduler's queued root tasks and a worker's ready tasks. How it differs from
 * the {@link TreeSet} it replaces: elements that arrive in order, as a map's tasks do (one
 * generation, ascending graph order), are appended to a sorted array run, so adding and taking
 * the first are O(1) with no node per element and no comparisons beyond the one against the run's
 * last element; only an element smaller than the run's last goes to a {@code TreeSet} beside it.
 * {@link #first} compares the two heads. A removal finds its element in the run by binary search
 * (O(log n), and O(1) for the head, the usual case) and shifts the rest of the run; an element
 * not in the run is in the tree.
 *
 * <p>As in a {@code TreeSet}, elements comparing equal are the same element: the order must
 * tell apart any two elements that may be queued together (the scheduler's ends with the key).
 */
final class RunQueue<T> {
    private final Comparator<? super T> order;
    /** The run: {@code run[head..tail)} ascending. */
    private Object[] run = new Object[16];
    private int head, tail;
    /** Elements that arrived out of order (smaller than the run's last when added). */
    private final TreeSet<T> rest;

    RunQueue(Comparator<? super T> order) {
        this.order = order;
        this.rest = new TreeSet<>(order);
    }

    int size() {
        return tail - head + rest.size();
    }

    boolean isEmpty() {
        return tail == head && rest.isEmpty();
    }

    /** Adds {@code t} (not already in the queue). */
    void add(T t) {
        if (tail == head) {
            head = tail = 0;
        } else if (order.compare(t, at(tail - 1)) <= 0) {
            rest.add(t);
            return;
        }
        if (tail == run.length) {
            if (head > run.length / 2) { // mostly taken from the front: slide down instead of growing
                System.arraycopy(run, head, run, 0, tail - head);
                Arrays.fill(run, tail - head, tail, null);
                tail -= head;
                head = 0;
            } else {
                run = Arrays.copyOf(run, run.length * 2);
            }
        }
        run[tail++] = t;
    }

    void addAll(Iterable<? extends T> ts) {
        for (T t : ts) add(t);
    }

    /** The smallest element; null when empty. */
    T first() {
        if (tail == head) return rest.isEmpty() ? null : rest.first();
        T r = at(head);
        if (rest.isEmpty()) return r;
        T o = rest.first();
        return order.compare(o, r) < 0 ? o : r;
    }

    /** Removes and returns the smallest element; null when empty. */
    T pollFirst() {
        T f = first();
        if (f != null) remove(f);
        return f;
    }

    boolean contains(T t) {
        return indexInRun(t) >= 0 || rest.contains(t);
    }

    /** Removes {@code t}; whether it was there. */
    boolean remove(T t) {
        int i = indexInRun(t);
        if (i < 0) return rest.remove(t);
        if (i == head) {
            run[head++] = null;
        } else {
            System.arraycopy(run, i + 1, run, i, tail - i - 1);
            run[--tail] = null;
        }
        if (head == tail) head = tail = 0;
        return true;
    }

    void clear() {
        Arrays.fill(run, head, tail, null);
        head = tail = 0;
        rest.clear();
    }

    /** The elements, smallest first (a copy). */
    List<T> toList() {
        List<T> out = new ArrayList<>(size());
        var it = rest.iterator();
        T r = it.hasNext() ? it.next() : null;
        for (int i = head; i < tail; i++) {
            T x = at(i);
            while (r != null && order.compare(r, x) < 0) {
                out.add(r);
                r = it.hasNext() ? it.next() : null;
            }
            out.add(x);
        }
        while (r != null) {
            out.add(r);
            r = it.hasNext() ? it.next() : null;
        }
        return out;
    }

    /** Index of {@code t} in the run (the element comparing equal to it, as a {@code TreeSet} finds it), or -1. */
    private int indexInRun(T t) {
        int lo = head, hi = tail - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = order.compare(at(mid), t);
            if (c < 0) lo = mid + 1;
            else if (c > 0) hi = mid - 1;
            else return mid;
        }
        return -1;
    }

    @SuppressWarnings("unchecked")
    private T at(int i) {
        return (T) run[i];
    }
}
