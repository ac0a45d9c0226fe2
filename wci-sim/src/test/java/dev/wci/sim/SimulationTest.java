package dev.wci.sim;

import static dev.wci.sim.SimTestSupport.invokeAt;
import static dev.wci.sim.SimTestSupport.run;
import static dev.wci.sim.SimTestSupport.script;
import static dev.wci.sim.SimTestSupport.tasksAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.signal.BacklogObservation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SimulationTest {

    private static final SimConfig BASE = SimConfig.defaults();

    @Test
    void taskWithFreeReadyWorkerSyncMatchesElseWaitsInBacklog() {
        List<InvocationResult> results = new ArrayList<>();
        // One worker invoked at 0 (ready within ~10 s even at the far tail); tasks at 0 (backlog) and 20 s (sync match).
        SimResult r = run(tasksAt(1, 0, 20), script(ctx -> invokeAt(ctx, 0, 1, results)),
                BASE.withColdStart(Duration.ofSeconds(2), Duration.ofSeconds(2)).withIdleExit(null));
        assertEquals(2, r.tasks());
        assertEquals(0.0, r.p50(), 1e-9);
        assertEquals(2.02, r.max(), 1e-6, "the first task waited for API latency + cold start");
        assertEquals(1, r.invocations());
    }

    @Test
    void readyWorkerPullsBacklogWhenSlotFrees() {
        List<InvocationResult> results = new ArrayList<>();
        // 3 tasks of 10 s at t=0, one worker with 1 slot ready at 2.02: starts at 2.02, 12.02, 22.02.
        SimResult r = run(tasksAt(10, 0, 0, 0), script(ctx -> invokeAt(ctx, 0, 1, results)),
                BASE.withSlots(1).withColdStart(Duration.ofSeconds(2), Duration.ofSeconds(2)));
        assertEquals(3, r.tasks());
        assertEquals(22.02, r.max(), 1e-6);
        assertEquals(12.02, r.p50(), 1e-6);
    }

    @Test
    void observationsDescribeTheQueueAsOfStalenessAgo() {
        Map<Double, BacklogObservation> seen = new TreeMap<>();
        SimAlgorithm probe = script(ctx -> {
            for (double t : new double[] {3, 5.9, 6.5, 20}) {
                ctx.schedule(Duration.ofNanos(SimTestSupport.s(t)),
                        () -> seen.put(t, ctx.observe(ctx.groups().get(0).id().version())));
            }
        });
        SimResult r = run(tasksAt(1, 1, 1, 1), probe, BASE.withDrainLimit(Duration.ofSeconds(30)));
        assertEquals(0, seen.get(3.0).backlogCount(), "at 3 s the data is from -2 s");
        assertEquals(0, seen.get(5.9).backlogCount(), "at 5.9 s the data is from 0.9 s, before the tasks");
        assertEquals(3, seen.get(6.5).backlogCount());
        assertEquals(Duration.ofMillis(500), seen.get(6.5).backlogAge());
        assertEquals(Duration.ofSeconds(5), seen.get(6.5).staleness());
        assertEquals(SimClock.EPOCH.plusMillis(1500), seen.get(6.5).asOf());
        assertFalse(seen.get(6.5).rateLimitingActive());
        assertEquals(3, seen.get(20.0).backlogCount());
        assertEquals(4, r.describeCalls());
    }

    @Test
    void ratesAreCountedAsTemporalsTaskTrackerCountsThem() {
        List<BacklogObservation> seen = new ArrayList<>();
        double[] times = new double[60];
        for (int i = 0; i < 60; i++) {
            times[i] = i + 0.5; // one task per second from 0.5 s to 59.5 s
        }
        SimAlgorithm probe = script(ctx -> {
            // Workers from the start: everything is dispatched at once, so add rate == dispatch rate.
            invokeAt(ctx, 0, 1, new ArrayList<>());
            for (double t : new double[] {20, 45, 95}) {
                ctx.schedule(Duration.ofSeconds((long) t),
                        () -> seen.add(ctx.observe(ctx.groups().get(0).id().version())));
            }
        });
        run(tasksAt(0.1, times), probe, BASE.withIdleExit(null).withColdStart(Duration.ofMillis(100),
                Duration.ofMillis(100)).withDrainLimit(Duration.ofSeconds(60)));
        // Temporal's trackers start with the first add (0.5 s) and count 5 s buckets from then. At 20 s the data is
        // as of 15 s: 15 adds (0.5..14.5) over the 14.5 s since the start (not a 30 s window's share).
        assertEquals(15 / 14.5, seen.get(0).addRate(), 1e-9);
        assertEquals(15 / 14.5, seen.get(0).dispatchRate(), 1e-9);
        // At 45 s, as of 40 s: the current bucket began at 35.5 s, and with the six before it the count runs from
        // 5.5 s: 5.5..39.5 = 35 adds over 34.5 s.
        assertEquals(35 / 34.5, seen.get(1).addRate(), 1e-9);
        // At 95 s, as of 90 s: the buckets from 55.5 s hold 55.5..59.5, 5 adds over 34.5 s (no decay: a stopped
        // stream stays in the rate until its bucket leaves).
        assertEquals(5 / 34.5, seen.get(2).addRate(), 1e-9);
    }

    @Test
    void throttlesAtTheAccountConcurrencyLimit() {
        List<InvocationResult> results = new ArrayList<>();
        SimResult r = run(tasksAt(1), script(ctx -> invokeAt(ctx, 0, 8, results)),
                BASE.withAccountConcurrency(5));
        assertEquals(8, results.size());
        assertEquals(5, results.stream().filter(x -> x instanceof InvocationResult.Accepted).count());
        for (InvocationResult x : results.subList(5, 8)) {
            InvocationResult.Failed f = assertInstanceOf(InvocationResult.Failed.class, x);
            assertEquals(FailureClass.THROTTLED, f.failure().failureClass());
            assertEquals(SimLambda.CONCURRENCY_REASON, f.failure().reason());
            assertEquals(Duration.ofSeconds(1), f.failure().retryAfter());
        }
        assertEquals(3, r.throttles());
        assertEquals(5, r.invocations());
        assertEquals(5, r.peakWorkers());
    }

    @Test
    void throttlesWhenTheScalingRateIsExhaustedAndRefills() {
        List<InvocationResult> first = new ArrayList<>();
        List<InvocationResult> second = new ArrayList<>();
        SimResult r = run(tasksAt(1), script(ctx -> {
            invokeAt(ctx, 0, 15, first);
            invokeAt(ctx, 1.0, 2, second); // 1 s later one token (10 per 10 s) is back
        }), BASE.withScalingRate(10, Duration.ofSeconds(10)));
        assertEquals(10, first.stream().filter(x -> x instanceof InvocationResult.Accepted).count());
        InvocationResult.Failed f = assertInstanceOf(InvocationResult.Failed.class, first.get(14));
        assertEquals(SimLambda.RATE_REASON, f.failure().reason());
        assertInstanceOf(InvocationResult.Accepted.class, second.get(0));
        assertInstanceOf(InvocationResult.Failed.class, second.get(1));
        assertEquals(6, r.throttles());
    }

    @Test
    void invokeAnswersAfterTheApiLatencyAndValidateGivesTheTimeout() {
        List<Long> answeredAt = new ArrayList<>();
        List<TargetValidation> validations = new ArrayList<>();
        run(tasksAt(1), script(ctx -> {
            var g = ctx.groups().get(0);
            assertEquals("arn:aws:lambda:us-east-1:123456789012:function:worker:1", g.target().address());
            assertEquals("sim-lambda", ctx.compute().type());
            ctx.compute().validate(g.target(), g.id().version()).thenAccept(validations::add);
            ctx.compute().invoke(new dev.wci.core.compute.InvocationRequest(g.id(), g.target(), List.of("a"), "T",
                    ctx.clock().instant())).thenAccept(x -> answeredAt.add(((SimClock) ctx.clock()).nanos()));
        }), BASE);
        assertEquals(List.of(20_000_000L), answeredAt);
        TargetValidation.Valid v = assertInstanceOf(TargetValidation.Valid.class, validations.get(0));
        assertEquals(Duration.ofSeconds(900), v.facts().timeout());
    }

    @Test
    void idleWorkerExitsAfterTheIdlePeriod() {
        SimConfig c = BASE.withColdStart(Duration.ofSeconds(1), Duration.ofSeconds(1));
        SimResult r = run(tasksAt(1), script(ctx -> invokeAt(ctx, 0, 1, new ArrayList<>())), c);
        assertEquals(1.0 + 5.0, r.workerSeconds(), 1e-6, "cold start + 5 s idle");
        assertEquals(6.0, r.idleWorkerSeconds(), 1e-6);
        assertEquals(6.02, r.endSeconds(), 1e-6);
    }

    @Test
    void idleExitCanBeTurnedOff() {
        SimConfig c = BASE.withColdStart(Duration.ofSeconds(1), Duration.ofSeconds(1)).withIdleExit(null);
        SimResult r = run(tasksAt(1), script(ctx -> invokeAt(ctx, 0, 1, new ArrayList<>())), c);
        assertEquals(870.0, r.workerSeconds(), 1e-6, "stops at timeout - buffer when nothing is in flight");
    }

    @Test
    void workBetweenTasksResetsTheIdleClock() {
        SimConfig c = BASE.withColdStart(Duration.ofSeconds(1), Duration.ofSeconds(1));
        // Tasks at 4 and 8 s keep a worker (ready at 1.02) busy enough: last task ends 9 s, exit at 14 s.
        SimResult r = run(tasksAt(1, 4, 8), script(ctx -> invokeAt(ctx, 0, 1, new ArrayList<>())), c);
        assertEquals(2, r.tasks());
        assertEquals(1, r.invocations());
        assertEquals(14.0 - 0.02, r.workerSeconds(), 1e-6);
        assertEquals(14.0 - 0.02 - 2, r.idleWorkerSeconds(), 1e-6);
    }

    @Test
    void hardTimeoutLosesInFlightTasksWhichAreRetried() {
        // Timeout 100 s, buffer 30 s: stop taking tasks at 70.02, hard end at 100.02.
        SimConfig c = BASE.withLifetime(Duration.ofSeconds(100), Duration.ofSeconds(30)).withSlots(2)
                .withIdleExit(null).withColdStart(Duration.ofSeconds(2), Duration.ofSeconds(2));
        List<InvocationResult> results = new ArrayList<>();
        Arrivals a = new Arrivals(new long[] {SimTestSupport.s(20), SimTestSupport.s(75)},
                new long[] {SimTestSupport.s(90), SimTestSupport.s(1)}, new int[] {0, 0});
        SimResult r = run(a, script(ctx -> {
            invokeAt(ctx, 0, 1, results);
            invokeAt(ctx, 101, 1, results);
        }), c);
        // Task 1 runs 20..110 but is lost at 100.02 and retried: the second worker (ready 103.02) takes it.
        // Task 2 arrives at 75 while the only worker drains: it waits for the second worker too.
        // Attempt latencies: 0 (task 1), 28.02 (task 2), 3.0 (task 1 again).
        assertEquals(2, r.tasks());
        assertEquals(2, r.invocations());
        assertEquals(3.0, r.p50(), 1e-6);
        assertEquals(103.02 - 75, r.max(), 1e-6);
        // Worker 1 ran to its hard timeout (100 s); worker 2 drained after 170 s and ended with its task at 193.02.
        assertEquals(100 + (193.02 - 101.02), r.workerSeconds(), 1e-6);
    }

    @Test
    void runStopsWhenAllWorkIsDoneEvenThoughAlgorithmsKeepPolling() {
        SimResult r = SimTestSupport.run(tasksAt(1, 0), new KedaLikeAlgorithm(), BASE);
        assertEquals(1, r.tasks());
        assertEquals(0, r.unfinished());
        assertTrue(r.endSeconds() < 60, "ended at " + r.endSeconds());
        assertEquals(r.series().size(), r.series().liveWorkers().length);
    }
}
