package dev.wci.core.scaling;

/**
 * Whether the observed backlog is on course to drain within the drain target, judged from observations alone,
 * so that it holds when the scaler's own estimates (throughput, cold start) are wrong: between two observations
 * at least {@code minSpan} apart, both describing the queue after the newest workers could be ready, a backlog
 * that at its trend would still be above zero after the drain target, while the version is served (tasks
 * dispatched, or workers the census lists for it), is <em>behind</em>. A backlog below the highest one seen in the
 * span is judged from that peak: it is falling, and how fast says whether the fleet works it off (from the span's
 * start, a spike being worked off reads as a backlog that grew). Otherwise it is not: workers that take
 * nothing are gone or do not serve this version (the phantom rule, the census and the invoke-loop guard deal with
 * that), and more of them would not help. The fleet growing starts
 * the judgement afresh. Not thread-safe (the scaler's lock).
 */
final class BacklogTrend {

    private long fleetReadyAt = Long.MIN_VALUE;
    private long refAsOf = Long.MIN_VALUE;
    private long refBacklog;
    private long peakAsOf = Long.MIN_VALUE;
    private long peakBacklog;
    private boolean behind;

    /** Workers were invoked and are expected ready at {@code readyAt}: observations before say nothing of them. */
    void fleetGrew(long readyAt) {
        fleetReadyAt = Math.max(fleetReadyAt, readyAt);
        refAsOf = Long.MIN_VALUE;
        behind = false;
    }

    /**
     * The group's observed backlog, all queues, as of {@code asOf}; {@code earliestAsOf} is the oldest moment it may
     * describe (stats are cached for a while whose length is not told), and only an observation that surely describes
     * the queue after the newest workers could be ready judges them: a picture taken before they polled would read as
     * a backlog they do not drain, and double the fleet.
     */
    void observe(long asOf, long earliestAsOf, long backlog, boolean serving, long drainMillis, long minSpanMillis) {
        if (Math.min(asOf, earliestAsOf) < fleetReadyAt) {
            return;
        }
        if (refAsOf == Long.MIN_VALUE || asOf < refAsOf) {
            startSpan(asOf, backlog);
            return;
        }
        if (asOf - refAsOf < minSpanMillis) {
            if (backlog >= peakBacklog) {
                peakAsOf = asOf;
                peakBacklog = backlog;
            }
            return;
        }
        // A backlog below the span's highest is falling: its course is how fast it falls since that peak, not the
        // rise from the span's start (a spike that came and is being worked off would read as a growing backlog).
        long fromAsOf = backlog < peakBacklog && peakAsOf < asOf ? peakAsOf : refAsOf;
        long fromBacklog = fromAsOf == peakAsOf ? peakBacklog : refBacklog;
        double slopePerMilli = (backlog - fromBacklog) / (double) (asOf - fromAsOf);
        behind = serving && backlog > 0 && backlog + slopePerMilli * drainMillis > 0;
        startSpan(asOf, backlog);
    }

    private void startSpan(long asOf, long backlog) {
        refAsOf = asOf;
        refBacklog = backlog;
        peakAsOf = asOf;
        peakBacklog = backlog;
    }

    /** {@link #observe(long, long, long, boolean, long, long)} of an observation whose as-of time is certain. */
    void observe(long asOf, long backlog, boolean serving, long drainMillis, long minSpanMillis) {
        observe(asOf, asOf, backlog, serving, drainMillis, minSpanMillis);
    }

    /** The last judgement: the backlog is not on course to drain within the drain target. */
    boolean behind() {
        return behind;
    }
}
