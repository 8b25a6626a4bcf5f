package org.jdask.schedulers.internal;

/**
 * A binary min-heap of task numbers ordered by a static priority array (lower first): the ready
 * queue of every local engine ({@code RunState} of {@code threads}/{@code sync}, {@code
 * RemoteRunState} of {@code processes}). No boxing; pushing a task twice is the caller's business.
 */
public final class IntHeap {
    private final int[] heap;
    private final int[] priority;
    private int size;

    /** Room for {@code capacity} task numbers (each task is pushed at most once at a time). */
    public IntHeap(int capacity, int[] priority) {
        this.heap = new int[Math.max(capacity, 1)];
        this.priority = priority;
    }

    public int size() {
        return size;
    }

    public void push(int t) {
        int i = size++;
        int p = priority[t];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (priority[heap[parent]] <= p) break;
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = t;
    }

    /** Removes and returns the task with the lowest priority; the heap must not be empty. */
    public int pop() {
        int top = heap[0];
        int last = heap[--size];
        int i = 0;
        int pl = priority[last];
        int half = size >>> 1;
        while (i < half) {
            int c = 2 * i + 1;
            int r = c + 1;
            if (r < size && priority[heap[r]] < priority[heap[c]]) c = r;
            if (pl <= priority[heap[c]]) break;
            heap[i] = heap[c];
            i = c;
        }
        heap[i] = last;
        return top;
    }
}
