package dev.wci.core.signal.stats;

import java.time.Duration;
import java.util.Objects;

/**
 * How often a version is read from Temporal: every {@code activeInterval} while it is active, every
 * {@code idleInterval} once idle, active while busy and for {@code idleAfter} after ({@link VersionPoll}). Two reads
 * run on it, each with its own rhythm: the task-queue stats ({@code signals.temporalStats}, {@link #defaults()};
 * busy = a backlog, arrivals or live workers) and the worker census ({@code signals.census},
 * {@link #censusDefaults()}; busy = workers or demand). The server and the simulator use the same values.
 *
 * @param activeInterval poll interval of an active version (default 1 s)
 * @param idleInterval   poll interval of an idle version (default 10 s)
 * @param idleAfter      a version is idle after this long without backlog, arrivals or live workers (default 60 s)
 */
public record PollRhythm(Duration activeInterval, Duration idleInterval, Duration idleAfter) {

    /** Longest wait after repeated failures (unless the idle interval is longer). */
    public static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private static final PollRhythm DEFAULTS = new PollRhythm(Duration.ofSeconds(1), Duration.ofSeconds(10),
            Duration.ofSeconds(60));
    private static final PollRhythm CENSUS_DEFAULTS = new PollRhythm(Duration.ofSeconds(1), Duration.ofSeconds(10),
            Duration.ofSeconds(30));

    public PollRhythm {
        positive(activeInterval, "activeInterval");
        positive(idleInterval, "idleInterval");
        Objects.requireNonNull(idleAfter, "idleAfter");
        if (idleAfter.isNegative()) {
            throw new IllegalArgumentException("poll rhythm idleAfter must not be negative, got " + idleAfter);
        }
    }

    /** The stats' documented defaults ({@code signals.temporalStats}): 1 s active, 10 s idle, idle after 60 s. */
    public static PollRhythm defaults() {
        return DEFAULTS;
    }

    /**
     * The worker census's documented defaults ({@code signals.census}): 1 s active, 10 s idle, idle after 30 s. A
     * worker shows up in the census one heartbeat after it starts plus up to one interval of its version.
     */
    public static PollRhythm censusDefaults() {
        return CENSUS_DEFAULTS;
    }

    /** The interval of a version in this mode. */
    public Duration interval(boolean active) {
        return active ? activeInterval : idleInterval;
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("poll rhythm " + name + " must be positive, got " + d);
        }
    }
}
