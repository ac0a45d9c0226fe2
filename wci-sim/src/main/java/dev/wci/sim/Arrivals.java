package dev.wci.sim;

import java.util.Arrays;

/**
 * A workload's task arrivals, generated up front from the workload's own random stream so that
 * every algorithm sees exactly the same tasks. Parallel primitive arrays keep 100 000 tasks cheap.
 *
 * @param times     arrival times in nanoseconds since simulated time zero, non-decreasing
 * @param durations how long each task runs once started, in nanoseconds
 * @param versions  index of the version each task belongs to
 */
public record Arrivals(long[] times, long[] durations, int[] versions) {

    public Arrivals {
        if (times.length != durations.length || times.length != versions.length) {
            throw new IllegalArgumentException("arrival arrays differ in length");
        }
        for (int i = 1; i < times.length; i++) {
            if (times[i] < times[i - 1]) {
                throw new IllegalArgumentException("arrivals must be sorted by time");
            }
        }
    }

    public int size() {
        return times.length;
    }

    /** Time of the last arrival, 0 when there is none. */
    public long lastTime() {
        return times.length == 0 ? 0 : times[times.length - 1];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Arrivals a && Arrays.equals(times, a.times) && Arrays.equals(durations, a.durations)
                && Arrays.equals(versions, a.versions);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(times) + Arrays.hashCode(durations)) + Arrays.hashCode(versions);
    }

    @Override
    public String toString() {
        return "Arrivals[" + times.length + " tasks, last at " + lastTime() / 1e9 + " s]";
    }

    /** Collects arrivals; growable primitive arrays. */
    static final class Builder {
        private long[] times = new long[256];
        private long[] durations = new long[256];
        private int[] versions = new int[256];
        private int size;

        void add(long time, long duration, int version) {
            if (size == times.length) {
                int n = size * 2;
                times = Arrays.copyOf(times, n);
                durations = Arrays.copyOf(durations, n);
                versions = Arrays.copyOf(versions, n);
            }
            times[size] = time;
            durations[size] = duration;
            versions[size] = version;
            size++;
        }

        Arrivals build() {
            return new Arrivals(Arrays.copyOf(times, size), Arrays.copyOf(durations, size),
                    Arrays.copyOf(versions, size));
        }
    }
}
