package dev.wci.core.scaling;

/**
 * One invocation in a group's ledger. Times are epoch milliseconds on the scaler's clock.
 *
 * @param invocationId   the controller's id for it
 * @param invokedAt      when the decision reserved it
 * @param readyAt        when its worker polls: estimated (invoked-at + cold start) until reported
 * @param pollEnd        when it stops taking work: invoked-at + target timeout − shutdown buffer
 * @param endedAt        when the worker reported its exit, or {@link Long#MAX_VALUE}
 * @param readyReported  whether {@code readyAt} was reported rather than estimated
 * @param chargedSeconds worker-seconds charged to the budgets for it
 */
public record LedgerEntry(String invocationId, long invokedAt, long readyAt, long pollEnd, long endedAt,
                          boolean readyReported, double chargedSeconds) {

    /**
     * When the worker stops being capacity. A worker that exits when idle is predicted to end
     * {@code idleExitMillis} after the later of its readiness and the group's last demand.
     */
    long effectiveEnd(long lastDemandAt, long idleExitMillis) {
        long end = Math.min(pollEnd, endedAt);
        return idleExitMillis <= 0 ? end : Math.min(end, Math.max(lastDemandAt, readyAt) + idleExitMillis);
    }

    LedgerEntry ready(long at) {
        return new LedgerEntry(invocationId, invokedAt, at, pollEnd, endedAt, true, chargedSeconds);
    }

    LedgerEntry ended(long at) {
        return new LedgerEntry(invocationId, invokedAt, readyAt, pollEnd, Math.min(endedAt, at), readyReported,
                chargedSeconds);
    }
}
