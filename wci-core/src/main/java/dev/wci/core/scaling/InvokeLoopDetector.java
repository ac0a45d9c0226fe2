package dev.wci.core.scaling;

import dev.wci.core.signal.BacklogObservation;
import java.time.Instant;

/**
 * Invoke-loop detection for one group, on its own state. A fresh observation is progress when tasks were
 * dispatched, the backlog shrank, or nothing waits. Accepted invocations followed by {@link #GRACE_MILLIS} (plus one
 * cold start) of backlog without progress mean their workers do not serve this version: the detector says so once,
 * with the evidence, and starts over (the guard it feeds, {@link dev.wci.core.limits.InvokeLoopGuard}, holds the
 * target back with probes, each of which starts a new round of evidence). Not thread-safe (the scaler's lock).
 */
final class InvokeLoopDetector {

    /** How long accepted invocations may go without progress before the target is suspected. */
    static final long GRACE_MILLIS = 30_000;

    private int unproven;
    private long unprovenSince = Long.MIN_VALUE;

    /** Whether {@code o} shows progress over {@code previous} (null when it is the queue's first observation). */
    static boolean progress(BacklogObservation previous, BacklogObservation o) {
        boolean shrank = previous != null && o.backlogCount() < previous.backlogCount();
        return o.dispatchRate() > 0 || o.backlogCount() == 0 || shrank;
    }

    /** An invocation was accepted at {@code now}: evidence starts to count from the first one since progress. */
    void accepted(long now) {
        if (unproven == 0) {
            unprovenSince = now;
        }
        unproven++;
    }

    /** The version made progress (or a worker of it was seen): no invoke loop, evidence starts over. */
    void progressed() {
        unproven = 0;
        unprovenSince = Long.MIN_VALUE;
    }

    /** Accepted invocations since the last progress. */
    int unproven() {
        return unproven;
    }

    /**
     * An observation as of {@code asOf} that showed no progress: returns the evidence of an invoke loop when the
     * grace period after the first unproven invocation has passed (and starts over), else null.
     */
    String noProgress(BacklogObservation o, long asOf, long coldStartMillis, String version) {
        if (unproven == 0 || asOf < unprovenSince + coldStartMillis + GRACE_MILLIS) {
            return null;
        }
        String reason = unproven + " invocation(s) accepted since " + Instant.ofEpochMilli(unprovenSince)
                + ", yet task queue " + o.taskQueue() + " kept " + o.backlogCount() + " task(s) waiting with none "
                + "dispatched for " + (GRACE_MILLIS / 1000) + " s: the function's workers do not poll "
                + "version " + version + ". Check the worker's deployment name and build ID "
                + "(TEMPORAL_DEPLOYMENT_NAME, TEMPORAL_WORKER_BUILD_ID), namespace and task queue, and that it does "
                + "not fail at start";
        progressed();
        return reason;
    }
}
