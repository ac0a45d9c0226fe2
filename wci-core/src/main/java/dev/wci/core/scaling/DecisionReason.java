package dev.wci.core.scaling;

/**
 * Why the scaler decided what it did. Invoke reasons come first; the others explain a hold. Demand already
 * covered by live or starting workers yields no decision at all (it is the common case, not worth a record).
 */
public enum DecisionReason {
    /** Demand and no live worker: invoke at once. */
    SCALE_FROM_ZERO,
    /** Demand exceeds what live workers can do within the drain target. */
    SCALE_OUT,
    /**
     * The observed backlog is not on course to drain within the drain target although the fleet sized for it has
     * been ready for a while: the estimates (throughput, cold start) are wrong, and the trend wins.
     */
    BACKLOG_TREND,
    /**
     * Tasks failed to match while every worker was ready: no slot was free, so the fleet is short whatever the
     * estimates say; one more worker.
     */
    UNMATCHED,
    /** Demand persists and live workers stop before a replacement could be ready: replace them ahead. */
    REFRESH,
    /** The version's task queues are not registered yet (no worker ever polled): one worker makes them appear. */
    BOOTSTRAP,
    /** The queue's own rate limit is the bottleneck: more workers would not help. */
    QUEUE_RATE_LIMITED,
    /** Limits allowed none of the workers wanted (see the decision's trims). */
    LIMITED
}
