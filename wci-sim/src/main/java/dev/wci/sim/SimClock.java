package dev.wci.sim;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A {@link Clock} on simulated time, always UTC. Only the simulator's event loop moves it; nothing
 * in the simulator reads the wall clock, so a run depends on its seed alone.
 *
 * <p>Internally time is kept as nanoseconds since {@link #EPOCH} so the hot path needs no
 * {@link Instant} allocation.
 */
public final class SimClock extends Clock {

    /** Simulated time zero. A fixed date keeps printed instants stable across runs. */
    public static final Instant EPOCH = Instant.parse("2025-01-01T00:00:00Z");

    private long nanos;

    /** Time since simulated time zero, in nanoseconds. */
    public long nanos() {
        return nanos;
    }

    /** Moves the clock; simulated time never runs backwards. */
    public void setNanos(long value) {
        if (value < nanos) {
            throw new IllegalArgumentException("simulated time cannot go back: " + value + " < " + nanos);
        }
        nanos = value;
    }

    /** Sets the clock to an instant at or after the current one. */
    public void set(Instant instant) {
        Duration d = Duration.between(EPOCH, instant);
        setNanos(d.toNanos());
    }

    /** The instant {@code nanosSinceEpoch} after simulated time zero. */
    public static Instant toInstant(long nanosSinceEpoch) {
        return EPOCH.plusNanos(nanosSinceEpoch);
    }

    @Override
    public Instant instant() {
        return toInstant(nanos);
    }

    @Override
    public long millis() {
        return EPOCH.toEpochMilli() + nanos / 1_000_000L;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /** Simulated time has a single zone: UTC. */
    @Override
    public Clock withZone(ZoneId zone) {
        if (!ZoneOffset.UTC.equals(zone)) {
            throw new UnsupportedOperationException("simulated time is UTC only");
        }
        return this;
    }
}
