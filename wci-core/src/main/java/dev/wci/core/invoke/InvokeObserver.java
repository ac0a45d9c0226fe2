package dev.wci.core.invoke;

import dev.wci.core.compute.InvocationResult;
import dev.wci.core.scaling.ScaleDecision;
import java.time.Duration;

/** Hears what the executor does, for metrics and the simulator's accounting. Called outside any lock. */
public interface InvokeObserver {

    InvokeObserver NONE = new InvokeObserver() {
    };

    /** A decision's provider call was sent. */
    default void sent(ScaleDecision decision) {
    }

    /** One invocation's outcome, {@code latency} after the call was sent. */
    default void result(ScaleDecision decision, InvocationResult result, Duration latency) {
    }

    /**
     * The provider asked to wait {@code asked} before invoking the target again, longer than WCI's maximum backoff:
     * WCI waits {@code waited} instead. Once per request.
     */
    default void retryAfterCapped(ScaleDecision decision, Duration asked, Duration waited) {
    }
}
