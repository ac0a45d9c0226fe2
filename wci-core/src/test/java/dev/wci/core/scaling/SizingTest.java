package dev.wci.core.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The pure sizing step, directly: each rule from its inputs record to its result record and reason. */
class SizingTest {

    // Drain target 10 s, utilization 0.5, initial burst 2: round numbers.
    private final Sizing sizing = new Sizing(ScalingPolicy.builder().drainTarget(Duration.ofSeconds(10))
            .targetUtilization(0.5).initialBurst(2).build());

    private static SizingInputs in(double backlog, double rate, double throughput, LiveWorkers live) {
        return new SizingInputs(backlog, rate, throughput, 1_000, live, false, false, false, 0);
    }

    @Test
    void noDemandSizesNothingAndAllocatesNothing() {
        assertSame(SizingResult.NOTHING, sizing.size(in(0, 0, 1, LiveWorkers.NONE)));
        assertSame(SizingResult.NOTHING, sizing.size(in(0, 0, 1, new LiveWorkers(0, 3, 0))));
    }

    @Test
    void scaleFromZeroIsAtLeastTheInitialBurst() {
        SizingResult r = sizing.size(in(1, 0, 1, LiveWorkers.NONE));
        assertEquals(DecisionReason.SCALE_FROM_ZERO, r.reason());
        assertEquals(2, r.desired(), "one task needs one worker, the initial burst is two");
        assertEquals(2, r.want());
        assertEquals(0, r.replace());
    }

    @Test
    void desiredCoversArrivalsAtTheTargetUtilizationPlusTheBacklogWhenReady() {
        // 4 ready workers at 1/s; arrivals 3/s: the backlog of 20 grows by (3 - 4) * 1 s = -1 to 19 when ready.
        // desired = ceil((3 / 0.5 + 19 / 10) / 1) = ceil(7.9) = 8: 4 more.
        SizingResult r = sizing.size(in(20, 3, 1, new LiveWorkers(0, 4, 0)));
        assertEquals(19, r.backlogWhenReady(), 1e-9);
        assertEquals(8, r.desired());
        assertEquals(DecisionReason.SCALE_OUT, r.reason());
        assertEquals(4, r.grow());
        assertEquals(4, r.want());
    }

    @Test
    void demandCoveredByStartingWorkersInvokesNothing() {
        assertSame(SizingResult.NOTHING, sizing.size(in(20, 3, 1, new LiveWorkers(4, 4, 0))));
    }

    @Test
    void expiringWorkersAreReplacedAheadAsRefresh() {
        // Arrivals 1/s need 2 workers; both ready ones expire within a cold start.
        SizingResult r = sizing.size(in(0, 1, 1, new LiveWorkers(0, 2, 2)));
        assertEquals(DecisionReason.REFRESH, r.reason());
        assertEquals(2, r.replace());
        assertEquals(0, r.grow());
    }

    @Test
    void growthIsBoundedByTheTasksNewWorkersCanFind() {
        // Long tasks: 0.01/s per worker, so 2 tasks/s read as 400 workers; one cold start (1 s) of arrivals plus a
        // backlog of 3 is 5 tasks: at most 5 may be starting.
        SizingResult r = sizing.size(in(3, 2, 0.01, new LiveWorkers(0, 1, 0)));
        assertEquals(5, r.want());
        assertEquals(5, r.grow());
        assertEquals(DecisionReason.SCALE_OUT, r.reason());
    }

    @Test
    void aSpareFleetIsNotGrownOnlyReplaced() {
        SizingInputs spare = new SizingInputs(0, 10, 1, 1_000, new LiveWorkers(0, 5, 1), false, true, false, 0);
        SizingResult r = sizing.size(spare);
        assertEquals(1, r.replace());
        assertEquals(0, r.grow());
    }

    @Test
    void aSpareFleetWhoseTasksFoundNoFreeSlotGetsOneWorkerNotTheEstimatesFleet() {
        // A served fleet the estimates would grow to 20 (10/s at 0.5, 1/s each): 2 tasks failed to match with every
        // worker ready. One worker for them, as the reference's one invoke per failure batch.
        SizingInputs spare = new SizingInputs(2, 10, 1, 1_000, new LiveWorkers(0, 5, 0), false, true, false, 2);
        SizingResult r = sizing.size(spare);
        assertEquals(DecisionReason.UNMATCHED, r.reason());
        assertEquals(1, r.want());
        assertEquals(1, r.grow());
    }

    @Test
    void theTrendWinsOverAnEstimateThatSaysTheFleetSuffices() {
        // The estimates say 6 ready workers are plenty; the observed backlog does not drain: half the fleet more.
        SizingInputs behind = new SizingInputs(10, 0.5, 100, 1_000, new LiveWorkers(0, 6, 0), true, false, false, 0);
        SizingResult r = sizing.size(behind);
        assertEquals(DecisionReason.BACKLOG_TREND, r.reason());
        assertEquals(3, r.trendWant());
        assertEquals(3, r.want());
    }

    @Test
    void aTrendAskingMoreThanTheEstimatesNamesTheTrend() {
        // The estimates want 2 more than the 6 ready (backlog 20 -> 17 when ready, 3/s: ceil(6 + 1.7) = 8); the
        // trend wants half the fleet (3). The decision goes beyond the estimates on the trend's account: its reason
        // says so (the scaler's invariants let only the trend exceed the estimates).
        SizingInputs behind = new SizingInputs(20, 3, 1, 1_000, new LiveWorkers(0, 6, 0), true, false, false, 0);
        SizingResult r = sizing.size(behind);
        assertEquals(8, r.desired());
        assertEquals(3, r.want());
        assertEquals(DecisionReason.BACKLOG_TREND, r.reason());
    }

    @Test
    void theTrendWaitsForWorkersStillStartingOnTime() {
        SizingInputs behind = new SizingInputs(10, 0.5, 100, 1_000, new LiveWorkers(2, 6, 0), true, false, false, 0);
        assertSame(SizingResult.NOTHING, sizing.size(behind));
        // Late starters do not count as on time: the trend acts.
        SizingInputs late = new SizingInputs(10, 0.5, 100, 1_000, new LiveWorkers(2, 6, 0, 2), true, false, false, 0);
        assertEquals(DecisionReason.BACKLOG_TREND, sizing.size(late).reason());
    }

    @Test
    void aRateLimitedQueueIsSizedButMarkedAsAHold() {
        SizingInputs limited = new SizingInputs(20, 3, 1, 1_000, new LiveWorkers(0, 4, 0), false, false, true, 0);
        SizingResult r = sizing.size(limited);
        assertEquals(DecisionReason.QUEUE_RATE_LIMITED, r.reason());
        assertEquals(4, r.want());
    }

    @Test
    void unmatchedTasksWithEveryWorkerReadyAddOneWorkerBeyondTheEstimate() {
        // The estimates find 2 ready workers plenty; 3 tasks just failed to match and nothing starts: one more.
        SizingInputs failed = new SizingInputs(3, 0.5, 100, 1_000, new LiveWorkers(0, 2, 0), false, false, false, 3);
        SizingResult r = sizing.size(failed);
        assertEquals(DecisionReason.UNMATCHED, r.reason());
        assertEquals(1, r.want());
        // As many on-time starters as failed tasks: covered.
        assertSame(SizingResult.NOTHING, sizing.size(
                new SizingInputs(3, 0.5, 100, 1_000, new LiveWorkers(3, 2, 0), false, false, false, 3)));
        // With no ready worker it is a scale from zero, sized as such.
        assertEquals(DecisionReason.SCALE_FROM_ZERO, sizing.size(
                new SizingInputs(3, 0.5, 100, 1_000, LiveWorkers.NONE, false, false, false, 3)).reason());
    }

    @Test
    void aFailureWithOnlyOverdueStartersHedgesWithOneWorker() {
        // One worker starts, none is ready, a task failed after the starter should have been ready: one more.
        SizingInputs overdue = new SizingInputs(1, 0, 5, 1_000, new LiveWorkers(1, 0, 0), false, false, false, 1, 1);
        SizingResult r = sizing.size(overdue);
        assertEquals(DecisionReason.UNMATCHED, r.reason());
        assertEquals(1, r.want());
        // The same failure while the starter is within its cold start: it covers the task.
        assertSame(SizingResult.NOTHING, sizing.size(
                new SizingInputs(1, 0, 5, 1_000, new LiveWorkers(1, 0, 0), false, false, false, 1, 0)));
    }

    @Test
    void anUnprovenDefaultThroughputAddsAFewWorkersForTheStreamBeyondTheBacklogsShare() {
        // Nothing live, backlog 20, arrivals 100/s at the default 1/s: 120 wait when workers are ready (12 workers to
        // drain them in 10 s), the stream alone would ask for 200 more.
        SizingInputs proven = new SizingInputs(20, 100, 1, 1_000, LiveWorkers.NONE, false, false, false, 0, 0, false);
        SizingInputs unproven = new SizingInputs(20, 100, 1, 1_000, LiveWorkers.NONE, false, false, false, 0, 0, true);
        assertEquals(212, sizing.size(proven).desired());
        assertEquals(120, sizing.size(proven).want(), "bounded by the tasks the new workers can find");
        SizingResult r = sizing.size(unproven);
        assertEquals(12 + Sizing.UNPROVEN_STREAM_WORKERS, r.desired());
        assertEquals(12 + Sizing.UNPROVEN_STREAM_WORKERS, r.want());
        assertEquals(DecisionReason.SCALE_FROM_ZERO, r.reason());
        // The audit can say the cap bound, and what the estimates alone asked for.
        assertTrue(r.capped());
        assertEquals(212, r.uncapped());
        assertFalse(sizing.size(proven).capped());
        assertEquals(212, sizing.size(proven).uncapped());
    }

    @Test
    void beforeAnyStartTheArrivalsOfTheDefaultColdStartAddAFewWorkersAtMostToTheUnprovenBacklogsShare() {
        // As above, but no worker of the group has started yet, so the 1 s cold start is a default too: the 20
        // waiting ask for 2 workers, the 100 arrivals projected over that guessed second for 10 more, of which only
        // the stream's few go (the stream's share is capped, and the projection must not bring it back uncapped).
        SizingResult r = sizing.size(
                new SizingInputs(20, 100, 1, 1_000, LiveWorkers.NONE, false, false, false, 0, 0, true, false));
        assertEquals(2 + 2 * Sizing.UNPROVEN_STREAM_WORKERS, r.desired());
        assertEquals(2 + 2 * Sizing.UNPROVEN_STREAM_WORKERS, r.want());
        assertEquals(DecisionReason.SCALE_FROM_ZERO, r.reason());
        // A short projection goes in full: 20 waiting and 20 more in the second are 4 workers, and 4 for the stream.
        assertEquals(4 + Sizing.UNPROVEN_STREAM_WORKERS, sizing.size(
                new SizingInputs(20, 20, 1, 1_000, LiveWorkers.NONE, false, false, false, 0, 0, true, false))
                .desired());
        assertEquals(212, sizing.size(
                new SizingInputs(20, 100, 1, 1_000, LiveWorkers.NONE, false, false, false, 0, 0, false, false))
                .desired(), "a proven throughput sizes the projected backlog in full");
    }

    @Test
    void theArrivalsThatWaitedForTheWorkersStillStartingAreTheStreamsShareWhileTheThroughputIsUnproven() {
        // One worker ready, five starting for 3 s, arrivals 100/s at the default 1/s, a learned 1 s cold start. The
        // 300 waiting tasks are the stream's 3 s: with the arrivals projected over the next cold start (399 when a
        // worker invoked now is ready) they add the stream's few workers at most, not 40 for a backlog.
        LiveWorkers live = new LiveWorkers(5, 1, 0);
        SizingResult r = sizing.size(
                new SizingInputs(300, 100, 1, 1_000, live, false, false, false, 0, 0, true, true, 3_000));
        assertEquals(2 * Sizing.UNPROVEN_STREAM_WORKERS, r.desired());
        assertEquals(2, r.grow());
        assertEquals(240, r.uncapped());
        // Tasks beyond what the stream brought in those 3 s are a burst, sized in full: 200 more are 20 workers.
        assertEquals(20 + 2 * Sizing.UNPROVEN_STREAM_WORKERS, sizing.size(
                new SizingInputs(500, 100, 1, 1_000, live, false, false, false, 0, 0, true, true, 3_000)).desired());
        // With no worker awaited the 399 go in full (40) and the stream's 4 beyond them, as before.
        assertEquals(40 + Sizing.UNPROVEN_STREAM_WORKERS, sizing.size(
                new SizingInputs(300, 100, 1, 1_000, live, false, false, false, 0, 0, true, true, 0)).desired());
        // A proven throughput sizes it all.
        assertEquals(240, sizing.size(
                new SizingInputs(300, 100, 1, 1_000, live, false, false, false, 0, 0, false, true, 3_000)).desired());
    }

    @Test
    void anUnprovenDefaultThroughputStillReplacesTheReadyFleet() {
        // 30 ready workers all expire within a cold start; arrivals 100/s at the default 1/s. The cap limits growth,
        // not the fleet that serves now: all 30 are replaced ahead.
        SizingResult r = sizing.size(
                new SizingInputs(0, 100, 1, 1_000, new LiveWorkers(0, 30, 30), false, false, false, 0, 0, true));
        assertEquals(30, r.desired());
        assertEquals(207, r.uncapped(), "the stream (200) and what waits when a replacement is ready (70 in 10 s)");
        assertEquals(30, r.replace());
        assertEquals(0, r.grow());
        assertEquals(DecisionReason.REFRESH, r.reason());
    }
}
