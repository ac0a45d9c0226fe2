package dev.wci.core.scaling;

import static dev.wci.core.testing.Fixtures.FACTS;
import static dev.wci.core.testing.Fixtures.QUEUE;
import static dev.wci.core.testing.Fixtures.V1;
import static dev.wci.core.testing.Fixtures.failure;
import static dev.wci.core.testing.Fixtures.group;
import static dev.wci.core.testing.Fixtures.observation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.audit.DecisionAudit;
import dev.wci.core.census.CensusSnapshot;
import dev.wci.core.census.CensusStatus;
import dev.wci.core.census.CensusWorker;
import dev.wci.core.census.SlotLoad;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.compute.TargetFacts;
import dev.wci.core.limits.Limits;
import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.testing.Fixtures;
import dev.wci.core.testing.TestClock;
import dev.wci.core.version.ScalingGroupId;
import dev.wci.core.version.TaskQueueType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ledger fed by the worker census, and the model as its fallback. */
class CensusLedgerTest {

    private static final String ARN = Fixtures.target(V1).address();

    private final TestClock clock = new TestClock();
    private final Instant t0 = clock.instant();
    private final DecisionAudit audit = new DecisionAudit(100);
    private final List<String> events = new ArrayList<>();
    private final ScalerObserver observer = new ScalerObserver() {
        @Override
        public void workerSeen(ScalingGroupId group, String invocationId, Duration coldStart) {
            events.add("seen " + invocationId + " " + coldStart.toMillis());
        }

        @Override
        public void workerAdopted(ScalingGroupId group, String identity) {
            events.add("adopted " + identity);
        }

        @Override
        public void failedStart(ScalingGroupId group, String invocationId, String requestId, Duration unseenFor) {
            events.add("failed " + invocationId + " " + requestId + " " + unseenFor.toSeconds());
        }
    };

    private ReactiveScaler scaler(ScalingPolicy policy) {
        AtomicLong ids = new AtomicLong();
        ReactiveScaler s = new ReactiveScaler(policy, new Limits(policy, new SplittableRandom(7)), audit, clock,
                () -> "inv-" + ids.incrementAndGet(), CensusPolicy.defaults(), observer);
        s.register(group(V1), FACTS);
        return s;
    }

    private ReactiveScaler scaler() {
        return scaler(Fixtures.POLICY);
    }

    private static CensusWorker worker(String requestId, CensusStatus status, Instant startedAt) {
        return new CensusWorker(requestId + "@" + ARN, status, startedAt, null);
    }

    private static CensusWorker running(String requestId) {
        return worker(requestId, CensusStatus.RUNNING, null);
    }

    private void census(ReactiveScaler s, CensusWorker... workers) {
        s.onCensus(new CensusSnapshot(V1, clock.instant(), List.of(workers)));
    }

    /** Invokes for {@code tasks} failed tasks; the provider accepts each invocation under request id "req-" + id. */
    private ScaleDecision invokeAndAccept(ReactiveScaler s, long tasks) {
        ScaleDecision d = invoked(s.onSignal(failure(V1, tasks, clock)));
        for (String id : d.invocationIds()) {
            s.onInvocationResult(d, new InvocationResult.Accepted(id, clock.instant(), "req-" + id));
        }
        return d;
    }

    private static ScaleDecision invoked(Optional<ScaleDecision> d) {
        assertTrue(d.isPresent() && d.get().invokes(), "expected an invoking decision, got " + d);
        return d.get();
    }

    private static GroupStatus status(ReactiveScaler s) {
        return s.status().get(0);
    }

    private void advance(int seconds) {
        clock.advance(Duration.ofSeconds(seconds));
    }

    @Test
    void aWorkerTheCensusListsIsReadyAndTeachesTheColdStart() {
        ReactiveScaler s = scaler();
        census(s);
        invokeAndAccept(s, 1);
        advance(5);
        census(s);
        // The model would call it ready 2 s after the invoke; unseen, it is still starting.
        assertEquals(new LiveWorkers(1, 0, 0), status(s).live());
        advance(6);
        census(s, worker("req-inv-1", CensusStatus.RUNNING, t0.plusSeconds(10)));
        assertEquals(new LiveWorkers(0, 1, 0), status(s).live());
        // Ready when it started (10 s after the invoke): the estimate (EWMA 0.3) moves from 2 s toward 10 s.
        // A 10 s sample counts as twice the 2 s estimate at most (a slow start must not multiply it in one step).
        assertEquals(Math.round(0.7 * 2000 + 0.3 * 4000), status(s).coldStartMillis());
        assertEquals(List.of("seen inv-1 10000"), events);
        GroupCensus c = status(s).census();
        assertTrue(c.live());
        assertEquals(1, c.confirmed());
        assertEquals(0, c.adopted());
        assertEquals(1, c.seen());
    }

    @Test
    void aStreamThatWaitedForTheFirstWorkersIsNotSizedAgainAsABacklogWhenOneIsListed() {
        // 100 tasks/s fail to match from t = 0 while the first workers take 4 s to start (the default says 2 s), at
        // the unproven default of 5 tasks/s per worker. What waited for the workers still starting is the stream's,
        // not a burst: with the stream's share it adds 2 x 4 workers at most, however long the start. Sized as a
        // backlog (and, once the first start has taught the cold start, with the arrivals projected beyond it), the
        // tasks that waited asked for one more worker a second: 13 workers by t = 6 s instead of 10.
        ReactiveScaler s = scaler();
        census(s);
        int invoked = invokeAndAccept(s, 1).count();
        for (int i = 1; i <= 12; i++) {
            clock.advanceMillis(500);
            if (i == 8) {
                census(s, running("req-inv-1")); // the first worker is listed at t = 4 s; the others still start
            }
            Optional<ScaleDecision> d = s.onSignal(failure(V1, 50, clock));
            if (d.isPresent() && d.get().invokes()) {
                for (String id : d.get().invocationIds()) {
                    s.onInvocationResult(d.get(), new InvocationResult.Accepted(id, clock.instant(), "req-" + id));
                }
                invoked += d.get().count();
            }
        }
        assertEquals(1, status(s).live().ready());
        // 1 from zero, 7 at t = 1 s (1 for what waits now, 3 for the default cold start's arrivals, 4 for the
        // stream), 1 at t = 2 s as the stream's estimate settles, 1 at t = 5 s for the 100 tasks that waited before
        // the oldest worker still starting was invoked.
        assertEquals(10, invoked);
    }

    @Test
    void aFailureWhileTheOnlyStartingWorkerIsOverdueStartsOneMoreAsAHedge() {
        ReactiveScaler s = scaler(); // cold start 2 s until learned
        census(s);
        invokeAndAccept(s, 1);
        advance(2);
        census(s, running("req-inv-1")); // ready after 2 s: the estimate has learned (2 s)
        advance(1);
        census(s, worker("req-inv-1", CensusStatus.SHUTTING_DOWN, null));
        advance(15);
        census(s, worker("req-inv-1", CensusStatus.SHUTTING_DOWN, null));
        assertEquals(DecisionReason.SCALE_FROM_ZERO, invokeAndAccept(s, 1).reason());
        advance(1);
        census(s, worker("req-inv-1", CensusStatus.SHUTTING_DOWN, null));
        assertTrue(s.onSignal(failure(V1, 1, clock)).isEmpty(), "within its cold start the starting worker covers it");
        advance(3); // 4 s after the invoke: past the 2 s estimate plus the push delay, and still not listed
        census(s, worker("req-inv-1", CensusStatus.SHUTTING_DOWN, null));
        ScaleDecision hedge = invoked(s.onSignal(failure(V1, 1, clock)));
        assertEquals(DecisionReason.UNMATCHED, hedge.reason());
        assertEquals(1, hedge.invocationIds().size());
        assertEquals(new LiveWorkers(2, 0, 0), status(s).live());
        advance(1);
        census(s, worker("req-inv-1", CensusStatus.SHUTTING_DOWN, null));
        assertTrue(s.onSignal(failure(V1, 1, clock)).isEmpty(), "one hedge per cold start: the new one is not overdue");
    }

    @Test
    void noHedgeBeforeTheColdStartHasBeenLearned() {
        ReactiveScaler s = scaler(); // cold start 2 s until learned: a slow function's every start would look overdue
        census(s);
        invokeAndAccept(s, 1);
        advance(4);
        census(s);
        assertTrue(s.onSignal(failure(V1, 1, clock)).isEmpty(), "the default estimate says nothing of this function");
        assertEquals(new LiveWorkers(1, 0, 0), status(s).live());
    }

    @Test
    void withoutAStartTimeTheWorkerIsReadyWhenFirstListed() {
        ReactiveScaler s = scaler();
        census(s);
        invokeAndAccept(s, 1);
        advance(4);
        census(s, running("req-inv-1"));
        assertEquals(Math.round(0.7 * 2000 + 0.3 * 4000), status(s).coldStartMillis());
    }

    @Test
    void anExitTheCensusListsEndsTheWorkerWithinOneSnapshot() {
        ReactiveScaler s = scaler();
        census(s);
        invokeAndAccept(s, 1);
        advance(3);
        census(s, running("req-inv-1"));
        advance(1);
        census(s, worker("req-inv-1", CensusStatus.SHUTTING_DOWN, null));
        // The model would keep it until its predicted idle exit (ready at 3 s + 5 s idle).
        assertEquals(LiveWorkers.NONE, status(s).live());
        assertEquals(0, status(s).census().confirmed());
    }

    @Test
    void anExitSeenBeforeThePollEndForgetsTheFailuresTheWorkerServed() {
        ReactiveScaler s = scaler(); // workers exit after 5 s idle
        census(s);
        invokeAndAccept(s, 3);
        advance(1);
        census(s, running("req-inv-1"));
        advance(6);
        census(s, worker("req-inv-1", CensusStatus.SHUTTING_DOWN, null));
        assertTrue(s.tick().isEmpty(), "the worker served the 3 tasks before it exited idle");
        assertEquals(0, status(s).backlog());
    }

    @Test
    void aWorkerGoneFromTheCensusAfterItWasListedHasEnded() {
        ReactiveScaler s = scaler();
        census(s);
        invokeAndAccept(s, 1);
        advance(3);
        census(s, running("req-inv-1"));
        advance(1);
        census(s);
        assertEquals(LiveWorkers.NONE, status(s).live());
    }

    @Test
    void anInvocationNeverListedIsAFailedStartAndEvidenceOfAnInvokeLoop() {
        ReactiveScaler s = scaler();
        census(s);
        invokeAndAccept(s, 1);
        for (int t = 10; t < 60; t += 10) {
            advance(10);
            census(s);
        }
        // 50 s: still within the bound (max(60 s, 3 cold starts)), it may be a slow start: it holds its slot, but
        // is late (beyond 2 cold starts + 5 s) and covers no demand.
        assertEquals(new LiveWorkers(1, 0, 0, 1), status(s).live());
        assertEquals(0, status(s).live().lasting());
        assertTrue(events.isEmpty());
        advance(10);
        census(s);
        assertEquals(List.of("failed inv-1 req-inv-1 60"), events);
        GroupStatus st = status(s);
        assertEquals(1, st.census().failedStarts());
        assertEquals(LiveWorkers.NONE, st.live());
        assertNotNull(st.invokeLoopSuspect(), "no worker of the version ever appeared: the target is held back");
        assertTrue(st.invokeLoopSuspect().contains("req-inv-1"), st.invokeLoopSuspect());
        assertTrue(s.onSignal(failure(V1, 1, clock)).isEmpty(), "held back by the invoke-loop guard");
    }

    @Test
    void aFailedStartAmongWorkersThatAppearedIsNoInvokeLoop() {
        ReactiveScaler s = scaler();
        census(s);
        ScaleDecision d = invokeAndAccept(s, 200);
        assertEquals(2, d.count());
        for (int t = 5; t <= 60; t += 5) {
            advance(5);
            census(s, running("req-inv-2"));
        }
        assertEquals(List.of("seen inv-2 5000", "failed inv-1 req-inv-1 60"), events);
        assertNull(status(s).invokeLoopSuspect());
        assertEquals(new LiveWorkers(0, 1, 0), status(s).live());
    }

    @Test
    void invocationsFromBeforeTheCensusWasLiveAreNoFailedStarts() {
        ReactiveScaler s = scaler(Fixtures.policy().workerIdleExit(Duration.ZERO).build());
        invokeAndAccept(s, 1);
        advance(70);
        assertEquals(new LiveWorkers(0, 1, 0), status(s).live(), "the model");
        census(s); // the census becomes live: the worker is not running, but it may have come and gone unseen
        assertEquals(LiveWorkers.NONE, status(s).live());
        assertEquals(0, status(s).census().failedStarts());
        assertTrue(events.isEmpty());
        assertNull(status(s).invokeLoopSuspect());
    }

    @Test
    void aRunningWorkerNoInvocationMatchesCountsAsCapacity() {
        ReactiveScaler s = scaler();
        census(s, running("from-a-previous-process"));
        assertTrue(s.onSignal(failure(V1, 1, clock)).isEmpty(), "a restarted WCI does not invoke twice");
        GroupStatus st = status(s);
        assertEquals(new LiveWorkers(0, 1, 0), st.live());
        assertEquals(1, st.census().adopted());
        assertEquals(1, st.census().confirmed());
        assertEquals(List.of("adopted from-a-previous-process@" + ARN), events);
        advance(1);
        census(s);
        assertEquals(LiveWorkers.NONE, status(s).live(), "an adopted worker ends like any other");
    }

    @Test
    void aWorkerListedBeforeItsInvocationWasAcceptedIsCountedOnce() {
        ReactiveScaler s = scaler();
        census(s);
        ScaleDecision d = invoked(s.onSignal(failure(V1, 1, clock)));
        advance(1);
        census(s, running("req-inv-1")); // the census answered before the provider did
        assertEquals(new LiveWorkers(1, 1, 0), status(s).live());
        s.onInvocationResult(d, new InvocationResult.Accepted("inv-1", clock.instant(), "req-inv-1"));
        assertEquals(new LiveWorkers(0, 1, 0), status(s).live());
        assertEquals(0, status(s).census().adopted());
        advance(1);
        census(s, running("req-inv-1"));
        assertEquals(new LiveWorkers(0, 1, 0), status(s).live());
    }

    @Test
    void workersTheCensusDoesNotConfirmHoldNoVersionCap() {
        // Workers never exit idle in the model, as when a standing backlog keeps postponing the predicted exit.
        ReactiveScaler s = scaler(Fixtures.policy().workerIdleExit(Duration.ZERO).maxWorkersPerVersion(2).build());
        census(s);
        assertEquals(2, invokeAndAccept(s, 200).count());
        advance(3);
        census(s, running("req-inv-1"), running("req-inv-2"));
        advance(3);
        census(s); // both exited
        ScaleDecision d = invoked(s.onSignal(failure(V1, 200, clock)));
        assertEquals(2, d.count(), "the whole cap is free: " + d.trims());
        assertEquals(DecisionReason.SCALE_FROM_ZERO, d.reason());
        assertTrue(d.inputs().fromCensus());
    }

    /** Demand that goes on: 10 waiting, 1 task/s arriving and dispatched. */
    private BacklogObservation steadyDemand() {
        return observation(V1, 10, 1, 1, false, clock);
    }

    @Test
    void aWorkerNearItsPollEndDoesNotBlockItsReplacement() {
        ReactiveScaler s = scaler(Fixtures.policy().workerIdleExit(Duration.ZERO).maxWorkersPerVersion(1).build());
        census(s);
        invokeAndAccept(s, 1);
        advance(3);
        census(s, running("req-inv-1"));
        // Poll end: 900 s timeout - 30 s buffer. At 867 s it ends within a cold start (2.3 s) + refresh margin (with
        // idle exit off, half a cold start: 1.15 s).
        clock.advance(Duration.ofSeconds(864));
        census(s, running("req-inv-1"));
        ScaleDecision d = invoked(s.onSignal(steadyDemand()));
        assertEquals(DecisionReason.REFRESH, d.reason());
        assertEquals(1, d.count());
        assertTrue(d.trims().isEmpty(), "the expiring worker held the cap: " + d.trims());
    }

    @Test
    void withoutTheCensusAnExpiringWorkerStillHoldsTheCap() {
        ReactiveScaler s = scaler(Fixtures.policy().workerIdleExit(Duration.ZERO).maxWorkersPerVersion(1).build());
        ScaleDecision first = invokeAndAccept(s, 1);
        s.onWorkerReady(first.group(), "inv-1", clock.instant().plusSeconds(3));
        clock.advance(Duration.ofSeconds(867));
        assertTrue(s.onSignal(steadyDemand()).isEmpty());
        assertEquals(DecisionReason.LIMITED, audit.recent().get(audit.recent().size() - 1).reason());
    }

    @Test
    void anUnseenInvocationNearItsPollEndStillHoldsTheCap() {
        // A loaded host: 20 s cold starts, 60 s timeout, so the poll end (30 s) falls within a cold start + the
        // refresh margin from 5 s on. Nothing vouches that an unseen worker stops then (or runs at all): releasing
        // its slot re-invoked a cap's worth every 5 s while no worker started (FaultsIT: "starting" 31, cap 10).
        ReactiveScaler s = scaler(Fixtures.policy().workerIdleExit(Duration.ZERO).maxWorkersPerVersion(1)
                .coldStartDefault(Duration.ofSeconds(20)).build());
        s.register(group(V1), TargetFacts.ofTimeout(Duration.ofSeconds(60)));
        census(s);
        invokeAndAccept(s, 1);
        for (int t = 1; t <= 10; t++) {
            advance(1);
            census(s);
            assertTrue(s.onSignal(failure(V1, 1, clock)).isEmpty(), "the starting worker holds the cap at " + t + " s");
        }
        assertEquals(new LiveWorkers(1, 0, 1), status(s).live());
    }

    @Test
    void anUnseenInvocationIsMatchedWhenItShowsUpLateAndNoSecondWorkerWasInvoked() {
        // FaultsIT, Temporal restarted 1-3 s after 10 invocations: 9 of their workers were alive, yet listed only
        // 30-40 s after they were invoked (JVM start under load, reconnection, a restarted server slow to list and
        // dispatch). Their slots stay held: releasing them at 15 s had invoked 10 more, 20 workers for a cap of 10.
        ReactiveScaler s = scaler(Fixtures.policy().workerIdleExit(Duration.ZERO).maxWorkersPerVersion(1).build());
        census(s);
        invokeAndAccept(s, 1);
        for (int t = 1; t < 35; t++) {
            advance(1);
            census(s);
            assertTrue(s.onSignal(failure(V1, 1, clock)).isEmpty(), "the starting worker holds the cap at " + t + " s");
        }
        advance(1);
        census(s, running("req-inv-1"));
        assertEquals(new LiveWorkers(0, 1, 0), status(s).live());
        assertEquals(List.of("seen inv-1 35000"), events);
        assertEquals(0, status(s).census().adopted());
    }

    /**
     * Two ready workers, 300 tasks waiting that neither shrink nor get dispatched while 50 more arrive and fail to
     * match: read as a drain, that is 50 tasks by 2 workers in 10 s, 2.5 tasks/s each.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void learnsNoThroughputFromAStallWithWorkersClaimedReady(boolean censusLive) {
        ReactiveScaler s = scaler(Fixtures.policy().workerIdleExit(Duration.ZERO).drainTarget(Duration.ofSeconds(1000))
                .build());
        if (censusLive) {
            census(s);
        }
        ScaleDecision d = invokeAndAccept(s, 10_000);
        assertEquals(2, d.count());
        if (censusLive) {
            census(s, running("req-inv-1"), running("req-inv-2"));
        } else {
            d.invocationIds().forEach(id -> s.onWorkerReady(d.group(), id, clock.instant()));
        }
        clock.advance(Duration.ofSeconds(1));
        s.onSignal(stalled(300));
        clock.advance(Duration.ofMillis(1500));
        for (int i = 0; i < 10; i++) {
            assertTrue(s.onSignal(failure(V1, 5, clock)).isEmpty());
            if (censusLive) {
                census(s, running("req-inv-1"), running("req-inv-2"));
            }
            clock.advance(Duration.ofSeconds(1));
        }
        clock.advance(Duration.ofMillis(3500));
        if (censusLive) {
            census(s, running("req-inv-1"), running("req-inv-2"));
        }
        s.onSignal(stalled(300));
        assertEquals(2, status(s).live().ready());
        assertEquals(5.0, status(s).workerThroughput(), 1e-9);
    }

    private BacklogObservation stalled(long backlog) {
        return new BacklogObservation(V1, QUEUE, TaskQueueType.ACTIVITY, backlog, Duration.ofSeconds(1), 0, 0, false,
                clock.instant(), Duration.ZERO);
    }

    @Test
    void whileTheCensusIsLiveThePhantomRuleIsOff() {
        ReactiveScaler s = scaler();
        census(s);
        ScaleDecision d = invokeAndAccept(s, 500);
        assertEquals(5, d.count());
        CensusWorker[] all = d.invocationIds().stream().map(id -> running("req-" + id)).toArray(CensusWorker[]::new);
        for (int t = 0; t < 31; t++) {
            clock.advance(Duration.ofSeconds(1));
            census(s, all);
            s.onSignal(observation(V1, 0, 5, 5, false, clock));
        }
        // 5 tasks/s keep one worker busy and 5 are listed: the model would end four as phantoms here.
        s.onSignal(failure(V1, 1, clock));
        assertEquals(0, status(s).phantomsEnded());
        assertEquals(5, status(s).live().ready());
    }

    @Test
    void aStaleOrUnavailableCensusFallsBackToTheModel() {
        ReactiveScaler s = scaler(); // workers exit after 5 s idle
        census(s);
        invokeAndAccept(s, 1);
        advance(3);
        census(s, running("req-inv-1"));
        advance(9);
        census(s, running("req-inv-1"));
        // Listed as running at 12 s: the model's idle prediction (ready at 3 s, no demand since 0 s: gone at 8 s)
        // gives way to the fact.
        assertEquals(new LiveWorkers(0, 1, 0), status(s).live());
        advance(11); // no snapshot for 11 s, more than the 10 s freshness bound: the model again
        assertFalse(status(s).census().live());
        assertEquals(LiveWorkers.NONE, status(s).live());
        census(s, running("req-inv-1"));
        assertEquals(new LiveWorkers(0, 1, 0), status(s).live());
        s.onCensusUnavailable(V1, "the namespace has no worker heartbeats");
        GroupCensus c = status(s).census();
        assertFalse(c.live());
        assertEquals("the namespace has no worker heartbeats", c.unavailableReason());
        assertEquals(LiveWorkers.NONE, status(s).live());
    }

    /**
     * The census lists {@code n} running workers of the group 3 s on: the one this scaler invoked ("req-inv-1")
     * and n − 1 it adopts ("req-inv-2", ...), all ready.
     */
    private void listed(ReactiveScaler s, int n) {
        census(s);
        invokeAndAccept(s, 1);
        advance(3);
        CensusWorker[] workers = new CensusWorker[n];
        for (int i = 0; i < n; i++) {
            workers[i] = running("req-inv-" + (i + 1));
        }
        census(s, workers);
    }

    @Test
    void whileCensusReadsFailTheLastFactsAreHeldAndNothingIsReinvoked() {
        ReactiveScaler s = scaler(); // workers exit after 5 s idle
        listed(s, 2);
        advance(2);
        s.onCensusReadFailed(V1, "UNAVAILABLE: io exception");
        advance(60); // a minute of failed reads: far past maxAge (10 s) and the model's idle exit (5 s)
        assertTrue(status(s).census().live(), "held through the outage");
        assertEquals(new LiveWorkers(0, 2, 0), status(s).live());
        // Temporal is back and tasks fail to match: the two held workers still count, so the fleet is not invoked
        // again; at most the one-worker probe for unmatched tasks (every worker ready, yet no slot free).
        Optional<ScaleDecision> d = s.onSignal(failure(V1, 2, clock));
        assertTrue(d.isEmpty() || !d.get().invokes()
                || (d.get().reason() == DecisionReason.UNMATCHED && d.get().requested() == 1), "no duplicates: " + d);
        assertEquals(2, d.map(x -> x.inputs().live().ready()).orElse(2), "decided with the held workers");
    }

    @Test
    void withoutTheHoldAStaleCensusWouldHaveReinvoked() {
        // The control for the test above: the same facts, reads merely stopping (no failure reported).
        ReactiveScaler s = scaler();
        listed(s, 2);
        advance(62);
        assertFalse(status(s).census().live());
        ScaleDecision d = invoked(s.onSignal(failure(V1, 2, clock)));
        assertEquals(0, d.inputs().live().ready(), "the model took the silent workers for gone: " + d);
    }

    @Test
    void heldWorkersStillEndAtTheirPollEndSoALongOutageIsFollowedByAnInvokeAtOnce() {
        ReactiveScaler s = new ReactiveScaler(Fixtures.POLICY, new Limits(Fixtures.POLICY, new SplittableRandom(7)),
                audit, clock, () -> "inv-x", CensusPolicy.defaults(), observer);
        s.register(group(V1), TargetFacts.ofTimeout(Duration.ofSeconds(60)));
        s.onCensus(new CensusSnapshot(V1, clock.instant(), List.of()));
        ScaleDecision d = invoked(s.onSignal(failure(V1, 1, clock)));
        s.onInvocationResult(d, new InvocationResult.Accepted("inv-x", clock.instant(), "req-inv-x"));
        advance(3);
        s.onCensus(new CensusSnapshot(V1, clock.instant(), List.of(running("req-inv-x"))));
        s.onCensusReadFailed(V1, "UNAVAILABLE");
        advance(120); // the outage outlasts the worker's 60 s function timeout
        assertTrue(status(s).census().live(), "still held");
        assertEquals(LiveWorkers.NONE, status(s).live(), "gone at its poll end, held or not");
        // Temporal is back with tasks waiting: the first signal invokes.
        assertTrue(s.onSignal(failure(V1, 1, clock)).map(ScaleDecision::invokes).orElse(false));
    }

    @Test
    void theHoldEndsAfterOutageHold() {
        ReactiveScaler s = scaler();
        listed(s, 1);
        s.onCensusReadFailed(V1, "UNAVAILABLE");
        advance((int) CensusPolicy.defaults().outageHold().toSeconds());
        assertTrue(status(s).census().live());
        advance(1);
        assertFalse(status(s).census().live(), "a hold is bounded");
    }

    @Test
    void afterAnOutageAbsenceEndsAWorkerOnlyAfterTheRecoveryGrace() {
        ReactiveScaler s = scaler();
        listed(s, 2);
        s.onCensusReadFailed(V1, "UNAVAILABLE");
        advance(20);
        // The restarted server lists nobody yet, then one worker, then (after the grace) still not the other.
        census(s);
        assertEquals(new LiveWorkers(0, 2, 0), status(s).live(), "absence right after an outage says nothing");
        advance(10);
        census(s, running("req-inv-1"));
        assertEquals(new LiveWorkers(0, 2, 0), status(s).live());
        advance((int) CensusPolicy.defaults().recoveryGrace().toSeconds() - 10);
        census(s, running("req-inv-1"));
        assertEquals(new LiveWorkers(0, 1, 0), status(s).live(), "after the grace absence ends a worker again");
    }

    @Test
    void duringTheRecoveryGraceAWorkerListedAsStoppedEndsAtOnce() {
        ReactiveScaler s = scaler();
        listed(s, 1);
        s.onCensusReadFailed(V1, "UNAVAILABLE");
        advance(20);
        census(s, worker("req-inv-1", CensusStatus.SHUTTING_DOWN, null));
        assertEquals(LiveWorkers.NONE, status(s).live());
    }

    @Test
    void aReadFailureBeforeAnyCensusHoldsNothing() {
        ReactiveScaler s = scaler();
        s.onCensusReadFailed(V1, "UNAVAILABLE");
        assertFalse(status(s).census().live());
    }

    @Test
    void theCensusPolicyRejectsAHoldShorterThanMaxAge() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CensusPolicy(
                Duration.ofSeconds(10), Duration.ofSeconds(60), 3, Duration.ofSeconds(5), Duration.ofSeconds(30)));
        assertTrue(e.getMessage().contains("outageHold"), e.getMessage());
    }

    @Test
    void withoutTheCensusAnUnseenInvocationIsNoFailedStart() {
        ReactiveScaler s = scaler(Fixtures.policy().workerIdleExit(Duration.ZERO).build());
        s.onCensusUnavailable(V1, "no heartbeats");
        invokeAndAccept(s, 1);
        advance(120);
        s.tick();
        assertEquals(new LiveWorkers(0, 1, 0), status(s).live());
        assertEquals(0, status(s).census().failedStarts());
        assertTrue(events.isEmpty());
    }

    @Test
    void anOlderSnapshotThanTheLatestIsIgnored() {
        ReactiveScaler s = scaler();
        census(s);
        invokeAndAccept(s, 1);
        advance(3);
        census(s, running("req-inv-1"));
        s.onCensus(new CensusSnapshot(V1, clock.instant().minusSeconds(2), List.of()));
        assertEquals(new LiveWorkers(0, 1, 0), status(s).live());
    }

    @Test
    void aPredictedIdleExitRefundsTheBudgetItDidNotUse() {
        ReactiveScaler s = scaler(Fixtures.policy().budgetPerVersion(1800).build()); // 5 s idle exit
        invokeAndAccept(s, 1); // charged 900 s
        advance(10);
        assertTrue(s.tick().isEmpty());
        // Predicted ready at 2 s and idle until 7 s: 7 s used, 893 s refunded.
        assertEquals(1800 - 7, status(s).budgetRemaining(), 1e-6);
    }
    @Test
    void theGroupKeepsTheFewestSlotsPerWorkerTheCensusListed() {
        ReactiveScaler s = scaler();
        census(s);
        invokeAndAccept(s, 2);
        assertEquals(0, status(s).census().slotsPerWorker(), "unknown until a worker is listed with its slots");
        advance(2);
        census(s, new CensusWorker("req-inv-1@" + ARN, CensusStatus.RUNNING, null, null, 30), running("req-inv-2"));
        assertEquals(30, status(s).census().slotsPerWorker());
        advance(1);
        census(s, new CensusWorker("req-inv-1@" + ARN, CensusStatus.RUNNING, null, null, 0),
                new CensusWorker("req-inv-2@" + ARN, CensusStatus.RUNNING, null, null, 20));
        assertEquals(20, status(s).census().slotsPerWorker(), "the fewest; a heartbeat without slots forgets nothing");
        advance(1);
        census(s, new CensusWorker("req-inv-1@" + ARN, CensusStatus.RUNNING, null, null, 40));
        assertEquals(20, status(s).census().slotsPerWorker());
    }

    @Test
    void theWorkersHeartbeatsMeasureThePaceTheThroughputEstimateTakes() {
        ReactiveScaler s = scaler();
        census(s);
        invokeAndAccept(s, 2);
        assertEquals(5, status(s).workerThroughput(), 1e-9, "the policy's default");
        // Two workers of 4 slots, 1 in use at each heartbeat, 10 tasks completed in each 1 s interval: tasks of
        // 0.1 s, so a worker at full use does 40 tasks/s, though the fleet is far from saturated.
        for (int second = 1; second <= 4; second++) {
            advance(1);
            Instant beat = clock.instant();
            census(s, loaded("req-inv-1", beat), loaded("req-inv-2", beat));
            assertEquals(5, status(s).workerThroughput(), 1e-9, "fewer than 10 heartbeats yet");
        }
        advance(1); // the ninth and tenth heartbeats, 100 tasks over 10 busy slot-seconds
        census(s, loaded("req-inv-1", clock.instant()), loaded("req-inv-2", clock.instant()));
        assertEquals(40, status(s).workerThroughput(), 1e-9);
        // A read that repeats the same heartbeats changes nothing; a worker listed without its load neither.
        census(s, loaded("req-inv-1", clock.instant()), running("req-inv-2"));
        assertEquals(40, status(s).workerThroughput(), 1e-9);
    }

    private static CensusWorker loaded(String requestId, Instant heartbeat) {
        return new CensusWorker(requestId + "@" + ARN, CensusStatus.RUNNING, null, heartbeat, 4,
                new SlotLoad(1, 10, Duration.ofSeconds(1)));
    }
}
