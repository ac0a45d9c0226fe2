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
 */
public record CensusPolicy(Duration maxAge, Duration failedStartFloor, int failedStartColdStarts) {

    private static final CensusPolicy DEFAULTS = new CensusPolicy(Duration.ofSeconds(10), Duration.ofSeconds(60), 3);

    public CensusPolicy {
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(failedStartFloor, "failedStartFloor");
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
