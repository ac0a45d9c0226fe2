package dev.wci.core.compute;

/**
 * How a provider call failed, in the terms the scaler acts on. Each provider maps its own errors
 * onto these classes.
 */
public enum FailureClass {
    /** The provider refused for capacity or rate reasons; back off (honouring any retry-after). */
    THROTTLED(false),
    /** Transient: 5xx, timeout, connection failure. Retry later. */
    UNAVAILABLE(false),
    /** The target does not exist (e.g. a deleted function version). The target is invalid. */
    NOT_FOUND(true),
    /** Credentials lack permission. The target is invalid until re-validated. */
    ACCESS_DENIED(true),
    /** Any other client error: the request itself is wrong. The target is invalid until re-validated. */
    REJECTED(true),
    /** A bug or unexpected condition on our side. */
    INTERNAL(false),
    /**
     * Not sent on purpose: this replica cannot prove it holds the deployment's lease (high availability), so another
     * replica may be invoking for it. Not a failure of the target: no backoff, no circuit, not an alerting failure.
     */
    FENCED(false);

    private final boolean opensCircuit;

    FailureClass(boolean opensCircuit) {
        this.opensCircuit = opensCircuit;
    }

    /** Whether this failure makes the target invalid until it is validated again. */
    public boolean opensCircuit() {
        return opensCircuit;
    }
}
