package dev.wci.core.scaling;

import java.time.Duration;
import java.util.Objects;

/**
 * How the scaler uses the worker census (see {@link ReactiveScaler#onCensus}).
 *
 * @param maxAge                a group's counts come from the census while its latest snapshot is at most this old,
 *                              else from the model (default 10 s)
 * @param failedStartFloor      an invocation the census has not listed within the longer of this and
 *                              {@code failedStartColdStarts} cold-start estimates after it was invoked is a failed
 *                              start (default 60 s)
 * @param failedStartColdStarts see {@code failedStartFloor} (default 3)
 * @param outageHold            while reads of a version's census fail for a passing reason (Temporal unreachable),
 *                              its last facts keep counting for up to this long after the last good read, instead
 *                              of falling back to the model after {@code maxAge}: a worker cannot take work from an
 *                              unreachable server either, so the model's guesses (idle exits of workers that are in
 *                              fact waiting for the server) would only start duplicates (default 10 min; workers
 *                              still end at their poll deadline)
 * @param recoveryGrace         after such an outage, a worker the census listed before is not taken for gone merely
 *                              because the first reads do not list it: a restarted server rebuilds its list from the
 *                              workers' next heartbeats. Absence ends a worker again this long after the first good
 *                              read (default 30 s); a worker listed as stopped ends at once
 */
public record CensusPolicy(Duration maxAge, Duration failedStartFloor, int failedStartColdStarts,
                           Duration outageHold, Duration recoveryGrace) {

    private static final CensusPolicy DEFAULTS = new CensusPolicy(Duration.ofSeconds(10), Duration.ofSeconds(60), 3,
            Duration.ofMinutes(10), Duration.ofSeconds(30));

    public CensusPolicy {
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(failedStartFloor, "failedStartFloor");
        Objects.requireNonNull(outageHold, "outageHold");
        Objects.requireNonNull(recoveryGrace, "recoveryGrace");
        if (outageHold.compareTo(maxAge) < 0) {
            throw new IllegalArgumentException("census outageHold must be at least maxAge (" + maxAge + "), got "
                    + outageHold);
        }
        if (recoveryGrace.isNegative()) {
            throw new IllegalArgumentException("census recoveryGrace must not be negative, got " + recoveryGrace);
        }
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("census maxAge must be positive, got " + maxAge);
        }
        if (failedStartFloor.isNegative() || failedStartFloor.isZero()) {
            throw new IllegalArgumentException("census failedStartFloor must be positive, got " + failedStartFloor);
        }
        if (failedStartColdStarts < 1) {
            throw new IllegalArgumentException("census failedStartColdStarts must be at least 1, got "
                    + failedStartColdStarts);
        }
    }

    /** The documented defaults. */
    public static CensusPolicy defaults() {
        return DEFAULTS;
    }

    /** How long an invocation may stay unseen, given the group's cold-start estimate. */
    long failedStartMillis(long coldStartMillis) {
        return Math.max(failedStartFloor.toMillis(), failedStartColdStarts * coldStartMillis);
    }
}
