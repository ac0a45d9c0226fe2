package dev.wci.core.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The per-worker throughput estimate on its own state. */
class ThroughputEstimatorTest {

    private final ThroughputEstimator t = new ThroughputEstimator(5, 0.5);

    @Test
    void aStableSaturatedWindowIsASampleBoundedToHalfOrDoubleThenAveraged() {
        t.saturated(0, 100, 0, 0, 0);
        assertEquals(Long.MIN_VALUE, t.windowStart(1_999), "too recent a start closes no window");
        assertEquals(0, t.windowStart(2_000));
        // 4 s, 2 workers all along (8 worker-seconds), 100 -> 90 with 6 arrivals: 16 done, 2/s per worker,
        // bounded to 2.5 (half of 5), averaged with alpha 0.5: 3.75.
        t.saturated(4_000, 90, 6, 8, 2);
        assertEquals(3.75, t.value(), 1e-9);
    }

    @Test
    void aChangingFleetGivesNoSample() {
        t.saturated(0, 100, 0, 0, 0);
        t.saturated(4_000, 90, 6, 7, 2); // 7 worker-seconds, not 2 x 4: a worker came or went
        assertEquals(5, t.value(), 1e-9);
    }

    @Test
    void aBacklogTheFleetCouldEmptyInTheWindowGivesNoSample() {
        t.saturated(0, 30, 0, 0, 0); // 2 workers at 5/s work off 40 in 4 s: 30 may have run dry midway
        t.saturated(4_000, 25, 0, 8, 2);
        assertEquals(5, t.value(), 1e-9);
    }

    @Test
    void anUnsaturatedObservationStartsTheWindowAfresh() {
        t.saturated(0, 100, 0, 0, 0);
        t.unsaturated();
        assertEquals(Long.MIN_VALUE, t.windowStart(10_000));
        t.saturated(10_000, 50, 0, 0, 0);
        assertEquals(10_000, t.windowStart(12_000));
    }

    @Test
    void theTrendLowersTheEstimateByHalfAtMostPerJudgement() {
        t.trendBehind(0.1);
        assertEquals(2.5, t.value(), 1e-9);
        t.trendBehind(2);
        assertEquals(2, t.value(), 1e-9);
        t.trendBehind(10);
        assertEquals(2, t.value(), 1e-9, "the trend never raises it");
    }

    @Test
    void aServedLowerBoundOnlyRaisesTheEstimateAtMostDoublingIt() {
        t.served(3);
        assertEquals(5, t.value(), 1e-9, "a lower bound below the estimate says nothing");
        t.served(40);
        assertEquals(10, t.value(), 1e-9, "x2 at most per sample");
        t.served(15);
        assertEquals(15, t.value(), 1e-9);
        assertEquals(false, t.measured());
    }

    @Test
    void aMeasuredEstimateIsNotRaisedByALowerBound() {
        t.saturated(0, 100, 0, 0, 0);
        t.saturated(4_000, 90, 6, 8, 2);
        assertEquals(true, t.measured());
        t.served(40);
        assertEquals(3.75, t.value(), 1e-9);
        ThroughputEstimator judged = new ThroughputEstimator(5, 0.5);
        judged.trendBehind(4);
        assertEquals(true, judged.measured());
        judged.served(40);
        assertEquals(4, judged.value(), 1e-9);
    }

    @Test
    void theDefaultIsAPriorUntilASampleABoundOrTheTrendMovesIt() {
        assertTrue(t.prior());
        t.served(4); // below the estimate: moves nothing
        t.saturated(0, 30, 0, 0, 0);
        t.saturated(4_000, 25, 0, 8, 2); // no sample (the backlog could have run dry)
        assertTrue(t.prior(), "nothing moved the default");

        ThroughputEstimator served = new ThroughputEstimator(5, 0.5);
        served.served(8);
        assertFalse(served.prior());

        ThroughputEstimator sampled = new ThroughputEstimator(5, 0.5);
        sampled.saturated(0, 100, 0, 0, 0);
        sampled.saturated(4_000, 90, 6, 8, 2);
        assertFalse(sampled.prior());

        ThroughputEstimator judged = new ThroughputEstimator(5, 0.5);
        judged.trendBehind(1);
        assertFalse(judged.prior());
    }

    @Test
    void theCensusPaceIsAFloorThatFollowsTheMeasureBothWays() {
        assertTrue(t.prior());
        t.paced(40); // fast tasks: the heartbeats measure 40 tasks/s per worker, the default says 5
        assertEquals(40, t.value(), 1e-9, "not doubled step by step: a measure over many tasks");
        assertFalse(t.prior(), "measured, no longer the unproven default");
        assertTrue(t.measured());
        t.paced(30); // a later, larger window reads lower: the floor follows it
        assertEquals(30, t.value(), 1e-9);
        t.paced(1); // below the learned estimate: that stays (the measure is not a ceiling)
        assertEquals(5, t.value(), 1e-9);
        assertTrue(t.prior(), "the default again, as nothing else moved it");
    }

    @Test
    void aLowerBoundDoesNotRaiseTheLearnedEstimateOverTheCensusFloor() {
        t.paced(20);
        t.served(8); // a bound above the learned 5: raises it, to 8; the floor still rules
        assertEquals(20, t.value(), 1e-9);
        t.paced(2);
        assertEquals(8, t.value(), 1e-9, "what the other rules learned is kept under the floor");
    }
}
