package dev.wci.core.scaling;

import static dev.wci.core.testing.Fixtures.FACTS;
import static dev.wci.core.testing.Fixtures.QUEUE;
import static dev.wci.core.testing.Fixtures.V1;
import static dev.wci.core.testing.Fixtures.failure;
import static dev.wci.core.testing.Fixtures.group;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.audit.DecisionAudit;
import dev.wci.core.census.CensusSnapshot;
import dev.wci.core.census.CensusStatus;
import dev.wci.core.census.CensusWorker;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.limits.Limits;
import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.testing.Fixtures;
import dev.wci.core.testing.TestClock;
import dev.wci.core.version.TaskQueueType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 12's idle-gap invokes: Temporal caches task queue stats for 5-10 s, so after the work drained and the
 * workers exited idle (each having found the queue empty) the stats still show the drained backlog and, for their
 * 30 s window, the add rate. Such stats must not start workers again; newer ones must.
 */
class StaleStatsAfterIdleExitTest {

    private static final String ARN = Fixtures.target(V1).address();
    /** The staleness the server's stats source assumes (StatsSignals.STALENESS). */
    private static final Duration STALENESS = Duration.ofSeconds(5);

    private final TestClock clock = new TestClock();
    private final Instant t0 = clock.instant();
    private final DecisionAudit audit = new DecisionAudit(100);
    private final ReactiveScaler s = scaler();

    private ReactiveScaler scaler() {
        AtomicLong ids = new AtomicLong();
        ScalingPolicy p = Fixtures.POLICY; // 5 s idle exit, 20 s drain target, 5 tasks/s per worker
        ReactiveScaler r = new ReactiveScaler(p, new Limits(p, new SplittableRandom(7)), audit, clock,
                () -> "inv-" + ids.incrementAndGet(), CensusPolicy.defaults(), ScalerObserver.NONE);
        r.register(group(V1), FACTS);
        return r;
    }

    private void at(int second) {
        clock.advance(Duration.between(clock.instant(), t0.plusSeconds(second)));
    }

    private static CensusWorker worker(String requestId, CensusStatus status, Instant lastHeartbeat) {
        return new CensusWorker(requestId + "@" + ARN, status, null, lastHeartbeat);
    }

    private void census(CensusWorker... workers) {
        s.onCensus(new CensusSnapshot(V1, clock.instant(), List.of(workers)));
    }

    /** Stats as the server's source hands them over: read now, taken to describe 5 s ago. */
    private Optional<ScaleDecision> stats(long backlog, double addRate) {
        return s.onSignal(new BacklogObservation(V1, QUEUE, TaskQueueType.ACTIVITY, backlog,
                Duration.ofSeconds(backlog > 0 ? 4 : 0), addRate, 0, false, clock.instant(), STALENESS));
    }

    /** {@code tasks} fail to match; the provider accepts every invocation under request id "req-" + id. */
    private ScaleDecision invokeAndAccept(long tasks) {
        Optional<ScaleDecision> d = s.onSignal(failure(V1, tasks, clock));
        assertTrue(d.isPresent() && d.get().invokes(), "expected an invoking decision, got " + d);
        for (String id : d.get().invocationIds()) {
            s.onInvocationResult(d.get(), new InvocationResult.Accepted(id, clock.instant(), "req-" + id));
        }
        return d.get();
    }

    private void assertNothingInvoked(Optional<ScaleDecision> d, String why) {
        assertTrue(d.isEmpty(), why + ": " + d);
        assertTrue(s.tick().isEmpty(), why + " (tick)");
    }

    /** One worker served the work and exited idle at 19 s: the census lists it stopping at 20 s. */
    private void workDrainsAndTheWorkerExitsIdle() {
        census();
        assertEquals(1, invokeAndAccept(10).count());
        at(2);
        census(worker("req-inv-1", CensusStatus.RUNNING, t0.plusSeconds(2)));
        at(20);
        census(worker("req-inv-1", CensusStatus.SHUTTING_DOWN, t0.plusSeconds(19)));
        assertEquals(0, s.status().get(0).live().live());
    }

    @Test
    void aBacklogReadingNotNewerThanTheIdleExitStartsNoWorker() {
        workDrainsAndTheWorkerExitsIdle();
        // Read at 22 s, describing 17 s: before the worker found the queue empty. The server's cache still
        // holds a backlog of 40 and an add rate of 6/s.
        at(22);
        assertNothingInvoked(stats(40, 6), "a backlog the exiting worker saw drained");
        at(24);
        assertNothingInvoked(stats(40, 6), "the same cached reading, as of exactly the exit");
        assertEquals(0.0, s.status().get(0).backlog());
        // Read at 25 s, describing 20 s: after the exit. A backlog then is new work, and it starts a worker.
        at(25);
        Optional<ScaleDecision> d = stats(40, 0);
        assertTrue(d.isPresent() && d.get().invokes(), "a backlog newer than the exit is work: " + d);
        assertEquals(DecisionReason.SCALE_FROM_ZERO, d.get().reason());
    }

    @Test
    void theAddRateOfArrivalsThatEndedStartsNoWorkerOnceTheFleetIdledOut() {
        workDrainsAndTheWorkerExitsIdle();
        // 12 s after the exit (past the 10 s in which an idle exit alone says the fleet has spare capacity), stats
        // newer than the exit show no backlog, but their 30 s add rate still counts the arrivals before it.
        at(31);
        assertNothingInvoked(stats(0, 6), "an add rate of arrivals that ended before every worker exited idle");
        at(48);
        assertNothingInvoked(stats(0, 6), "a window (as of 43 s) that still reaches back before the exit");
        // Once the window lies wholly after the exit, the rate describes arrivals that go on.
        at(55);
        Optional<ScaleDecision> d = stats(0, 6);
        assertTrue(d.isPresent() && d.get().invokes(), "arrivals after the exit: " + d);
    }

    @Test
    void aStaleBacklogAfterAnIdleExitRefreshesNoExpiringWorker() {
        census();
        // A backlog of 150 asks for 2 workers: one will reach its poll end (870 s: 900 s timeout - 30 s buffer)
        // while the other exits idle just before.
        assertEquals(2, invokeAndAccept(150).count());
        at(2);
        census(worker("req-inv-1", CensusStatus.RUNNING, t0.plusSeconds(2)),
                worker("req-inv-2", CensusStatus.RUNNING, t0.plusSeconds(2)));
        for (int t = 10; t <= 860; t += 10) {
            at(t);
            census(worker("req-inv-1", CensusStatus.RUNNING, clock.instant()),
                    worker("req-inv-2", CensusStatus.RUNNING, clock.instant()));
        }
        at(864);
        census(worker("req-inv-1", CensusStatus.RUNNING, clock.instant()),
                worker("req-inv-2", CensusStatus.SHUTTING_DOWN, t0.plusSeconds(863)));
        // inv-1 stops within a cold start (2 s) + the refresh margin (5 s): a refresh would replace it if demand
        // persisted. A reading as of 860 s (before inv-2 found the queue empty at 863 s) shows a backlog of 50.
        at(865);
        assertNothingInvoked(stats(50, 0), "a refresh for a backlog the exiting worker saw drained");
    }
}
