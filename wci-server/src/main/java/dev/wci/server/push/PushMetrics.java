package dev.wci.server.push;

import dev.wci.server.push.v1.EventResult;
import dev.wci.server.push.v1.SyncMatchOutcome;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Objects;

/**
 * The push endpoint's meters. Tag values come from closed sets (gRPC codes, the proto's reason enum), so a
 * producer cannot blow up the number of time series.
 *
 * <ul>
 *   <li>{@code wci.push.requests} (code): Report calls by gRPC status code, including UNAUTHENTICATED</li>
 *   <li>{@code wci.push.events} (result = accepted|rejected|failed, reason): events by result</li>
 *   <li>{@code wci.push.tasks} (outcome = not_matched|success|rate_limited): tasks in accepted events</li>
 *   <li>{@code wci.push.auth.failures} (reason = missing|wrong): calls refused for their token</li>
 * </ul>
 */
final class PushMetrics {

    static final String REQUESTS = "wci.push.requests";
    static final String EVENTS = "wci.push.events";
    static final String TASKS = "wci.push.tasks";
    static final String AUTH_FAILURES = "wci.push.auth.failures";

    private final MeterRegistry registry;

    PushMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        // At 0 from the start: a series that first appears at its first event hides that event from increase(),
        // so WciPushAuthFailures and WciPushEventsRejected would miss a single refused call or rejected event.
        registry.counter(AUTH_FAILURES, "reason", "missing");
        registry.counter(AUTH_FAILURES, "reason", "wrong");
        for (EventResult.Reason reason : EventResult.Reason.values()) {
            if (reason != EventResult.Reason.REASON_UNSPECIFIED && reason != EventResult.Reason.REASON_INTERNAL
                    && reason != EventResult.Reason.UNRECOGNIZED) {
                registry.counter(EVENTS, "result", "rejected", "reason", reasonTag(reason));
            }
        }
        registry.counter(EVENTS, "result", "failed", "reason", reasonTag(EventResult.Reason.REASON_INTERNAL));
    }

    void request(Status.Code code) {
        registry.counter(REQUESTS, "code", code.name()).increment();
    }

    void accepted(SyncMatchOutcome outcome, long tasks) {
        registry.counter(EVENTS, "result", "accepted", "reason", "none").increment();
        registry.counter(TASKS, "outcome", outcomeTag(outcome)).increment(tasks);
    }

    void rejected(EventResult.Reason reason) {
        registry.counter(EVENTS, "result", "rejected", "reason", reasonTag(reason)).increment();
    }

    /** A valid event this WCI failed to deliver (the signal sink or version lookup threw). */
    void failed() {
        registry.counter(EVENTS, "result", "failed", "reason", reasonTag(EventResult.Reason.REASON_INTERNAL))
                .increment();
    }

    void authFailure(boolean missing) {
        registry.counter(AUTH_FAILURES, "reason", missing ? "missing" : "wrong").increment();
    }

    /** {@code REASON_UNKNOWN_VERSION} becomes {@code unknown_version}. */
    static String reasonTag(EventResult.Reason reason) {
        return reason.name().substring("REASON_".length()).toLowerCase(Locale.ROOT);
    }

    static String outcomeTag(SyncMatchOutcome outcome) {
        return outcome.name().substring("SYNC_MATCH_OUTCOME_".length()).toLowerCase(Locale.ROOT);
    }
}
