package dev.wci.core.scaling;

/**
 * One invocation in a group's ledger, or a worker the census showed that WCI did not invoke (adopted). Times
 * are epoch milliseconds on the scaler's clock.
 *
 * @param invocationId   the controller's id for it
 * @param invokedAt      when the decision reserved it
 * @param readyAt        when its worker polls: estimated (invoked-at + cold start) until reported or seen
 * @param pollEnd        when it stops taking work: invoked-at + target timeout − shutdown buffer
 * @param endedAt        when the worker reported or was seen to exit, or {@link Long#MAX_VALUE}
 * @param readyReported  whether {@code readyAt} was reported or seen rather than estimated
 * @param chargedSeconds worker-seconds charged to the budgets for it
 * @param requestId      the provider's request id, which the worker's census identity carries; null until the
 *                       provider accepted the invocation (or when it gave none)
 * @param seenAt         when the census first listed the worker, or {@link Long#MIN_VALUE} if it never did
 * @param adopted        a worker the census listed that matches no invocation of this process
 */
public record LedgerEntry(String invocationId, long invokedAt, long readyAt, long pollEnd, long endedAt,
                          boolean readyReported, double chargedSeconds, String requestId, long seenAt,
                          boolean adopted) {

    /** An invocation just reserved: not yet accepted, not yet seen. */
    public LedgerEntry(String invocationId, long invokedAt, long readyAt, long pollEnd, long endedAt,
                       boolean readyReported, double chargedSeconds) {
        this(invocationId, invokedAt, readyAt, pollEnd, endedAt, readyReported, chargedSeconds, null,
                Long.MIN_VALUE, false);
    }

    /** Whether the census ever listed this worker. */
    public boolean seen() {
        return seenAt != Long.MIN_VALUE;
    }

    /**
     * When the worker stops being capacity. From facts: its poll end or the exit seen. In the model, a worker that
     * exits when idle is also predicted to end {@code idleExitMillis} after the later of its readiness and the
     * group's last demand.
     */
    long effectiveEnd(LedgerView view) {
        long end = Math.min(pollEnd, endedAt);
        if (view.facts() || view.idleExitMillis() <= 0) {
            return end;
        }
        return Math.min(end, Math.max(view.lastDemandAt(), readyAt) + view.idleExitMillis());
    }

    /** When the worker counts as ready: from facts only once the census saw it, in the model when estimated. */
    long readyAt(LedgerView view) {
        return view.facts() && !seen() ? Long.MAX_VALUE : readyAt;
    }

    LedgerEntry ready(long at) {
        return new LedgerEntry(invocationId, invokedAt, at, pollEnd, endedAt, true, chargedSeconds, requestId, seenAt,
                adopted);
    }

    /** The census listed the worker for the first time, {@code readyAt} being its readiness as the facts tell. */
    LedgerEntry seen(long readyAt, long at) {
        return new LedgerEntry(invocationId, invokedAt, readyAt, pollEnd, endedAt, true, chargedSeconds, requestId, at,
                adopted);
    }

    LedgerEntry ended(long at) {
        return new LedgerEntry(invocationId, invokedAt, readyAt, pollEnd, Math.min(endedAt, at), readyReported,
                chargedSeconds, requestId, seenAt, adopted);
    }

    LedgerEntry identified(String providerRequestId) {
        return new LedgerEntry(invocationId, invokedAt, readyAt, pollEnd, endedAt, readyReported, chargedSeconds,
                providerRequestId, seenAt, adopted);
    }
}
