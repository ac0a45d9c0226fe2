package dev.wci.core.scaling;

/**
 * How a ledger is read at one moment: from facts (the worker census is live: only workers it saw are ready,
 * and only exits it saw end them) or from the model (estimated readiness, and the idle exit predicted from
 * the group's last demand).
 *
 * @param lastDemandAt   last time the group had work (for the model's idle-exit prediction)
 * @param idleExitMillis how long workers stay without work; 0 if they never exit idle
 * @param facts          whether the census is live for the group
 */
record LedgerView(long lastDemandAt, long idleExitMillis, boolean facts) {
}
