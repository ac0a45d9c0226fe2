package dev.wci.core.signal.stats;

import java.time.Duration;
import java.util.Objects;

/**
 * How often a version's stats are read: every {@code activeInterval} while it is active, every
 * {@code idleInterval} once idle. A version is active while one of its queues has a backlog or an add rate above
 * zero, or it has live workers, and for {@code idleAfter} after that ({@link VersionPoll}). The server's
 * {@code signals.temporalStats} defaults are {@link #defaults()}; the simulator uses them too.
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

    public PollRhythm {
        positive(activeInterval, "activeInterval");
        positive(idleInterval, "idleInterval");
        Objects.requireNonNull(idleAfter, "signals.temporalStats.idleAfter");
        if (idleAfter.isNegative()) {
            throw new IllegalArgumentException("signals.temporalStats.idleAfter must not be negative, got "
                    + idleAfter);
        }
    }

    /** The documented defaults: 1 s active, 10 s idle, idle after 60 s. */
    public static PollRhythm defaults() {
        return DEFAULTS;
    }

    /** The interval of a version in this mode. */
    public Duration interval(boolean active) {
        return active ? activeInterval : idleInterval;
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("signals.temporalStats." + name + " must be positive, got " + d);
        }
    }
}
