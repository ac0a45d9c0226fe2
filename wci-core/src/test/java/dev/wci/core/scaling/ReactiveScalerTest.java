package dev.wci.core.scaling;

import static dev.wci.core.testing.Fixtures.FACTS;
import static dev.wci.core.testing.Fixtures.QUEUE;
import static dev.wci.core.testing.Fixtures.V1;
import static dev.wci.core.testing.Fixtures.V2;
import static dev.wci.core.testing.Fixtures.failure;
import static dev.wci.core.testing.Fixtures.group;
import static dev.wci.core.testing.Fixtures.observation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.audit.DecisionAudit;
import dev.wci.core.compute.ComputeFailure;
import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.compute.TargetFacts;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.limits.LimitKind;
import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.signal.SyncMatchFailure.Origin;
import dev.wci.core.testing.Fixtures;
import dev.wci.core.testing.TestClock;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.TaskQueueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReactiveScalerTest {

    /** A dispatch rate that says workers take tasks (learning throughput needs one: see the stall rule). */
    private static final double DISPATCHING = 10;

    private final TestClock clock = new TestClock();
    private final DecisionAudit audit = new DecisionAudit(100);

    private ReactiveScaler scaler(ScalingPolicy policy, DeploymentVersion... versions) {
        return Fixtures.scaler(policy, clock, audit, versions);
    }

    private ReactiveScaler scaler() {
        return scaler(Fixtures.POLICY, V1);
    }

    private ScaleDecision invoked(Optional<ScaleDecision> d) {
        assertTrue(d.isPresent(), "expected an invoking decision");
        assertTrue(d.get().invokes());
        return d.get();
    }

    private void accept(ReactiveScaler s, ScaleDecision d) {
        for (String id : d.invocationIds()) {
            s.onInvocationResult(d, new InvocationResult.Accepted(id, clock.instant()));
        }
    }

    @Test
    void firstSyncMatchFailureWithNoWorkerInvokesAtOnce() {
        ReactiveScaler s = scaler();
        ScaleDecision d = invoked(s.onSignal(failure(V1, 1, clock)));
        assertEquals(DecisionReason.SCALE_FROM_ZERO, d.reason());
        assertEquals(1, d.count());
        assertEquals(LiveWorkers.NONE, d.inputs().live());
        assertEquals("signal", d.inputs().trigger());
        assertEquals(clock.instant(), d.decidedAt());
        assertEquals(List.of(d), audit.recent());
    }

    @Test
    void scaleFromZeroIsSizedFromTheBatchedCount() {
        // 1000 tasks, 5 tasks/s per worker, 20 s drain target: 1000 / 20 / 5 = 10 workers.
        ScaleDecision d = invoked(scaler().onSignal(failure(V1, 1000, clock)));
        assertEquals(10, d.count());
        assertEquals(10, d.inputs().desired());
        assertEquals(1000, d.inputs().backlog());
    }

    @Test
    void initialBurstIsTheSmallestScaleFromZero() {
        ReactiveScaler s = scaler(Fixtures.policy().initialBurst(3).build(), V1);
        assertEquals(3, invoked(s.onSignal(failure(V1, 1, clock))).count());
    }

    @Test
    void demandCoveredByStartingWorkersDoesNotInvokeAgain() {
        ReactiveScaler s = scaler();
        invoked(s.onSignal(failure(V1, 1, clock)));
        clock.advanceMillis(500);
        assertTrue(s.onSignal(failure(V1, 1, clock)).isEmpty());
        clock.advanceMillis(500);
        assertTrue(s.onSignal(failure(V1, 1, clock)).isEmpty());
        assertTrue(s.tick().isEmpty());
        assertEquals(1, s.totalLive());
    }

    @Test
    void demandBeyondWhatStartingWorkersCoverInvokesOnlyTheDifference() {
        ReactiveScaler s = scaler();
        assertEquals(10, invoked(s.onSignal(failure(V1, 1000, clock))).count());
        clock.advanceMillis(300);
        ScaleDecision more = invoked(s.onSignal(failure(V1, 500, clock)));
        assertEquals(DecisionReason.SCALE_OUT, more.reason());
        assertEquals(5, more.count()); // 1500 / 100 = 15 desired, 10 live
        assertEquals(10, more.inputs().live().starting());
    }

    @Test
    void sizesFromArrivalRateAndBacklog() {
        ReactiveScaler s = scaler();
        // 50 tasks/s steady and 60 waiting, of which 48/s sustained (60 of the window's adds are backlog). By the
        // time a worker is ready (2 s) 96 more wait: ((50 - 60/30) / 0.8 + (60 + 96)/20) / 5 = 13.56 -> 14 workers.
        // The 5/s is the unproven default, though: the backlog's share (156 / 20 / 5 -> 2) and 4 more go.
        ScaleDecision d = invoked(s.onSignal(observation(V1, 60, 50, 0, false, clock)));
        assertEquals(2 + Sizing.UNPROVEN_STREAM_WORKERS, d.count());
        assertEquals(48.0, d.inputs().arrivalRate(), 1e-9);
        clock.advanceMillis(1000);
        assertTrue(s.onSignal(observation(V1, 60, 50, 0, false, clock)).isEmpty(), "covered");
    }

    @Test
    void aBurstInTheAddRateIsNotCountedTwice() {
        // 300 tasks added at once within the 30 s window: add rate 10/s, all of it now backlog.
        ScaleDecision d = invoked(scaler().onSignal(observation(V1, 300, 10, 0, false, clock)));
        assertEquals(0.0, d.inputs().arrivalRate(), 1e-9);
        assertEquals(3, d.count());
    }

    @Test
    void failuresAfterAnObservationAddToItsBacklog() {
        ReactiveScaler s = scaler(Fixtures.POLICY, V1);
        var obs = new dev.wci.core.signal.BacklogObservation(V1, QUEUE, TaskQueueType.ACTIVITY, 100,
                Duration.ofSeconds(4), 0, 0, false, clock.instant(), Duration.ofSeconds(5));
        // Pushed later than a push of the picture's own tasks could be (1 s): not the tasks its growth shows.
        clock.advanceMillis(1_100);
        invoked(s.onSignal(failure(V1, 100, clock))); // 100 failures: 1 worker
        ScaleDecision d = invoked(s.onSignal(obs)); // 100 observed as of 5 s ago + 100 failed since
        assertEquals(200, d.inputs().backlog());
        assertEquals(1, d.count());
    }

    @Test
    void rateLimitedQueueIsNeverGivenMoreWorkers() {
        ReactiveScaler s = scaler();
        assertTrue(s.onSignal(observation(V1, 500, 20, 20, true, clock)).isEmpty());
        ScaleDecision hold = audit.recent().get(0);
        assertEquals(DecisionReason.QUEUE_RATE_LIMITED, hold.reason());
        assertFalse(hold.invokes());
        assertTrue(s.onSignal(failure(V1, 50, clock)).isEmpty());
        assertEquals(1, audit.recent().size(), "the same hold is not recorded again at once");
    }

    @Test
    void rateLimitedFailuresAloneDoNotInvoke() {
        ReactiveScaler s = scaler();
        assertTrue(s.onSignal(new SyncMatchFailure(V1, QUEUE, TaskQueueType.ACTIVITY, 0, 10, clock.instant(),
                Origin.PUSH))
                .isEmpty());
        // And for a while, failures do not invoke either: the queue's own limit is the bottleneck.
        clock.advanceMillis(2000);
        assertTrue(s.onSignal(failure(V1, 10, clock)).isEmpty());
        clock.advanceMillis(QueueDemand.RATE_LIMIT_MEMORY_MILLIS);
        invoked(s.onSignal(failure(V1, 10, clock)));
    }

    @Test
    void refreshesExpiringWorkersOneColdStartAheadWhileDemandPersists() {
        ReactiveScaler s = oneWorkerPollingUntil30s(Fixtures.policy().targetUtilization(1.0).build());
        // Expiring once poll end (30 s) < now + cold start (2 s) + margin (5 s): from 23 s on.
        assertOneRefreshAt(s, 24, 28);
    }

    @Test
    void refreshesWorkersThatNeverExitIdleHalfAColdStartBeforeTheyStopInsteadOfTheFullMargin() {
        // Idle exit off: each replacement costs a whole lifetime, so it goes one cold start (2 s) plus half of one
        // (1 s, less than the 5 s margin) ahead of the poll end (30 s): from 28 s on, not 24 s.
        ReactiveScaler s = oneWorkerPollingUntil30s(
                Fixtures.policy().targetUtilization(1.0).workerIdleExit(Duration.ZERO).build());
        assertOneRefreshAt(s, 28, 29);
    }

    @Test
    void noRefreshWhileTheAddRatesMeanFallsAsAStoppedStreamsDoes() {
        // Idle exit off, poll end at 30 s, replacements due from 28 s (above). 4 tasks/s until 20 s, then none: the
        // 30 s mean falls by 4/30 per second (2.9/s at 28 s, still above 0), and against the picture 5 s older it says
        // that nothing arrives now. The worker is not replaced, and nothing is invoked once it has stopped.
        ReactiveScaler s = oneWorkerPollingUntil30s(
                Fixtures.policy().targetUtilization(1.0).workerIdleExit(Duration.ZERO).build());
        for (int t = 1; t <= 40; t++) {
            clock.advance(Duration.ofSeconds(1));
            double mean = 4.0 * Math.max(0, 30 - Math.max(0, t - 20)) / 30;
            Optional<ScaleDecision> d = s.onSignal(observation(V1, 0, mean, mean, false, clock));
            assertTrue(d.isEmpty(), "no worker for arrivals that stopped, at " + t + " s: " + d);
            assertTrue(s.tick().isEmpty(), "at " + t + " s");
        }
    }

    /**
     * A scaler on {@code policy} whose one worker, started for 4 tasks/s at 0 s (the 8 tasks of its cold start fit in
     * its spare capacity), polls until 30 s (a 60 s timeout less the 30 s shutdown buffer).
     */
    private ReactiveScaler oneWorkerPollingUntil30s(ScalingPolicy policy) {
        ReactiveScaler s = scaler(policy, new DeploymentVersion[0]);
        s.register(group(V1), TargetFacts.ofTimeout(Duration.ofSeconds(60)));
        ScaleDecision first = invoked(s.onSignal(observation(V1, 0, 4, 4, false, clock)));
        assertEquals(1, first.count());
        accept(s, first);
        return s;
    }

    /**
     * Steady demand (4 tasks/s, signalled every second) until the first decision, at most {@code last} s: it comes
     * at {@code second} s and replaces the one expiring worker.
     */
    private void assertOneRefreshAt(ReactiveScaler s, int second, int last) {
        ScaleDecision refresh = null;
        for (int t = 1; t <= last && refresh == null; t++) {
            clock.advance(Duration.ofSeconds(1));
            Optional<ScaleDecision> d = s.onSignal(observation(V1, 0, 4, 4, false, clock));
            if (d.isPresent()) {
                refresh = d.get();
                assertEquals(second, t, "refresh too early or too late");
            }
        }
        assertNotNull(refresh);
        assertEquals(DecisionReason.REFRESH, refresh.reason());
        assertEquals(1, refresh.count());
        assertEquals(1, refresh.inputs().live().expiring());
    }

    @Test
    void noRefreshWithoutDemand() {
        ReactiveScaler s = scaler(Fixtures.policy().workerIdleExit(Duration.ZERO).build(), new DeploymentVersion[0]);
        s.register(group(V1), TargetFacts.ofTimeout(Duration.ofSeconds(60)));
        invoked(s.onSignal(failure(V1, 1, clock)));
        for (int t = 0; t < 60; t++) {
            clock.advance(Duration.ofSeconds(1));
            assertTrue(s.tick().isEmpty(), "no demand at " + t);
        }
    }

    @Test
    void workersPredictedToHaveExitedIdleNoLongerCount() {
        ReactiveScaler s = scaler();
        accept(s, invoked(s.onSignal(failure(V1, 1, clock))));
        clock.advance(Duration.ofSeconds(3));
        assertTrue(s.onSignal(failure(V1, 1, clock)).isEmpty(), "a ready worker covers it");
        // Last demand at 3 s, idle exit 5 s: the worker is gone from 8 s.
        clock.advance(Duration.ofMillis(4900));
        assertEquals(1, s.status().get(0).live().live());
        clock.advance(Duration.ofMillis(200));
        assertEquals(0, s.status().get(0).live().live());
        ScaleDecision again = invoked(s.onSignal(failure(V1, 1, clock)));
        assertEquals(DecisionReason.SCALE_FROM_ZERO, again.reason());
    }

    @Test
    void anIdleExitReportForgetsTheFailuresItServed() {
        ReactiveScaler s = scaler(Fixtures.policy().workerIdleExit(Duration.ofSeconds(5)).build(), V1);
        ScaleDecision d = invoked(s.onSignal(failure(V1, 3, clock)));
        clock.advance(Duration.ofMillis(6500));
        s.onWorkerEnded(d.group(), d.invocationIds().get(0), clock.instant(), true);
        assertTrue(s.tick().isEmpty(), "the worker served the 3 tasks before it went idle");
        assertEquals(0, s.status().get(0).backlog());
    }

    /**
     * 20 workers invoked for a burst and reported ready, then a steady 5 tasks/s keeps them "alive" in the model,
     * until the burst has left the 30 s add-rate window.
     */
    private ReactiveScaler twentyReadyWorkersOnATrickle() {
        ReactiveScaler s = scaler();
        ScaleDecision d = invoked(s.onSignal(failure(V1, 2000, clock)));
        assertEquals(20, d.count());
        for (String id : d.invocationIds()) {
            s.onWorkerReady(d.group(), id, clock.instant());
        }
        for (int t = 0; t < 31; t++) {
            clock.advance(Duration.ofSeconds(1));
            assertTrue(s.onSignal(observation(V1, 0, 5, 5, false, clock)).isEmpty());
        }
        assertEquals(20, s.status().get(0).live().ready());
        return s;
    }

    private static BacklogObservation backlogAged(long backlog, Duration age, TestClock clock) {
        return new BacklogObservation(V1, QUEUE, TaskQueueType.ACTIVITY, backlog, age, 5, 5, false, clock.instant(),
                Duration.ZERO);
    }

    @Test
    void aFailureWithNothingBackloggedEndsReadyWorkersTheDemandCouldNotKeepBusy() {
        ReactiveScaler s = twentyReadyWorkersOnATrickle();
        // 5 tasks/s keep one worker of 5 tasks/s fully busy; 20 are "ready" (5% busy), yet a task found no free
        // one: all but that one are gone, and the failure scales out.
        ScaleDecision d = invoked(s.onSignal(failure(V1, 1, clock)));
        GroupStatus st = s.status().get(0);
        assertEquals(1, st.live().ready());
        assertEquals(1, d.count());
        assertEquals(1, st.phantomsEnded());
    }

    @Test
    void aBacklogOlderThanReadyWorkersWouldAllowEndsThemToo() {
        ReactiveScaler s = twentyReadyWorkersOnATrickle();
        s.onSignal(backlogAged(30, Duration.ofSeconds(30), clock)); // 20 workers would clear 30 tasks in 0.3 s
        s.onSignal(failure(V1, 1, clock));
        assertEquals(1, s.status().get(0).phantomsEnded());
        // The 30 waiting tasks are taken out of the 5/s add rate (30 / 30 s): 4/s keeps no worker fully busy.
        assertEquals(0, s.status().get(0).live().ready());
    }

    @Test
    void aStuckBacklogSeenBeforeWorkersWereReadySaysNothingOfThem() {
        ReactiveScaler s = scaler();
        // A backlog that waited a minute (its workers left unseen, e.g. across a Temporal restart) and a trickle.
        ScaleDecision d = invoked(s.onSignal(new BacklogObservation(V1, QUEUE, TaskQueueType.ACTIVITY, 30,
                Duration.ofSeconds(60), 0.5, 0, false, clock.instant(), Duration.ZERO)));
        clock.advance(Duration.ofSeconds(2));
        for (String id : d.invocationIds()) {
            s.onWorkerReady(d.group(), id, clock.instant());
        }
        int ready = s.status().get(0).live().ready();
        assertEquals(d.count(), ready);
        clock.advance(Duration.ofSeconds(1));
        // Stats as of 5 s ago, before the new workers polled, still show the old backlog; a task fails to match
        // meanwhile. Nothing says the new workers are gone: they have not had the time to work the backlog off.
        s.onSignal(new BacklogObservation(V1, QUEUE, TaskQueueType.ACTIVITY, 30, Duration.ofSeconds(63), 0.5, 0,
                false, clock.instant(), Duration.ofSeconds(5)));
        assertTrue(s.onSignal(failure(V1, 1, clock)).isEmpty(), "no second fleet for the same backlog");
        assertEquals(0, s.status().get(0).phantomsEnded());
        assertEquals(ready, s.status().get(0).live().ready());

        // The same backlog, seen stuck second after second long after they were ready: now they are gone.
        for (int t = 1; t <= 30; t++) {
            clock.advance(Duration.ofSeconds(1));
            assertTrue(s.onSignal(new BacklogObservation(V1, QUEUE, TaskQueueType.ACTIVITY, 30,
                    Duration.ofSeconds(63 + t), 0.5, 0, false, clock.instant(), Duration.ofSeconds(5))).isEmpty());
        }
        assertEquals(ready, s.status().get(0).live().ready());
        assertEquals(DecisionReason.SCALE_FROM_ZERO, invoked(s.onSignal(failure(V1, 1, clock))).reason());
        assertEquals(1, s.status().get(0).phantomsEnded());
    }

    @Test
    void aYoungBacklogBeingDrainedIsNoSignOfPhantoms() {
        ReactiveScaler s = twentyReadyWorkersOnATrickle();
        s.onSignal(backlogAged(300, Duration.ofSeconds(2), clock));
        s.onSignal(failure(V1, 1, clock));
        assertEquals(0, s.status().get(0).phantomsEnded());
        assertEquals(20, s.status().get(0).live().ready());
    }

    /**
     * {@code workers} invoked for a burst and reported ready, then {@code rate} tasks/s observed for 31 s, until
     * the burst has left the 30 s add-rate window.
     */
    private ReactiveScaler readyWorkersAtARate(int workers, double rate) {
        ReactiveScaler s = scaler();
        ScaleDecision d = invoked(s.onSignal(failure(V1, 100L * workers, clock)));
        assertEquals(workers, d.count());
        for (String id : d.invocationIds()) {
            s.onWorkerReady(d.group(), id, clock.instant());
        }
        for (int t = 0; t < 31; t++) {
            clock.advance(Duration.ofSeconds(1));
            assertTrue(s.onSignal(observation(V1, 0, rate, rate, false, clock)).isEmpty());
        }
        assertEquals(workers, s.status().get(0).live().ready());
        return s;
    }

    @Test
    void aFailureEndsTheReadyWorkersOfALoadTooLightToFillThem() {
        // 5 tasks/s keep one 5 tasks/s worker busy: 4 ready ones would be 25% busy, below the 30% at which a
        // task could plausibly find all of them full. All but the one the load keeps busy are gone.
        ReactiveScaler s = readyWorkersAtARate(4, 5);
        s.onSignal(failure(V1, 1, clock));
        assertEquals(1, s.status().get(0).live().ready());
        assertEquals(1, s.status().get(0).phantomsEnded());
    }

    @Test
    void aFailureAtAPlausibleUtilizationIsNoSignOfPhantoms() {
        // 7 tasks/s on 4 workers of 5 tasks/s: 35% busy, a full fleet for a moment is plausible.
        ReactiveScaler s = readyWorkersAtARate(4, 7);
        s.onSignal(failure(V1, 1, clock));
        assertEquals(4, s.status().get(0).live().ready());
        assertEquals(0, s.status().get(0).phantomsEnded());
    }

    @Test
    void aFailureOnATrickleEndsEvenAFewReadyWorkers() {
        // After a spike the trickle of 0.2 tasks/s is spread over 2 workers, which both exited idle unseen.
        ReactiveScaler s = readyWorkersAtARate(2, 0.2);
        ScaleDecision d = invoked(s.onSignal(failure(V1, 1, clock)));
        assertEquals(0, s.status().get(0).live().ready());
        assertEquals(DecisionReason.SCALE_FROM_ZERO, d.reason());
    }

    @Test
    void readyWorkersKeepWhatTheyWorkOffDuringTheNewOnesColdStart() {
        ReactiveScaler s = scaler(Fixtures.policy().workerIdleExit(Duration.ZERO).build(), V1);
        ScaleDecision d = invoked(s.onSignal(failure(V1, 1000, clock)));
        assertEquals(10, d.count());
        clock.advance(Duration.ofSeconds(2));
        for (String id : d.invocationIds()) {
            s.onWorkerReady(d.group(), id, clock.instant()); // cold starts of 2 s, as estimated
        }
        clock.advance(Duration.ofSeconds(29));
        s.onSignal(observation(V1, 0, 0, 0, false, clock));
        clock.advance(Duration.ofSeconds(2));
        // 1 200 new tasks: the 10 ready workers take 100 of them while a new worker starts (2 s), so the new
        // ones face 1 100: 1 100 / 20 s / 5 = 11 workers, 1 more (not the 2 that 1 200 would say).
        ScaleDecision more = invoked(s.onSignal(failure(V1, 1200, clock)));
        assertEquals(11, more.inputs().desired());
        assertEquals(1, more.count());
    }

    @Test
    void addRatesOfAnActivityThatJustBeganCoverOnlyItsTime() {
        ReactiveScaler s = scaler();
        invoked(s.onSignal(failure(V1, 1, clock)));
        // A minute later its worker has exited idle: the queue is still loaded, its rate trackers count on.
        clock.advance(Duration.ofSeconds(60));
        invoked(s.onSignal(failure(V1, 1, clock)));
        clock.advance(Duration.ofSeconds(10));
        // Nothing arrived before this activity's first failure (minus a push batch): the 180 tasks of the 30 s
        // window came within 11 s.
        s.onSignal(observation(V1, 0, 6, 6, false, clock));
        assertEquals(180 / 11.0, s.status().get(0).arrivalRate(), 1e-9);
    }

    @Test
    void addRatesOfAQueueWhoseFirstTaskStartedTheServersTrackersAreNotDiluted() {
        ReactiveScaler s = scaler();
        invoked(s.onSignal(failure(V1, 1, clock)));
        clock.advance(Duration.ofSeconds(10));
        // The version's first task started Temporal's rate trackers: 6/s over the 11 s since, 66 tasks, not the
        // 180 of a 30 s window (read that way, 16.4/s).
        s.onSignal(observation(V1, 0, 6, 6, false, clock));
        assertEquals(6.0, s.status().get(0).arrivalRate(), 1e-9);
    }

    @Test
    void addRatesAfterAnIdleLongerThanTheServerKeepsAQueueLoadedAreNotDiluted() {
        ReactiveScaler s = scaler();
        invoked(s.onSignal(failure(V1, 1, clock)));
        // Six minutes idle: Temporal unloaded the queue (5 min), and its next task starts new trackers.
        clock.advance(Duration.ofMinutes(6));
        invoked(s.onSignal(failure(V1, 1, clock)));
        clock.advance(Duration.ofSeconds(10));
        s.onSignal(observation(V1, 0, 6, 6, false, clock));
        assertEquals(6.0, s.status().get(0).arrivalRate(), 1e-9);
    }

    @Test
    void whileNoWorkerIsReadyTheFailureStreamGivesTheArrivalRate() {
        ReactiveScaler s = scaler();
        invoked(s.onSignal(failure(V1, 1, clock)));
        clock.advanceMillis(500);
        assertTrue(s.onSignal(failure(V1, 10, clock)).isEmpty(), "two batches are no stream yet");
        clock.advanceMillis(500);
        ScaleDecision d = invoked(s.onSignal(failure(V1, 10, clock)));
        // 20 tasks in the 1 s after the first batch (which counts the time before it): 20/s. The 21 waiting
        // grow by 40 within a cold start: ((20 / 0.8) + 61 / 20) / 5 = 5.61 -> 6 workers; at the unproven default,
        // the backlog's share (61 / 20 / 5 -> 1) and 4 more: 5, 1 already starting.
        assertEquals(20.0, d.inputs().arrivalRate(), 1e-9);
        assertEquals(1 + Sizing.UNPROVEN_STREAM_WORKERS - 1, d.count());
    }

    @Test
    void onceTheThroughputIsMeasuredAFailureStreamOfASecondIsReadOverTwo() {
        ReactiveScaler s = scaler(Fixtures.policy().workerIdleExit(Duration.ZERO).throughputEwmaAlpha(1)
                .drainTarget(Duration.ofSeconds(1000)).build(), V1);
        ScaleDecision d = invoked(s.onSignal(failure(V1, 100, clock)));
        s.onWorkerReady(d.group(), d.invocationIds().get(0), clock.instant());
        clock.advance(Duration.ofSeconds(1));
        s.onSignal(observation(V1, 1000, 0, DISPATCHING, false, clock));
        clock.advance(Duration.ofSeconds(2));
        s.onSignal(observation(V1, 10, 0, DISPATCHING, false, clock));
        assertEquals(10, s.status().get(0).workerThroughput(), 1e-9, "measured");
        s.onWorkerEnded(d.group(), d.invocationIds().get(0), clock.instant(), true);
        clock.advance(Duration.ofMinutes(3)); // the failures and the observations above are forgotten
        s.onSignal(failure(V1, 1, clock));
        clock.advanceMillis(500);
        s.onSignal(failure(V1, 10, clock));
        clock.advanceMillis(500);
        ScaleDecision d2 = invoked(s.onSignal(failure(V1, 10, clock)));
        // No worker is ready: 20 tasks in the 1 s after the first batch, read over 2 s (at the default, 20/s:
        // whileNoWorkerIsReadyTheFailureStreamGivesTheArrivalRate).
        assertEquals(10.0, d2.inputs().arrivalRate(), 1e-9);
        assertEquals(10.0, s.status().get(0).arrivalRate(), 1e-9);
    }

    @Test
    void aBurstBatchInTheFailureStreamIsBacklogNotRate() {
        ReactiveScaler s = scaler();
        invoked(s.onSignal(failure(V1, 1000, clock)));
        clock.advanceMillis(500);
        s.onSignal(failure(V1, 1, clock));
        clock.advanceMillis(500);
        s.onSignal(failure(V1, 1, clock));
        assertEquals(2.0, s.status().get(0).arrivalRate(), 1e-9);
    }

    @Test
    void reportedWorkerExitEndsItAtOnce() {
        ReactiveScaler s = scaler(Fixtures.policy().workerIdleExit(Duration.ZERO).build(), V1);
        ScaleDecision d = invoked(s.onSignal(failure(V1, 1, clock)));
        clock.advance(Duration.ofSeconds(1));
        s.onWorkerEnded(d.group(), d.invocationIds().get(0), clock.instant(), false);
        assertEquals(1, s.status().get(0).backlog(), "a crash is no proof the task was served");
        assertEquals(DecisionReason.SCALE_FROM_ZERO, invoked(s.onSignal(failure(V1, 1, clock))).reason());
    }

    @Test
    void failedInvocationLeavesTheLedgerAndReturnsItsBudget() {
        ReactiveScaler s = scaler(Fixtures.policy().budgetPerVersion(10_000).build(), V1);
        ScaleDecision d = invoked(s.onSignal(failure(V1, 1, clock)));
        assertEquals(10_000 - 900, s.status().get(0).budgetRemaining(), 1e-6);
        s.onInvocationResult(d, new InvocationResult.Failed(d.invocationIds().get(0),
                ComputeFailure.of(FailureClass.INTERNAL, "boom")));
        GroupStatus st = s.status().get(0);
        assertEquals(0, st.ledgerSize());
        assertEquals(0, s.totalLive());
        assertEquals(10_000, st.budgetRemaining(), 1e-6);
        assertNull(st.backoffUntil(), "an internal error does not back off");
        invoked(s.onSignal(failure(V1, 1, clock)));
    }

    @Test
    void throttleBacksOffAtLeastTheRetryAfterThenResumes() {
        ReactiveScaler s = scaler();
        ScaleDecision d = invoked(s.onSignal(failure(V1, 1, clock)));
        s.onInvocationResult(d, new InvocationResult.Failed(d.invocationIds().get(0),
                ComputeFailure.throttled("ConcurrentInvocationLimitExceeded", Duration.ofSeconds(3), "slow down")));
        assertEquals(clock.instant().plusSeconds(3), s.status().get(0).backoffUntil());
        clock.advance(Duration.ofSeconds(1));
        assertTrue(s.onSignal(failure(V1, 1, clock)).isEmpty());
        ScaleDecision hold = audit.recent().get(audit.recent().size() - 1);
        assertEquals(DecisionReason.LIMITED, hold.reason());
        assertEquals(LimitKind.THROTTLE_BACKOFF, hold.trims().get(0).limit());
        clock.advance(Duration.ofMillis(1999));
        assertTrue(s.tick().isEmpty());
        clock.advance(Duration.ofMillis(1));
        assertEquals(1, s.tick().size());
    }

    @Test
    void aFullAccountIsProbedAgainWithinFiveSecondsHoweverOftenItThrottled() {
        // Default policy: backoff 1 s base, 60 s max, 20 % jitter. Each probe meets a full account.
        ReactiveScaler s = scaler();
        List<Duration> waits = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ScaleDecision probe = invoked(s.onSignal(failure(V1, 1, clock)));
            Duration wait = s.onInvocationResults(probe, List.of(new InvocationResult.Failed(
                    probe.invocationIds().get(0), ComputeFailure.throttled("ConcurrentInvocationLimitExceeded",
                            Duration.ofSeconds(1), "account concurrency reached")))).orElseThrow();
            waits.add(wait);
            clock.advance(wait);
        }
        // 1, 2, 4 s, then never more than 5 s (+ 20 % jitter): the exponential step would reach 8, 16, 32, 60 s.
        assertTrue(waits.stream().allMatch(w -> w.toMillis() <= 6_000), "waits " + waits);
        assertTrue(waits.get(7).toMillis() >= 5_000, "still backing off: " + waits);
        // Another throttle (a rate, not a full account) backs off exponentially as before.
        ScaleDecision probe = invoked(s.onSignal(failure(V1, 1, clock)));
        Duration wait = s.onInvocationResults(probe, List.of(new InvocationResult.Failed(probe.invocationIds().get(0),
                ComputeFailure.throttled("CallerRateLimitExceeded", null, "rate")))).orElseThrow();
        assertTrue(wait.toMillis() >= 60_000, "exponential for a rate throttle: " + wait);
    }

    @Test
    void invalidTargetIsNotInvokedUntilItValidatesAgain() {
        ReactiveScaler s = scaler();
        ScaleDecision d = invoked(s.onSignal(failure(V1, 1, clock)));
        s.onInvocationResult(d, new InvocationResult.Failed(d.invocationIds().get(0),
                ComputeFailure.of(FailureClass.NOT_FOUND, "Function not found")));
        assertEquals(FailureClass.NOT_FOUND, s.status().get(0).circuitOpenedBy().failureClass());
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(30));
            assertTrue(s.onSignal(failure(V1, 100, clock)).isEmpty());
            assertTrue(s.tick().isEmpty());
        }
        s.onValidation(d.group(), new TargetValidation.Valid(FACTS, List.of(), clock.instant()));
        assertNotNull(s.status().get(0).circuitOpenedBy(), "a passing validation alone does not close it");
        ScaleDecision probe = invoked(s.onSignal(failure(V1, 100, clock)));
        assertEquals(1, probe.count(), "one probe");
        assertEquals(LimitKind.CIRCUIT_HALF_OPEN, probe.trims().get(0).limit());
        assertNull(s.status().get(0).circuitOpenedBy());
        assertEquals("HALF_OPEN", s.status().get(0).circuit());
        accept(s, probe);
        assertEquals("RAMPING", s.status().get(0).circuit());
    }

    @Test
    void failedValidationOpensTheCircuit() {
        ReactiveScaler s = scaler();
        s.onValidation(Fixtures.group(V1).id(), new TargetValidation.Invalid(
                ComputeFailure.of(FailureClass.ACCESS_DENIED, "no lambda:InvokeFunction"), clock.instant()));
        assertTrue(s.onSignal(failure(V1, 1, clock)).isEmpty());
        assertEquals(LimitKind.CIRCUIT_OPEN, audit.recent().get(0).trims().get(0).limit());
    }

    @Test
    void aValidationThatCouldNotReachTheControlPlaneLeavesTheTargetUsable() {
        ReactiveScaler s = scaler();
        s.onValidation(Fixtures.group(V1).id(), new TargetValidation.Invalid(
                ComputeFailure.of(FailureClass.THROTTLED, "Rate exceeded"), clock.instant()));
        assertNull(s.status().get(0).circuitOpenedBy());
        invoked(s.onSignal(failure(V1, 1, clock)));
    }

    @Test
    void capsPerVersionAndInTotalTrimAndSaySo() {
        ReactiveScaler s = scaler(Fixtures.policy().maxWorkersPerVersion(3).maxWorkersTotal(4).build(), V1, V2);
        ScaleDecision d1 = invoked(s.onSignal(failure(V1, 1000, clock)));
        assertEquals(3, d1.count());
        assertEquals(10, d1.requested());
        assertEquals(LimitKind.VERSION_CAP, d1.trims().get(0).limit());
        ScaleDecision d2 = invoked(s.onSignal(failure(V2, 1000, clock)));
        assertEquals(1, d2.count());
        assertEquals(List.of(LimitKind.VERSION_CAP, LimitKind.TOTAL_CAP),
                d2.trims().stream().map(t -> t.limit()).toList());
        assertEquals(4, s.totalLive());
        assertTrue(s.onSignal(failure(V2, 1000, clock)).isEmpty());
    }

    @Test
    void groupsShortOfWorkersShareTheTotalCapEvenly() {
        ReactiveScaler s = scaler(Fixtures.policy().maxWorkersTotal(12).build(), V1, V2);
        assertEquals(1, invoked(s.onSignal(failure(V1, 1, clock))).count());
        assertEquals(1, invoked(s.onSignal(failure(V2, 1, clock))).count());
        clock.advanceMillis(500);
        // V1 decides first on a burst that asks for the whole room; V2's tasks failed too, so V1 takes its even
        // share (12 / 2) and leaves V2's.
        ScaleDecision d1 = invoked(s.onSignal(failure(V1, 1000, clock)));
        assertEquals(5, d1.count());
        assertEquals(LimitKind.TOTAL_CAP, d1.trims().get(d1.trims().size() - 1).limit());
        ScaleDecision d2 = invoked(s.onSignal(failure(V2, 1000, clock)));
        assertEquals(5, d2.count());
        assertEquals(12, s.totalLive());
    }

    @Test
    void aClaimOnTheTotalCapLapsesOnceTheGroupsTasksStopFailing() {
        ReactiveScaler s = scaler(Fixtures.policy().maxWorkersTotal(8).build(), V1, V2);
        assertEquals(1, invoked(s.onSignal(failure(V1, 1, clock))).count());
        assertEquals(1, invoked(s.onSignal(failure(V2, 1, clock))).count());
        clock.advanceMillis(11_000);
        // V2's last failure is older than the failure window: it claims nothing, V1 takes the whole room (with V2's
        // claim it would take 3: its share of 4 less its worker).
        invoked(s.onSignal(failure(V1, 1000, clock)));
        assertEquals(8, s.totalLive());
    }

    @Test
    void anUnregisteredGroupHoldsNoClaimOnTheTotalCap() {
        ReactiveScaler s = scaler(Fixtures.policy().maxWorkersTotal(8).build(), V1, V2);
        assertEquals(1, invoked(s.onSignal(failure(V1, 1, clock))).count());
        assertEquals(1, invoked(s.onSignal(failure(V2, 1, clock))).count());
        s.unregister(group(V2).id());
        clock.advanceMillis(500);
        // V2's worker left the total with its group, and its claim went too (kept, V1 would get 4).
        ScaleDecision d = invoked(s.onSignal(failure(V1, 1000, clock)));
        assertEquals(7, d.count());
    }

    @Test
    void invokeRateTrimsAndRefillsOverTime() {
        ReactiveScaler s = scaler(Fixtures.policy().invokeRatePerTarget(1).invokeBurstPerTarget(2).build(), V1);
        ScaleDecision d = invoked(s.onSignal(failure(V1, 1000, clock)));
        assertEquals(2, d.count());
        assertEquals(LimitKind.INVOKE_RATE, d.trims().get(0).limit());
        clock.advanceMillis(999);
        assertTrue(s.tick().isEmpty());
        clock.advanceMillis(1);
        assertEquals(1, s.tick().get(0).count());
    }

    @Test
    void budgetStopsInvokesAndTheWindowRolls() {
        // 900 s timeout: each worker is charged 900 worker-seconds; 2000 allow 2.
        ReactiveScaler s = scaler(Fixtures.policy().budgetPerVersion(2000)
                .workerIdleExit(Duration.ZERO).build(), new DeploymentVersion[0]);
        s.register(group(V1), FACTS);
        ScaleDecision d = invoked(s.onSignal(failure(V1, 1000, clock)));
        assertEquals(2, d.count());
        assertEquals(LimitKind.VERSION_BUDGET, d.trims().get(0).limit());
        clock.advance(Duration.ofMinutes(30));
        assertTrue(s.onSignal(failure(V1, 1000, clock)).isEmpty());
        assertEquals(LimitKind.VERSION_BUDGET, audit.recent().get(audit.recent().size() - 1).trims().get(0).limit());
        clock.advance(Duration.ofMinutes(31));
        assertEquals(2, invoked(s.onSignal(failure(V1, 1000, clock))).count());
    }

    @Test
    void totalBudgetAppliesAcrossVersions() {
        ReactiveScaler s = scaler(Fixtures.policy().budgetTotal(2700).build(), V1, V2);
        assertEquals(2, invoked(s.onSignal(failure(V1, 200, clock))).count());
        ScaleDecision d2 = invoked(s.onSignal(failure(V2, 200, clock)));
        assertEquals(1, d2.count());
        assertEquals(LimitKind.TOTAL_BUDGET, d2.trims().get(0).limit());
    }

    @Test
    void workersEndingEarlyRefundTheirUnusedBudget() {
        ReactiveScaler s = scaler(Fixtures.policy().budgetPerVersion(1800).workerIdleExit(Duration.ZERO).build(),
                V1);
        ScaleDecision d = invoked(s.onSignal(failure(V1, 1, clock)));
        accept(s, d);
        clock.advance(Duration.ofSeconds(10));
        s.onWorkerEnded(d.group(), d.invocationIds().get(0), clock.instant(), true);
        assertTrue(s.tick().isEmpty());
        assertEquals(1800 - 10, s.status().get(0).budgetRemaining(), 1e-6);
    }

    @Test
    void learnsThroughputFromHowFastASaturatedBacklogDrains() {
        // A long drain target: the observed backlog stays covered, so the fleet does not change.
        ReactiveScaler s = scaler(Fixtures.policy().workerIdleExit(Duration.ZERO).drainTarget(Duration.ofSeconds(60))
                .build(), V1);
        ScaleDecision d = invoked(s.onSignal(failure(V1, 600, clock)));
        assertEquals(2, d.count());
        for (String id : d.invocationIds()) {
            s.onWorkerReady(d.group(), id, clock.instant());
        }
        clock.advance(Duration.ofSeconds(1));
        s.onSignal(observation(V1, 300, 0, DISPATCHING, false, clock));
        clock.advance(Duration.ofSeconds(10));
        // 2 ready workers worked off 200 tasks in 10 s: 10 tasks/s each; the EWMA (0.3) moves 5 toward 10.
        s.onSignal(observation(V1, 100, 0, DISPATCHING, false, clock));
        assertEquals(0.7 * 5 + 0.3 * 10, s.status().get(0).workerThroughput(), 1e-9);
    }

    @Test
    void oneSampleMovesThroughputAtMostByDoubleOrHalf() {
        ReactiveScaler s = scaler(Fixtures.policy().workerIdleExit(Duration.ZERO).throughputEwmaAlpha(1)
                .drainTarget(Duration.ofSeconds(1000)).build(), V1);
        ScaleDecision d = invoked(s.onSignal(failure(V1, 100, clock)));
        s.onWorkerReady(d.group(), d.invocationIds().get(0), clock.instant());
        clock.advance(Duration.ofSeconds(1));
        s.onSignal(observation(V1, 1000, 0, DISPATCHING, false, clock));
        clock.advance(Duration.ofSeconds(2));
        s.onSignal(observation(V1, 10, 0, DISPATCHING, false, clock)); // 990 tasks in 2 s by one worker: implausible
        assertEquals(10, s.status().get(0).workerThroughput(), 1e-9);
    }

    @Test
    void doesNotLearnThroughputWhileTheFleetChanged() {
        ReactiveScaler s = scaler(Fixtures.policy().workerIdleExit(Duration.ZERO).drainTarget(Duration.ofSeconds(60))
                .build(), V1);
        ScaleDecision d = invoked(s.onSignal(failure(V1, 600, clock)));
        s.onWorkerReady(d.group(), d.invocationIds().get(0), clock.instant());
        clock.advance(Duration.ofSeconds(1));
        s.onSignal(observation(V1, 300, 0, DISPATCHING, false, clock));
        clock.advance(Duration.ofSeconds(5));
        s.onWorkerReady(d.group(), d.invocationIds().get(1), clock.instant()); // the second joins midway
        clock.advance(Duration.ofSeconds(5));
        s.onSignal(observation(V1, 100, 0, DISPATCHING, false, clock));
        assertEquals(5.0, s.status().get(0).workerThroughput(), 1e-9);
    }

    /** An observation made now describing the queue {@code stalenessS} ago, with no add rate, tasks dispatched. */
    private BacklogObservation staleBacklog(long backlog, int stalenessS) {
        return new BacklogObservation(V1, QUEUE, TaskQueueType.ACTIVITY, backlog, Duration.ofSeconds(1), 0, DISPATCHING,
                false,
                clock.instant(), Duration.ofSeconds(stalenessS));
    }

    /** Two workers reported ready at time zero for a huge backlog, with a drain target that keeps them two. */
    private ReactiveScaler twoReadyWorkersOnALongDrain() {
        ReactiveScaler s = scaler(Fixtures.policy().workerIdleExit(Duration.ZERO).drainTarget(Duration.ofSeconds(1000))
                .build(), V1);
        ScaleDecision d = invoked(s.onSignal(failure(V1, 10_000, clock)));
        assertEquals(2, d.count());
        for (String id : d.invocationIds()) {
            s.onWorkerReady(d.group(), id, clock.instant());
        }
        return s;
    }

    @Test
    void learnsThroughputCountingTheFailuresOfTheWindowAsItsArrivals() {
        ReactiveScaler s = twoReadyWorkersOnALongDrain();
        clock.advance(Duration.ofSeconds(1));
        s.onSignal(staleBacklog(300, 0)); // 300 waiting as of 1 s
        clock.advance(Duration.ofMillis(1500));
        for (int i = 0; i < 10; i++) { // 50 tasks arrive, from 2.5 s to 11.5 s, and all fail to match
            assertTrue(s.onSignal(failure(V1, 5, clock)).isEmpty());
            clock.advance(Duration.ofSeconds(1));
        }
        clock.advance(Duration.ofMillis(3500));
        s.onSignal(staleBacklog(150, 5)); // 150 waiting as of 11 s
        // 300 - 150 + 50 = 200 tasks done by 2 workers in 10 s: 10 tasks/s each; the EWMA (0.3) moves 5 toward it.
        assertEquals(0.7 * 5 + 0.3 * 10, s.status().get(0).workerThroughput(), 1e-9);
    }

    @Test
    void doesNotLearnThroughputFromABacklogTheFleetCouldHaveEmptied() {
        ReactiveScaler s = twoReadyWorkersOnALongDrain();
        clock.advance(Duration.ofSeconds(1));
        s.onSignal(staleBacklog(60, 0));
        clock.advance(Duration.ofSeconds(10));
        // 2 workers of 5 tasks/s take 100 tasks in 10 s: the 60 may have run out midway, and the 10 waiting now
        // may have come since. Idle slots are no measure of a worker's speed.
        s.onSignal(staleBacklog(10, 0));
        assertEquals(5.0, s.status().get(0).workerThroughput(), 1e-9);
    }

    @Test
    void learnsColdStartFromReadyReports() {
        ReactiveScaler s = scaler();
        ScaleDecision d = invoked(s.onSignal(failure(V1, 1, clock)));
        clock.advance(Duration.ofSeconds(1));
        s.onWorkerReady(d.group(), d.invocationIds().get(0), clock.instant());
        assertEquals(1700, s.status().get(0).coldStartMillis());
    }

    @Test
    void aSlowStartMovesTheColdStartEstimateByTwiceItAtMost() {
        ReactiveScaler s = scaler();
        ScaleDecision d = invoked(s.onSignal(failure(V1, 1, clock)));
        clock.advance(Duration.ofSeconds(60)); // 30 times the 2 s estimate
        s.onWorkerReady(d.group(), d.invocationIds().get(0), clock.instant());
        assertEquals(Math.round(0.7 * 2000 + 0.3 * 4000), s.status().get(0).coldStartMillis());
    }

    @Test
    void signalsForUnknownVersionsOrTypesAreIgnoredAndCounted() {
        ReactiveScaler s = scaler(Fixtures.POLICY, new DeploymentVersion[0]);
        s.register(new dev.wci.core.version.ScalingGroup(dev.wci.core.version.ScalingGroupId.defaultFor(V1),
                java.util.Set.of(TaskQueueType.WORKFLOW), Fixtures.target(V1)), FACTS);
        assertTrue(s.onSignal(failure(V2, 1, clock)).isEmpty());
        assertTrue(s.onSignal(failure(V1, 1, clock)).isEmpty(), "activity tasks are not this group's");
        assertEquals(2, s.ignoredSignals());
        invoked(s.onSignal(new SyncMatchFailure(V1, QUEUE, TaskQueueType.WORKFLOW, 1, 0, clock.instant(),
                Origin.PUSH)));
    }

    @Test
    void unregisteredGroupLeavesTheTotal() {
        ReactiveScaler s = scaler(Fixtures.POLICY, V1, V2);
        invoked(s.onSignal(failure(V1, 1000, clock)));
        invoked(s.onSignal(failure(V2, 1, clock)));
        assertEquals(11, s.totalLive());
        s.unregister(group(V1).id());
        assertEquals(1, s.totalLive());
        assertEquals(1, s.status().size());
    }

    @Test
    void growthIsBoundedByTheTasksTheNewWorkersCanFind() {
        // Long tasks: 0.05 tasks/s per worker. 5 waiting and ~3.8/s arriving would size a hundred workers, but
        // workers invoked now find at most the backlog plus one cold start (2 s) of arrivals when they are ready.
        ReactiveScaler s = scaler(Fixtures.policy().defaultWorkerThroughput(0.05).build(), V1);
        // The queue had work a minute ago (its worker has exited idle since): Temporal's rate trackers run on, and
        // their add rate is a 30 s window's.
        invoked(s.onSignal(failure(V1, 1, clock)));
        clock.advance(Duration.ofSeconds(60));
        // A first worker has started (in 2 s): the cold start is learned, not the default.
        ScaleDecision first = invoked(s.onSignal(failure(V1, 1, clock)));
        clock.advance(Duration.ofSeconds(2));
        s.onWorkerReady(first.group(), first.invocationIds().get(0), clock.instant());
        ScaleDecision d = invoked(s.onSignal(observation(V1, 5, 4.0, 0, false, clock)));
        assertTrue(d.inputs().desired() > d.count(), d.toString());
        assertEquals((int) Math.ceil(d.inputs().backlog() + d.inputs().arrivalRate() * 2), d.count(), d.toString());
        // While they start, more of the same demand starts no more.
        clock.advance(Duration.ofMillis(500));
        assertTrue(s.tick().isEmpty());
    }

    /**
     * One worker started for 10 failed tasks and ready 2 s later; stats read 11 s and 13 s after that (stats may be
     * cached up to 10 s: only those read 10 s after the worker was ready surely describe it) show the backlog growing
     * from 10 to 12 at an add rate of 0.2/s while the queue dispatches {@code dispatchRate} tasks/s over its 30 s
     * window. Returns the decision on the second picture.
     */
    private ScaleDecision oneReadyWorkerUnderAGrowingBacklog(double dispatchRate) {
        // Busy workers do not exit idle; idle exit off keeps the fleet the test's own.
        ReactiveScaler s = scaler(Fixtures.policy().workerIdleExit(Duration.ZERO).build(), V1);
        ScaleDecision first = invoked(s.onSignal(failure(V1, 10, clock)));
        assertEquals(1, first.count());
        accept(s, first);
        clock.advance(Duration.ofSeconds(2));
        s.onWorkerReady(first.group(), first.invocationIds().get(0), clock.instant());
        clock.advance(Duration.ofSeconds(11));
        assertTrue(s.onSignal(observation(V1, 10, 0.2, dispatchRate, false, clock)).isEmpty());
        clock.advance(Duration.ofSeconds(2));
        return invoked(s.onSignal(observation(V1, 12, 0.2, dispatchRate, false, clock)));
    }

    @Test
    void aBacklogThatKeepsGrowingUnderAReadyFleetGetsMoreWorkersWhateverTheEstimateSays() {
        // The estimate (5 tasks/s per worker) says one worker is plenty; the worker really does far less.
        ScaleDecision more = oneReadyWorkerUnderAGrowingBacklog(0.05);
        // The trend wins: the estimate moves toward what the saturated worker dispatches (0.05/s), halved at most
        // per judgement, and the fleet grows even though the estimate still says one worker does.
        assertEquals(2.5, more.inputs().workerThroughput(), 1e-9, more.toString());
        assertEquals(DecisionReason.BACKLOG_TREND, more.reason(), more.toString());
        assertEquals(1, more.count(), more.toString());
    }

    @Test
    void theTrendJudgesTheDispatchRatePerWorkerSecondOfReadinessInItsWindow() {
        // As above, but the worker dispatches 2.5 tasks/s over Temporal's 30 s window, of which it was ready for only
        // the last 13 s: 5.8 per ready second, not the 2.5 per worker ready now that would halve the estimate (and
        // stay, as a measure). The backlog still grows, so the fleet still grows; the estimate stays.
        ScaleDecision more = oneReadyWorkerUnderAGrowingBacklog(2.5);
        assertEquals(DecisionReason.BACKLOG_TREND, more.reason(), more.toString());
        assertEquals(5.0, more.inputs().workerThroughput(), 1e-9, more.toString());
    }

    @Test
    void beforeAnyWorkerServesAFastStreamGetsTheBacklogsShareAndAFewWorkersNotTheDefaultsWholeFleet() {
        // 50 tasks fail every 0.5 s (100/s) while the first worker starts. At the default 5/s per worker the stream
        // alone would ask for 25 workers; nothing has shown the default right (tasks of 30 ms on 30 slots do 1 000/s).
        ReactiveScaler s = scaler();
        List<ScaleDecision> early = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            s.onSignal(failure(V1, 50, clock)).filter(ScaleDecision::invokes).ifPresent(d -> {
                accept(s, d);
                early.add(d);
            });
            clock.advance(Duration.ofMillis(500));
        }
        ScaleDecision last = early.get(early.size() - 1);
        assertTrue(last.inputs().arrivalRate() >= 50, last.toString());
        // 200 waiting + 2 s of arrivals = 400 when ready: 4 workers drain them in the 20 s target; 4 more at most.
        int invoked = early.stream().mapToInt(ScaleDecision::count).sum();
        assertEquals(4 + Sizing.UNPROVEN_STREAM_WORKERS, invoked, early.toString());

        // A task failing to match while a worker is ready shows the default's fleet short: the stream is sized too.
        for (ScaleDecision d : early) {
            for (String id : d.invocationIds()) {
                s.onWorkerReady(d.group(), id, clock.instant());
            }
        }
        clock.advance(Duration.ofMillis(1_500));
        ScaleDecision full = null;
        for (int i = 0; i < 20 && full == null; i++) {
            full = s.onSignal(failure(V1, 50, clock)).filter(d -> d.inputs().desired() > 20).orElse(null);
            clock.advance(Duration.ofMillis(500));
        }
        assertNotNull(full, "the stream's share is sized once tasks failed on and on with a worker ready");
    }

    @Test
    void aTaskFailingNowAndThenWhileAWorkerIsReadyDoesNotProveTheDefaultShort() {
        // One worker ready for a while; the stats say 100 tasks/s arrive and none waits. At a healthy utilization
        // a task fails to match now and then (every slot busy at that moment): that is no proof that the default
        // 5/s is right, and the stream's share stays capped (fast tasks may need one worker for all of them).
        ReactiveScaler s = scaler(Fixtures.policy().workerIdleExit(Duration.ZERO).build(), V1);
        List<ScaleDecision> all = new ArrayList<>();
        ScaleDecision first = invoked(s.onSignal(failure(V1, 1, clock)));
        accept(s, first);
        clock.advance(Duration.ofSeconds(2));
        s.onWorkerReady(first.group(), first.invocationIds().get(0), clock.instant());
        clock.advance(Duration.ofSeconds(6));
        for (int i = 0; i < 3; i++) {
            // Lone failures 11 s apart (more than the failure window): each one a busy moment, not a short fleet.
            s.onSignal(failure(V1, 1, clock)).filter(ScaleDecision::invokes).ifPresent(d -> {
                accept(s, d);
                all.add(d);
            });
            clock.advance(Duration.ofMillis(500));
            s.onSignal(observation(V1, 0, 100, 100, false, clock)).filter(ScaleDecision::invokes).ifPresent(d -> {
                accept(s, d);
                all.add(d);
            });
            clock.advance(Duration.ofMillis(10_500));
        }
        // The backlog's share (a cold start of arrivals) and 4 more, not the stream's ~80 workers at the default.
        assertFalse(all.isEmpty());
        assertTrue(all.stream().allMatch(d -> d.inputs().desired() <= 20), all.toString());

        // Failures on and on with a worker ready for the sustained span, more than a fifth of the arrivals (else the
        // fleet serves nearly every arrival and gets a worker per failure batch, ServedFleetTest): the fleet is
        // short, the stream is sized.
        ScaleDecision full = null;
        for (int i = 0; i <= ReactiveScaler.SUSTAINED_FAILURE_MILLIS / 500 && full == null; i++) {
            full = s.onSignal(failure(V1, 15, clock)).filter(d -> d.inputs().desired() > 20).orElse(null);
            clock.advance(Duration.ofMillis(500));
        }
        assertNotNull(full, "the stream's share is sized once tasks failed on and on with a worker ready");
    }

    @Test
    void withoutDispatchAGrowingBacklogSaysNothingOfTheWorkersSpeed() {
        ReactiveScaler s = scaler();
        ScaleDecision first = invoked(s.onSignal(failure(V1, 10, clock)));
        accept(s, first);
        clock.advance(Duration.ofSeconds(2));
        s.onWorkerReady(first.group(), first.invocationIds().get(0), clock.instant());
        clock.advance(Duration.ofSeconds(1));
        s.onSignal(observation(V1, 10, 0.2, 0, false, clock));
        clock.advance(Duration.ofSeconds(2));
        // Nothing dispatched: the worker is gone or serves another version; the trend rule stays out of it.
        assertTrue(s.onSignal(observation(V1, 12, 0.2, 0, false, clock)).isEmpty());
    }

    /** One worker, ready for a while, no backlog in the stats: the fleet the estimates find sufficient. */
    private ReactiveScaler oneWorkerReadyForAWhile() {
        ReactiveScaler s = scaler(Fixtures.policy().workerIdleExit(Duration.ZERO).build(), V1);
        ScaleDecision d = invoked(s.onSignal(failure(V1, 1, clock)));
        accept(s, d);
        clock.advance(Duration.ofSeconds(1));
        s.onWorkerReady(d.group(), d.invocationIds().get(0), clock.instant());
        clock.advance(Duration.ofSeconds(10));
        s.onSignal(observation(V1, 0, 0.1, 0.1, false, clock));
        clock.advance(Duration.ofSeconds(2)); // failures after what the stats describe
        return s;
    }

    @Test
    void aTaskFailingWhileEveryWorkerIsReadyAddsOneWorkerWhateverTheEstimates() {
        ReactiveScaler s = oneWorkerReadyForAWhile();
        ScaleDecision d = invoked(s.onSignal(failure(V1, 1, clock)));
        assertEquals(DecisionReason.UNMATCHED, d.reason());
        assertEquals(1, d.count());
        assertEquals(1, d.inputs().sizing().grow());
        assertEquals(1, d.inputs().desired(), "the estimates alone find one worker enough");
        assertTrue(s.onSignal(failure(V1, 1, clock)).isEmpty(), "one worker already starts for one unmatched task");
        assertEquals(DecisionReason.UNMATCHED, invoked(s.onSignal(failure(V1, 2, clock))).reason(),
                "two tasks failed with one worker starting");
    }

    @Test
    void aFailureExplainedByAKnownBacklogOrAWorkerJustReadyAddsNothing() {
        ReactiveScaler s = oneWorkerReadyForAWhile();
        s.onSignal(observation(V1, 1, 0.1, 0.1, false, clock));
        clock.advance(Duration.ofSeconds(2));
        assertTrue(s.onSignal(failure(V1, 1, clock)).isEmpty(), "while tasks wait every arrival fails");

        ReactiveScaler fresh = scaler(Fixtures.policy().workerIdleExit(Duration.ZERO).build(), V1);
        ScaleDecision d = invoked(fresh.onSignal(failure(V1, 1, clock)));
        accept(fresh, d);
        clock.advance(Duration.ofSeconds(1));
        fresh.onWorkerReady(d.group(), d.invocationIds().get(0), clock.instant());
        clock.advance(Duration.ofSeconds(1));
        assertTrue(fresh.onSignal(failure(V1, 1, clock)).isEmpty(),
                "the worker ready a second ago may have taken it (a push signal is up to a second late)");
    }
}
