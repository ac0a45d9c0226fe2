package dev.wci.core.compute;

import java.time.Duration;
import java.util.Objects;

/**
 * What validation learned about a target that the scaler needs.
 *
 * @param timeout  the hard time limit of one invocation; it bounds a worker's lifetime in the ledger
 * @param memoryMb memory of one invocation, 0 when unknown
 * @param mutable  whether the address is mutable (allowed only by explicit opt-in)
 */
public record TargetFacts(Duration timeout, int memoryMb, boolean mutable) {

    public TargetFacts {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        if (memoryMb < 0) {
            throw new IllegalArgumentException("memoryMb must not be negative");
        }
    }

    public static TargetFacts ofTimeout(Duration timeout) {
        return new TargetFacts(timeout, 0, false);
    }
}
