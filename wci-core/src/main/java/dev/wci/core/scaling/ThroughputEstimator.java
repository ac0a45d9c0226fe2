package dev.wci.core.scaling;

/**
 * The per-worker throughput estimate of one group (tasks per second one worker completes), on its own state:
 * learned from how fast a saturated backlog drains, and lowered when the observed backlog trend says it is too high.
 * Not thread-safe (the scaler's lock).
 *
 * <p>Learning (docs/scaler.md): two saturated observations at least {@link #MIN_SAMPLE_MILLIS} apart give a sample,
 * tasks done per worker-second of readiness, only when the fleet did not change in that window and the backlog at
 * its start was at least what the fleet works off in it. One sample moves the estimate at most by ×2 or ÷2, then an
 * EWMA. While nothing waits, what a fleet served is a lower bound ({@link #served}), which raises an estimate that
 * was never measured. The pace the workers' heartbeats measure ({@link #paced}) is a floor of the estimate.
 */
final class ThroughputEstimator {

    /** A drain is sampled over at least this long, or counts are too coarse. */
    static final long MIN_SAMPLE_MILLIS = 2_000;
    /** Sanity bounds of the estimate, tasks per second (hour-long tasks to tiny ones). */
    static final double MIN = 1e-4;
    static final double MAX = 1e4;

    private final double alpha;
    private double value;
    /** The previous saturated observation (backlog waiting), or a negative backlog when there is none. */
    private double saturatedBacklog = -1;
    /** A saturated sample or the backlog trend has set the estimate: a measure, which no lower bound overrides. */
    private boolean measured;
    /** Nothing has moved the estimate yet: it is still the policy's default, a prior no worker of the group backs. */
    private boolean prior = true;
    private long saturatedAsOf;
    /** The pace the workers' heartbeats last measured (0: none): a floor of the estimate. */
    private double paced;

    ThroughputEstimator(double initial, double alpha) {
        this.value = initial;
        this.alpha = alpha;
    }

    /** Whether a saturated sample or the backlog trend has set the estimate (lower bounds alone do not). */
    boolean measured() {
        return measured || paced > value;
    }

    /** Whether the estimate is still the default: no sample, lower bound or trend judgement has moved it. */
    boolean prior() {
        return prior && paced <= value;
    }

    /** The estimate: the one learned, or the census' measure where that is higher. */
    double value() {
        return Math.max(value, paced);
    }

    /** Nothing waits (or the queue's rate limit or a stall sets the pace): the next window starts afresh. */
    void unsaturated() {
        saturatedBacklog = -1;
    }

    /**
     * The start of the window a saturated observation as of {@code asOf} would close, or {@link Long#MIN_VALUE} when
     * it would close none (no saturated observation before, or too recent).
     */
    long windowStart(long asOf) {
        return saturatedBacklog > 0 && asOf - saturatedAsOf >= MIN_SAMPLE_MILLIS ? saturatedAsOf : Long.MIN_VALUE;
    }

    /**
     * A saturated observation: {@code backlog} waits as of {@code asOf}. When it closes a window ({@link
     * #windowStart}), the other arguments describe that window and may give a sample; else they are ignored.
     *
     * @param arrived       tasks that arrived in the window
     * @param workerSeconds worker-seconds of readiness in the window
     * @param readyAtStart  workers ready at the window's start
     */
    void saturated(long asOf, double backlog, double arrived, double workerSeconds, int readyAtStart) {
        double sample = -1;
        if (windowStart(asOf) != Long.MIN_VALUE) {
            double seconds = (asOf - saturatedAsOf) / 1000.0;
            double done = saturatedBacklog - backlog + arrived;
            // Only a fleet that did not change in the window: the ledger's readiness times are estimates.
            boolean stable = readyAtStart > 0 && Math.abs(workerSeconds - readyAtStart * seconds) < 1e-6 * seconds;
            // Only a backlog the fleet could not have emptied within the window: a small one may have run dry
            // between the two observations, and the idle slots would read as a slow worker.
            boolean full = saturatedBacklog >= readyAtStart * value * seconds;
            if (stable && full && done > 0) {
                sample = done / workerSeconds;
            }
        }
        if (saturatedBacklog <= 0 || asOf - saturatedAsOf >= MIN_SAMPLE_MILLIS) {
            saturatedBacklog = backlog;
            saturatedAsOf = asOf;
        }
        if (sample > 0) {
            // One sample moves the estimate at most by half or double: one odd window must not swing sizing.
            double bounded = Math.max(value / 2, Math.min(value * 2, sample));
            measured = true;
            prior = false;
            value = Math.max(MIN, Math.min(MAX, (1 - alpha) * value + alpha * bounded));
        }
    }

    /**
     * Nothing waits: the ready workers served every task that arrived in a window, {@code perWorker} tasks per
     * worker-second of readiness, so each can do at least that much. Fast tasks never form a saturated backlog, and
     * without this the default (5/s) would stay and size the fleet many times too big. A lower bound only raises the
     * estimate, at most ×2 per sample like a learned one (one odd window must not swing sizing), and never one that
     * was measured (saturated, or judged by the trend): tasks dispatched in the window may still run, so with long
     * tasks on many slots the bound reads high, and a measure is worth more.
     */
    void served(double perWorker) {
        if (!measured && perWorker > value) {
            prior = false;
            value = Math.min(MAX, Math.min(value * 2, perWorker));
        }
    }

    /**
     * The workers' heartbeats measured the pace ({@link CensusPace}): the estimate is at least that, for as long as
     * the measure says so. A floor that follows the measure both ways, not a ratchet: each window's reading is noisy
     * (heavy-tailed task times), so the highest one would overrate the workers. Not a ceiling: where the estimate
     * learned from the backlog is higher, it stays (docs/scaler.md: measured on the random benchmark, the measure
     * taken downwards sizes for the drain target at many times the reference's cost).
     */
    void paced(double perWorker) {
        paced = Math.max(0, Math.min(MAX, perWorker));
    }

    /**
     * The backlog trend says the estimate is too high: while tasks wait, the ready workers are saturated, so what
     * each dispatches is what it can do. The dispatch rate covers 30 s, part of it perhaps before some of these
     * workers were ready: like a learned sample, one judgement halves the estimate at most.
     */
    void trendBehind(double dispatchedPerWorker) {
        if (dispatchedPerWorker < value) {
            measured = true;
            prior = false;
            value = Math.max(MIN, Math.max(dispatchedPerWorker, value / 2));
        }
    }
}
