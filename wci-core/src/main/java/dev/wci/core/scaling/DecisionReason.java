package dev.wci.core.scaling;

/** Why the scaler decided what it did. Invoke reasons come first; the others explain a hold. */
public enum DecisionReason {
    /** Demand and no live worker: invoke at once. */
    SCALE_FROM_ZERO(true),
    /** Demand exceeds what live workers can do within the drain target. */
    SCALE_OUT(true),
    /** Demand persists and live workers stop before a replacement could be ready: replace them ahead. */
    REFRESH(true),
    /** Demand is covered by workers already live or starting. */
    COVERED(false),
    /** The queue's own rate limit is the bottleneck: more workers would not help. */
    QUEUE_RATE_LIMITED(false),
    /** Limits allowed none of the workers wanted (see the decision's trims). */
    LIMITED(false);

    private final boolean invokes;

    DecisionReason(boolean invokes) {
        this.invokes = invokes;
    }

    /** Whether a decision with this reason may start workers. */
    public boolean invokes() {
        return invokes;
    }
}
