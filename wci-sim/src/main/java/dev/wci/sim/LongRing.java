package dev.wci.sim;

import java.util.Arrays;

/** A growable FIFO ring of longs, for the compact stats history (no boxing on the hot path). */
final class LongRing {
    private long[] data = new long[64];
    private int head;
    private int size;

    int size() {
        return size;
    }

    long get(int i) {
        return data[(head + i) & (data.length - 1)];
    }

    void set(int i, long v) {
        data[(head + i) & (data.length - 1)] = v;
    }

    long last() {
        return get(size - 1);
    }

    void add(long v) {
        if (size == data.length) {
            long[] n = new long[data.length * 2];
            for (int i = 0; i < size; i++) {
                n[i] = get(i);
            }
            data = n;
            head = 0;
        }
        data[(head + size) & (data.length - 1)] = v;
        size++;
    }

    void removeFirst() {
        head = (head + 1) & (data.length - 1);
        size--;
    }

    /** Index of the first element greater than {@code v}, assuming non-decreasing contents. */
    int upperBound(long v) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (get(mid) <= v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Override
    public String toString() {
        long[] copy = new long[size];
        for (int i = 0; i < size; i++) {
            copy[i] = get(i);
        }
        return Arrays.toString(copy);
    }
}
