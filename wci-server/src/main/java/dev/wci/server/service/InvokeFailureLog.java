package dev.wci.server.service;

import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.invoke.InvokeObserver;
import dev.wci.core.scaling.ScaleDecision;
import dev.wci.core.version.DeploymentVersion;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs failed invocations at WARN, at most once per {@link #EVERY} for each version and failure class (a throttle
 * storm must not become a log storm); the metrics count every one. A retry-after longer than WCI's maximum backoff
 * is logged at WARN once per request that carried it (the backoff spaces those requests).
 */
final class InvokeFailureLog implements InvokeObserver {

    static final Duration EVERY = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(InvokeFailureLog.class);

    private record Key(DeploymentVersion version, FailureClass failureClass) {
    }

    private final Clock clock;
    private final Map<Key, Long> lastLogged = new HashMap<>();
    private final Map<Key, Integer> suppressed = new HashMap<>();

    InvokeFailureLog(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void result(ScaleDecision decision, InvocationResult result, Duration latency) {
        if (!(result instanceof InvocationResult.Failed failed)) {
            return;
        }
        Key key = new Key(decision.group().version(), failed.failure().failureClass());
        long now = clock.millis();
        int skipped;
        synchronized (this) {
            Long last = lastLogged.get(key);
            if (last != null && now - last < EVERY.toMillis()) {
                suppressed.merge(key, 1, Integer::sum);
                return;
            }
            lastLogged.put(key, now);
            Integer s = suppressed.remove(key);
            skipped = s == null ? 0 : s;
        }
        log.warn("version {}: invoke of {} failed: {}{}", key.version(), decision.target().address(), failed.failure(),
                skipped > 0 ? " (" + skipped + " more like it since the last message)" : "");
    }

    @Override
    public void retryAfterCapped(ScaleDecision decision, Duration asked, Duration waited) {
        log.warn("version {}: Lambda asked to retry {} after {} s; WCI waits {} s (its maximum backoff, "
                        + "scaling.backoffMax)", decision.group().version(), decision.target().address(),
                asked.toSeconds(), waited.toMillis() / 1000.0);
    }
}
