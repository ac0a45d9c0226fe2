package dev.wci.server.lambdaendpoint;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Objects;

/**
 * The Lambda endpoint's meters. Tag values come from closed sets, so a client cannot multiply time series.
 *
 * <ul>
 *   <li>{@code wci.lambda.endpoint.requests} (operation = invoke|read|other, status = HTTP status): every
 *   answered request</li>
 *   <li>{@code wci.lambda.endpoint.invokes} (result = signal|no_task_queue|unmanaged): accepted Event invokes and
 *   what became of them</li>
 *   <li>{@code wci.lambda.endpoint.auth.failures} (reason = the Lambda error type, lower case): refused
 *   signatures</li>
 * </ul>
 */
final class LambdaEndpointMetrics {

    static final String REQUESTS = "wci.lambda.endpoint.requests";
    static final String INVOKES = "wci.lambda.endpoint.invokes";
    static final String AUTH_FAILURES = "wci.lambda.endpoint.auth.failures";

    /** What became of an accepted invoke. */
    enum InvokeResult {
        /** a sync-match failure went to the scaler */
        SIGNAL,
        /** the version lists no task queue yet: WCI's own bootstrap starts its first worker */
        NO_TASK_QUEUE,
        /** WCI does not invoke the version now (not in Temporal yet, or a conflict) */
        UNMANAGED
    }

    private final MeterRegistry registry;

    LambdaEndpointMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        // At 0 from the start, so that increase() sees the first refusal and the first signal.
        for (InvokeResult r : InvokeResult.values()) {
            registry.counter(INVOKES, "result", tag(r));
        }
        for (String reason : new String[] {"missingauthenticationtokenexception", "incompletesignatureexception",
                "unrecognizedclientexception", "invalidsignatureexception"}) {
            registry.counter(AUTH_FAILURES, "reason", reason);
        }
    }

    void request(String operation, int status) {
        registry.counter(REQUESTS, "operation", operation, "status", Integer.toString(status)).increment();
    }

    void invoke(InvokeResult result) {
        registry.counter(INVOKES, "result", tag(result)).increment();
    }

    void authFailure(String errorType) {
        registry.counter(AUTH_FAILURES, "reason", errorType.toLowerCase(Locale.ROOT)).increment();
    }

    private static String tag(InvokeResult r) {
        return r.name().toLowerCase(Locale.ROOT);
    }
}
