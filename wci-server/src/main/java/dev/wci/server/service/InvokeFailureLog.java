package dev.wci.server.service;

import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.invoke.InvokeObserver;
import dev.wci.core.scaling.ScaleDecision;
import dev.wci.core.version.DeploymentVersion;
import java.time.Clock;
import java.time.Duration;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs failed invocations at WARN (fenced ones, which are no failure, at INFO), at most once per {@link #EVERY}
 * for each version and failure class (a throttle storm must not become a log storm); the metrics count every one. A
 * retry-after longer than WCI's maximum backoff is logged at WARN once per request that carried it (the backoff
 * spaces those requests).
 */
final class InvokeFailureLog implements InvokeObserver {

    static final Duration EVERY = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(InvokeFailureLog.class);

    private record Key(DeploymentVersion version, FailureClass failureClass) {
    }

    private final LogThrottle<Key> throttle;

    InvokeFailureLog(Clock clock) {
        this.throttle = new LogThrottle<>(clock, EVERY, 10_000);
    }

    @Override
    public void result(ScaleDecision decision, InvocationResult result, Duration latency) {
        if (!(result instanceof InvocationResult.Failed failed)) {
            return;
        }
        Key key = new Key(decision.group().version(), failed.failure().failureClass());
        OptionalInt skipped = throttle.admit(key);
        if (skipped.isEmpty()) {
            return;
        }
        if (key.failureClass() == FailureClass.FENCED) {
            // Expected around a lease handover (the lost lease has its own WARN): nothing failed.
            log.info("version {}: invoke of {} not sent: {}{}", key.version(), decision.target().address(),
                    failed.failure(), LogThrottle.more(skipped.getAsInt()));
            return;
        }
        log.warn("version {}: invoke of {} failed: {}{}", key.version(), decision.target().address(), failed.failure(),
                LogThrottle.more(skipped.getAsInt()));
    }

    @Override
    public void retryAfterCapped(ScaleDecision decision, Duration asked, Duration waited) {
        log.warn("version {}: Lambda asked to retry {} after {} s; WCI waits {} s (its maximum backoff, "
                        + "scaling.backoffMax)", decision.group().version(), decision.target().address(),
                asked.toSeconds(), waited.toMillis() / 1000.0);
    }
}
