package dev.wci.sim;

import java.time.Duration;
import java.util.PriorityQueue;

/**
 * The simulator's agenda: actions ordered by time, then by insertion sequence. The sequence makes
 * ties deterministic (a {@link PriorityQueue} alone does not keep insertion order for equal keys),
 * which is what lets the same seed reproduce a run exactly.
 */
public final class EventQueue {

    private record Event(long time, long seq, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final SimClock clock;
    private final PriorityQueue<Event> queue = new PriorityQueue<>(1024);
    private long nextSeq;
    private long processed;

    public EventQueue(SimClock clock) {
        this.clock = clock;
    }

    public SimClock clock() {
        return clock;
    }

    /** Runs {@code action} at absolute simulated time {@code timeNanos} (not before now). */
    public void at(long timeNanos, Runnable action) {
        long t = Math.max(timeNanos, clock.nanos());
        queue.add(new Event(t, nextSeq++, action));
    }

    /** Runs {@code action} {@code delayNanos} from now. */
    public void after(long delayNanos, Runnable action) {
        if (delayNanos < 0) {
            throw new IllegalArgumentException("delay must not be negative");
        }
        at(clock.nanos() + delayNanos, action);
    }

    public void after(Duration delay, Runnable action) {
        after(delay.toNanos(), action);
    }

    public boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Events executed so far. */
    public long processed() {
        return processed;
    }

    /**
     * Runs events in order until the queue is empty, the next event lies beyond {@code horizonNanos},
     * or {@code stop} says so after an event. The clock ends at the last event run.
     */
    public void run(long horizonNanos, java.util.function.BooleanSupplier stop) {
        while (!queue.isEmpty()) {
            Event e = queue.peek();
            if (e.time > horizonNanos) {
                return;
            }
            queue.poll();
            clock.setNanos(e.time);
            processed++;
            e.action.run();
            if (stop.getAsBoolean()) {
                return;
            }
        }
    }
}
