package dev.wci.core.scaling;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BacklogTrendTest {

    private static final long DRAIN = 8_000;
    private static final long SPAN = 2_000;
    private final BacklogTrend trend = new BacklogTrend();

    @Test
    void aGrowingOrFlatBacklogWhileDispatchingIsBehind() {
        trend.observe(0, 10, true, DRAIN, SPAN);
        assertFalse(trend.behind(), "one observation says nothing of a trend");
        trend.observe(1_000, 12, true, DRAIN, SPAN);
        assertFalse(trend.behind(), "too short a span");
        trend.observe(2_000, 12, true, DRAIN, SPAN);
        assertTrue(trend.behind());
    }

    @Test
    void aBacklogDrainingFastEnoughIsNotBehindButASlowDrainIs() {
        trend.observe(0, 100, true, DRAIN, SPAN);
        trend.observe(2_000, 40, true, DRAIN, SPAN); // -30/s: empty in under 2 s
        assertFalse(trend.behind());
        trend.observe(4_000, 38, true, DRAIN, SPAN); // -1/s: 38 s to go, beyond the 8 s drain target
        assertTrue(trend.behind());
        trend.observe(6_000, 0, true, DRAIN, SPAN);
        assertFalse(trend.behind());
    }

    @Test
    void aSpikeBeingWorkedOffIsJudgedByItsFallNotByTheRiseFromTheEmptyQueueBeforeIt() {
        // Seed 2 #172 of the random benchmark: pictures 0, 183, 103, 21 a second apart under 68 ready workers; from
        // the span's start the backlog rose (0 -> 21), and half the fleet was added as the spike passed.
        trend.observe(0, 0, true, DRAIN, SPAN);
        trend.observe(1_000, 183, true, DRAIN, SPAN);
        trend.observe(1_500, 103, true, DRAIN, SPAN);
        trend.observe(2_000, 21, true, DRAIN, SPAN); // -162/s since the peak: empty in well under the drain target
        assertFalse(trend.behind());
    }

    @Test
    void aSpikeFallingTooSlowlyFromItsPeakIsBehind() {
        // Long tasks on few slots: the spike's backlog barely moves once it is there.
        trend.observe(0, 0, true, DRAIN, SPAN);
        trend.observe(1_000, 50, true, DRAIN, SPAN);
        trend.observe(2_000, 49, true, DRAIN, SPAN); // -1/s: 49 s to go
        assertTrue(trend.behind());
        trend.observe(3_000, 60, true, DRAIN, SPAN);
        trend.observe(4_000, 59, true, DRAIN, SPAN); // the span starts at its last verdict: 49 -> 60 -> 59
        assertTrue(trend.behind());
    }

    @Test
    void withoutDispatchMoreWorkersWouldNotHelp() {
        trend.observe(0, 10, false, DRAIN, SPAN);
        trend.observe(3_000, 20, false, DRAIN, SPAN);
        assertFalse(trend.behind());
    }

    @Test
    void aGrownFleetIsJudgedOnlyFromObservationsAfterItIsReady() {
        trend.observe(0, 10, true, DRAIN, SPAN);
        trend.observe(2_000, 20, true, DRAIN, SPAN);
        assertTrue(trend.behind());
        trend.fleetGrew(5_000);
        assertFalse(trend.behind());
        trend.observe(4_000, 30, true, DRAIN, SPAN); // describes the queue before the new workers were ready
        trend.observe(5_000, 30, true, DRAIN, SPAN);
        trend.observe(6_000, 31, true, DRAIN, SPAN);
        assertFalse(trend.behind(), "one second after: too short");
        trend.observe(7_000, 31, true, DRAIN, SPAN);
        assertTrue(trend.behind());
    }

    @Test
    void anObservationThatMayDescribeTheQueueBeforeTheFleetWasReadyIsNotJudged() {
        trend.fleetGrew(5_000);
        // Read at 12 s and 14 s, taken as 5 s stale; cached up to 10 s, they may describe 2 s and 4 s: before the
        // new workers were ready, so a backlog they have not touched yet would read as one they do not drain.
        trend.observe(7_000, 2_000, 30, true, DRAIN, SPAN);
        trend.observe(9_000, 4_000, 30, true, DRAIN, SPAN);
        assertFalse(trend.behind());
        trend.observe(11_000, 6_000, 30, true, DRAIN, SPAN); // surely after the fleet was ready
        trend.observe(13_000, 8_000, 30, true, DRAIN, SPAN);
        assertTrue(trend.behind());
    }
}
