package dev.wci.local.lambda;

import java.time.Instant;

/**
 * One invocation as the local runtime saw it.
 *
 * @param requestId      the request id (also passed to the handler's {@code Context})
 * @param function       the function name
 * @param version        the version that ran (or was asked for, when throttled)
 * @param invocationType {@code Event} or {@code RequestResponse}
 * @param receivedAt     when the Invoke request arrived
 * @param startedAt      when the handler was started (process launched / thread started), null if never
 * @param endedAt        when the handler ended, null while running or if never started
 * @param outcome        the result
 * @param error          the error type or message when the outcome is not SUCCESS, else null
 */
public record InvocationRecord(
        String requestId,
        String function,
        String version,
        String invocationType,
        Instant receivedAt,
        Instant startedAt,
        Instant endedAt,
        InvocationOutcome outcome,
        String error) {

    InvocationRecord started(Instant at) {
        return new InvocationRecord(requestId, function, version, invocationType, receivedAt, at, null,
                InvocationOutcome.RUNNING, null);
    }

    InvocationRecord ended(Instant at, InvocationOutcome result, String errorText) {
        return new InvocationRecord(requestId, function, version, invocationType, receivedAt, startedAt, at,
                result, errorText);
    }
}
