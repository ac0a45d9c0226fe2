package dev.wci.core.compute;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A classified failure of a provider call.
 *
 * @param failureClass what the scaler does about it
 * @param message      human-readable detail, free of secrets
 * @param reason       provider reason code, e.g. Lambda's {@code ConcurrentInvocationLimitExceeded}; may be null
 * @param retryAfter   provider's advice on when to retry; may be null
 */
public record ComputeFailure(FailureClass failureClass, String message, String reason, Duration retryAfter) {

    public ComputeFailure {
        Objects.requireNonNull(failureClass, "failureClass");
        message = message == null ? "" : message;
        if (retryAfter != null && retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative");
        }
    }

    public static ComputeFailure of(FailureClass failureClass, String message) {
        return new ComputeFailure(failureClass, message, null, null);
    }

    public static ComputeFailure throttled(String reason, Duration retryAfter, String message) {
        return new ComputeFailure(FailureClass.THROTTLED, message, reason, retryAfter);
    }

    public Optional<String> reasonCode() {
        return Optional.ofNullable(reason);
    }

    public Optional<Duration> retryAfterHint() {
        return Optional.ofNullable(retryAfter);
    }

    @Override
    public String toString() {
        return failureClass + (reason == null ? "" : "(" + reason + ")")
                + (retryAfter == null ? "" : " retryAfter=" + retryAfter) + ": " + message;
    }
}
