package dev.wci.core.scaling;

/**
 * The sizing step, a pure function in the manner of Knative's {@code Scale(now)}: from the demand estimates and the
 * live workers of one group ({@link SizingInputs}) to how many workers to invoke and why ({@link SizingResult}). It
 * keeps no state; admission (limits) and reservation (the ledger) come after it, in {@link ReactiveScaler}. Rules
 * (docs/scaler.md): sizing from arrivals and the backlog projected one cold start ahead, the backlog trend winning
 * over the estimates, refresh of expiring workers, growth bounded by the tasks new workers can find, and the stream's
 * share capped while the throughput is an unproven default.
 */
public final class Sizing {

    /**
     * Workers the arrival stream may add beyond the backlog's share while the per-worker throughput is an unproven
     * default: about what the reference invokes in one default cold start (one per push batch, every 0.5 s, over 2 s).
     * On the random benchmark 2 lost in-band share and 8 gave back half the cost saved (docs/scaler.md).
     */
    static final int UNPROVEN_STREAM_WORKERS = 4;

    private final int initialBurst;
    private final double targetUtilization;
    private final long drainMillis;

    /** Sizing under a group's policy (its initial burst, target utilization and drain target). */
    public Sizing(ScalingPolicy policy) {
        this.initialBurst = policy.initialBurst();
        this.targetUtilization = policy.targetUtilization();
        this.drainMillis = policy.drainTarget().toMillis();
    }

    /** How many workers to invoke, and why; {@link SizingResult#NOTHING} when none. */
    public SizingResult size(SizingInputs in) {
        return size(in.backlog(), in.arrivalRate(), in.throughput(), in.coldStartMillis(), in.live(),
                in.trendBehind(), in.spare(), in.rateLimited(), in.unmatched(), in.overdue(), in.unproven(),
                in.coldStartLearned(), in.awaitedMillis());
    }

    /**
     * {@link #size(SizingInputs)} on the record's components: the scaler's entry, which allocates nothing when
     * nothing is wanted (the common case; a per-decision record would cost 10 000 groups × 64 B per tick).
     */
    SizingResult size(double backlog, double arrivalRate, double throughput, long coldStartMillis, LiveWorkers live,
                      boolean behind, boolean spare, boolean rateLimited, long unmatched, int overdue,
                      boolean unproven, boolean coldStartLearned, long awaitedMillis) {
        double whenReady = backlogWhenReady(backlog, arrivalRate, throughput, coldStartMillis, live.ready());
        int desired = desired(whenReady, arrivalRate, throughput);
        int uncapped = desired;
        if (unproven) {
            // The throughput is the untouched default, a guess that may be 100x too low for fast tasks, and tasks
            // have not kept failing to match while a worker was ready. The backlog's share (what waits when the new
            // workers are ready, one cold start of arrivals included) and the ready fleet are sized in full; the
            // stream's share adds a few workers at most, until the first ready workers show whether they keep up
            // (tasks failing to match on and on while one is ready, or the stats' rates bounding or measuring their
            // pace, lift the cap).
            // A fleet sized by a guess 100x too low stays for its whole lifetime (idle exit off, or workers kept
            // busy by spread-out tasks).
            // Before any worker of the group has started, the cold start is the default too, and the arrivals
            // projected over it are the stream's as much as the backlog's: they add the stream's few workers at most,
            // or the projection brings the capped share back (200 tasks/s of 40 ms tasks projected over the 2 s
            // default sized 20 workers in the first second where one takes them all: seed 3 #87 of the random
            // benchmark, 1.44x the reference's worker-seconds, 1.05x now; #116, a 3 s start: 2.47x, 1.91x).
            int backlogShare = desired(whenReady, 0, throughput);
            // So are the arrivals that came while the workers now starting were awaited (the default cold start may
            // be half the real one): a stream waiting for them is no burst (bursts are not in the arrival rate), and
            // sized in full its waiting tasks would bring the capped share back a cold start later. While such
            // workers are awaited, the arrivals projected over the next cold start are the stream's too (those
            // workers take them first). Seed 3 #116 of the random benchmark, 30 ms tasks on 30 slots, 3.1 s starts:
            // 19 workers where the reference starts 10 (1.91x its worker-seconds), 10 now (1.01x).
            double waiting = Math.min(whenReady, backlog);
            double streamed = Math.min(waiting, arrivalRate * awaitedMillis / 1000.0);
            double own = (coldStartLearned && awaitedMillis == 0 ? whenReady : waiting) - streamed;
            int ownShare = own > 0 ? desired(own, 0, throughput) : 0;
            backlogShare = ownShare + Math.min(backlogShare - ownShare, UNPROVEN_STREAM_WORKERS);
            desired = Math.max(Math.min(desired, backlogShare + UNPROVEN_STREAM_WORKERS),
                    Math.min(desired, live.ready()));
        }
        if (live.live() == 0 && backlog > 0) {
            desired = Math.max(desired, initialBurst);
            uncapped = Math.max(uncapped, initialBurst);
        }
        // The trend wins over the estimates: a backlog not on course to drain, with every worker sized for it
        // ready, gets more capacity (half the ready fleet, at least one: any shortfall is closed in a few rounds).
        boolean trendBehind = behind && live.starting() == live.late() && backlog > 0;
        int trendWant = trendBehind ? Math.max(1, (live.ready() + 1) / 2) : 0;
        // Tasks failed to match with fewer workers starting on time than those tasks: no slot was free, the fleet is
        // short whatever the estimates say, and one more worker goes at once (as the reference's one invoke per
        // failure batch), not after the stats show the trend. So does a failure while no worker is ready and every
        // one starting should have been ready before it (overdue): a hedge against a slow start, one per cold start
        // (the hedge is not overdue until then).
        int onTime = live.starting() - live.late();
        int awaited = onTime - overdue;
        boolean shortNow = (live.ready() > 0 || overdue > 0) && awaited < unmatched && backlog > 0;
        if (desired == 0 && !trendBehind && !shortNow) {
            return SizingResult.NOTHING;
        }
        // Demand persists: a worker that stops before a replacement could be ready is not capacity.
        int want = Math.max(Math.max(desired - live.lasting(), trendWant), shortNow ? 1 : 0);
        if (want <= 0) {
            return SizingResult.NOTHING;
        }
        // Workers starting on time (not late) replace expiring and late ones first: those are not replaced twice.
        int replace = Math.max(0, Math.min(want, live.live() - live.lasting() - onTime));
        int grow = spare && !shortNow ? 0 : usefulGrowth(backlog, arrivalRate, coldStartMillis, live,
                spare ? Math.min(1, want - replace) : want - replace, shortNow ? awaited : onTime);
        if (replace + grow <= 0) {
            return SizingResult.NOTHING;
        }
        DecisionReason reason;
        if (rateLimited) {
            reason = DecisionReason.QUEUE_RATE_LIMITED;
        } else if (live.live() == 0) {
            reason = DecisionReason.SCALE_FROM_ZERO;
        } else if (trendBehind && trendWant > desired - live.lasting()) {
            // The trend asks for more than the estimates: the decision goes beyond them on its behalf.
            reason = DecisionReason.BACKLOG_TREND;
        } else if (shortNow && (spare || desired <= live.lasting())) {
            reason = DecisionReason.UNMATCHED;
        } else if (desired <= live.live()) {
            reason = DecisionReason.REFRESH;
        } else {
            reason = DecisionReason.SCALE_OUT;
        }
        return new SizingResult(whenReady, desired, uncapped, trendWant, replace, grow, reason);
    }

    /**
     * Workers needed for the demand, at least one whenever there is any: arrivals at the target utilization plus
     * the backlog worked off within the drain target.
     */
    int desired(double backlog, double rate, double throughput) {
        if (backlog <= 0 && rate <= 0) {
            return 0;
        }
        double perSecond = rate / targetUtilization + backlog * 1000.0 / drainMillis;
        double workers = Math.ceil(perSecond / throughput - 1e-9);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE / 2, workers));
    }

    /**
     * The backlog a worker invoked now will find when it is ready, one cold start from now: what waits now, plus
     * the arrivals the ready workers cannot take meanwhile, or minus what their spare capacity works off. Sizing for
     * the backlog of now would leave the first workers of a scale-out facing a larger one, and would invoke late
     * workers for a backlog the ready ones finish before the new ones could help.
     */
    static double backlogWhenReady(double backlog, double rate, double throughput, long coldStartMillis, int ready) {
        return Math.max(0, backlog + (rate - ready * throughput) * coldStartMillis / 1000.0);
    }

    /**
     * Growth beyond replacements, bounded by the tasks the new workers can find: a worker invoked now is ready one
     * cold start later and needs at least one task then, so no more workers may be starting than the backlog plus
     * the arrivals of one cold start. Sizing divides the arrival rate by the per-worker throughput, which is small
     * for long tasks (0.05/s for 10 slots of 3 min), and a noisy rate (five retried tasks in a second read as 4/s)
     * would otherwise start a hundred workers for five tasks. Real demand keeps failing and raises the bound at the
     * next decision.
     */
    private int usefulGrowth(double backlog, double rate, long coldStartMillis, LiveWorkers live, int wanted,
                             int onTime) {
        double findable = backlog + rate * coldStartMillis / 1000.0;
        int floor = live.live() == 0 ? initialBurst : 1;
        int maxStarting = (int) Math.max(floor, Math.ceil(findable - 1e-9));
        return Math.min(wanted, Math.max(0, maxStarting - onTime));
    }
}
