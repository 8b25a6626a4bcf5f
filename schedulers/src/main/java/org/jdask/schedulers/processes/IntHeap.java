package org.jdask.schedulers.processes;

/** A binary min-heap of task numbers by priority. */
final class IntHeap {
    private final int[] heap;
    private final int[] priority;
    private int size;

    IntHeap(int capacity, int[] priority) {
        this.heap = new int[Math.max(capacity, 1)];
        this.priority = priority;
    }

    int size() {
        return size;
    }

    void push(int t) {
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

    int pop() {
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
