package dev.wci.core.scaling;

/**
 * What the demand estimator hands the sizing step ({@link Sizing#size}) for one group at one moment: the
 * estimates, the live workers and the judgements made from observations alone.
 *
 * @param backlog         estimated tasks waiting now (observed backlog plus sync-match failures since)
 * @param arrivalRate     estimated sustained arrivals per second
 * @param throughput      tasks per second one worker completes (learned or default)
 * @param coldStartMillis estimated time from invoke to a polling worker
 * @param live            live workers now (starting, ready, expiring, late)
 * @param trendBehind     the observed backlog is not on course to drain within the drain target ({@link BacklogTrend})
 * @param spare           the fleet has spare capacity: nothing waits and a worker exited for lack of work moments
 *                        ago, or the ready fleet served nearly every arrival for a while (ReactiveScaler):
 *                        it is not grown, only replaced, plus one worker when {@code unmatched} says it is short
 * @param rateLimited     the queue's own rate limit is active: the result is a hold, whatever it says
 * @param unmatched       tasks that just failed to match, answered by this decision (0 for none): no worker had a free
 *                        slot for them
 * @param overdue         workers still starting that should have been ready before those tasks failed, counted only
 *                        when no worker is ready and every one starting (not late) is overdue: none of them has
 *                        taken the tasks, so one more starts as a hedge against a slow start (0 for none)
 * @param unproven        {@code throughput} is still the policy's default (no sample, lower bound or trend judgement
 *                        has moved it) and tasks have not kept failing to match while a worker was ready (for the
 *                        sustained-failure span, see ReactiveScaler): the guess is unproven
 * @param coldStartLearned {@code coldStartMillis} comes from at least one start of the group's workers, not the
 *                         policy's default
 * @param awaitedMillis    while {@code unproven}: how long the longest-starting worker (on time) has been starting, 0
 *                         for none; the arrivals of that time wait in {@code backlog} as the stream's, not a burst
 */
public record SizingInputs(double backlog, double arrivalRate, double throughput, long coldStartMillis,
                           LiveWorkers live, boolean trendBehind, boolean spare, boolean rateLimited,
                           long unmatched, int overdue, boolean unproven, boolean coldStartLearned,
                           long awaitedMillis) {

    /** No worker awaited yet. */
    public SizingInputs(double backlog, double arrivalRate, double throughput, long coldStartMillis,
                        LiveWorkers live, boolean trendBehind, boolean spare, boolean rateLimited, long unmatched,
                        int overdue, boolean unproven, boolean coldStartLearned) {
        this(backlog, arrivalRate, throughput, coldStartMillis, live, trendBehind, spare, rateLimited, unmatched,
                overdue, unproven, coldStartLearned, 0);
    }

    /** A cold start learned from the group's own starts. */
    public SizingInputs(double backlog, double arrivalRate, double throughput, long coldStartMillis,
                        LiveWorkers live, boolean trendBehind, boolean spare, boolean rateLimited, long unmatched,
                        int overdue, boolean unproven) {
        this(backlog, arrivalRate, throughput, coldStartMillis, live, trendBehind, spare, rateLimited, unmatched,
                overdue, unproven, true);
    }

    /** An estimate that is not an unproven default. */
    public SizingInputs(double backlog, double arrivalRate, double throughput, long coldStartMillis,
                        LiveWorkers live, boolean trendBehind, boolean spare, boolean rateLimited, long unmatched,
                        int overdue) {
        this(backlog, arrivalRate, throughput, coldStartMillis, live, trendBehind, spare, rateLimited, unmatched,
                overdue, false);
    }

    /** No overdue worker. */
    public SizingInputs(double backlog, double arrivalRate, double throughput, long coldStartMillis,
                        LiveWorkers live, boolean trendBehind, boolean spare, boolean rateLimited, long unmatched) {
        this(backlog, arrivalRate, throughput, coldStartMillis, live, trendBehind, spare, rateLimited, unmatched, 0,
                false);
    }
}
