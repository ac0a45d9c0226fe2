package dev.wci.lambda.worker;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a worker that failed to start tries again, and after how long. Starting the SDK's worker calls the
 * server; right after a Temporal restart (or on an overloaded frontend) that call can time out or find the server
 * unreachable. Giving up then wastes the whole invocation and leaves its tasks to a replacement one cold start
 * later, so passing failures are retried with a doubling wait while the invocation has time left. A configuration
 * mistake (an unknown namespace, a denied permission, a bad argument) fails at once.
 *
 * <p>The worker library does not depend on WCI's core, so this rule is its own (and small).
 */
final class StartRetry {

    /** gRPC codes that say "not now" rather than "never". */
    static final Set<Status.Code> PASSING = Set.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED,
            Status.Code.RESOURCE_EXHAUSTED, Status.Code.ABORTED);
    static final Duration FIRST_WAIT = Duration.ofMillis(500);
    static final Duration MAX_WAIT = Duration.ofSeconds(4);

    private StartRetry() {
    }

    /**
     * The wait before start attempt {@code failedAttempts + 1}, or empty when the failure is not passing or the
     * wait would end at or after {@code stopAt} (the time the worker must stop anyway).
     */
    static Optional<Duration> next(RuntimeException failure, int failedAttempts, Instant now, Instant stopAt) {
        Optional<Status.Code> code = passingCode(failure);
        if (code.isEmpty()) {
            return Optional.empty();
        }
        Duration wait = FIRST_WAIT.multipliedBy(1L << Math.min(Math.max(failedAttempts - 1, 0), 16));
        if (wait.compareTo(MAX_WAIT) > 0) {
            wait = MAX_WAIT;
        }
        return now.plus(wait).isBefore(stopAt) ? Optional.of(wait) : Optional.empty();
    }

    /** The passing gRPC code somewhere in the failure's cause chain (the SDK wraps them), if any. */
    static Optional<Status.Code> passingCode(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof StatusRuntimeException s) {
                Status.Code c = s.getStatus().getCode();
                return PASSING.contains(c) ? Optional.of(c) : Optional.empty();
            }
        }
        return Optional.empty();
    }
}
