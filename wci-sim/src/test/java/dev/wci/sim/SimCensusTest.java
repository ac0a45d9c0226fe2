package dev.wci.sim;

import static dev.wci.sim.SimTestSupport.invokeAt;
import static dev.wci.sim.SimTestSupport.run;
import static dev.wci.sim.SimTestSupport.script;
import static dev.wci.sim.SimTestSupport.tasksAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.census.CensusSnapshot;
import dev.wci.core.census.CensusStatus;
import dev.wci.core.census.CensusWorker;
import dev.wci.core.census.SlotLoad;
import dev.wci.core.compute.InvocationResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SimCensusTest {

    @Test
    void aWorkerIsListedAfterItsFirstHeartbeatThenShuttingDownThenShutDownThenGone() {
        // 1 s cold start (p99 = median, no spread), 60 s timeout, 30 s buffer, 5 s idle exit.
        SimConfig c = SimConfig.defaults().withColdStart(Duration.ofSeconds(1), Duration.ofSeconds(1))
                .withLifetime(Duration.ofSeconds(60), Duration.ofSeconds(30)).withIdleExit(null);
        List<InvocationResult> results = new ArrayList<>();
        Map<Double, CensusSnapshot> seen = new TreeMap<>();
        run(tasksAt(40, 1.5, 200), script(ctx -> { // the task at 200 s keeps the run going
            invokeAt(ctx, 0, 1, results);
            for (double t : new double[] {0.5, 1.5, 3.5, 20, 35, 45, 100, 110}) {
                ctx.schedule(Duration.ofMillis((long) (t * 1000)), () -> seen.put(t, ctx.census(ctx.groups().get(0)
                        .id().version())));
            }
        }), c);
        InvocationResult.Accepted a = (InvocationResult.Accepted) results.get(0);
        String identity = a.providerRequestId() + "@" + "arn:aws:lambda:us-east-1:123456789012:function:worker:1";
        assertEquals(List.of(), seen.get(0.5).workers(), "starting: not listed");
        assertEquals(List.of(), seen.get(1.5).workers(), "ready at ~1 s, first heartbeat 1-2 s later");
        CensusWorker w = seen.get(3.5).workers().get(0);
        assertEquals(identity, w.identity());
        assertEquals(CensusStatus.RUNNING, w.status());
        assertEquals(c.slots(), w.slots(), "its heartbeat's slot count: the run's slots per worker");
        assertTrue(w.startedAt().isBefore(seen.get(1.5).asOf()), "its start is its ready time");
        // It stops polling at 30 s (60 s - 30 s buffer) with its 40 s task in flight, and ends with it at 41.5 s.
        assertEquals(CensusStatus.RUNNING, seen.get(20.0).workers().get(0).status());
        assertEquals(CensusStatus.SHUTTING_DOWN, seen.get(35.0).workers().get(0).status());
        assertEquals(CensusStatus.SHUTDOWN, seen.get(45.0).workers().get(0).status());
        assertEquals(CensusStatus.SHUTDOWN, seen.get(100.0).workers().get(0).status());
        // Its last heartbeat is its shutdown heartbeat (when it ended), which dates the exit for the scaler.
        assertEquals(seen.get(45.0).workers().get(0).lastHeartbeatAt(), seen.get(100.0).workers().get(0).lastHeartbeatAt());
        assertTrue(seen.get(45.0).workers().get(0).lastHeartbeatAt().isBefore(seen.get(45.0).asOf().minusSeconds(3)));
        CensusWorker at20 = seen.get(20.0).workers().get(0);
        assertTrue(!at20.lastHeartbeatAt().isAfter(seen.get(20.0).asOf())
                && at20.lastHeartbeatAt().isAfter(seen.get(20.0).asOf().minusSeconds(1)),
                "running: its latest periodic heartbeat, at most one interval old");
        assertEquals(List.of(), seen.get(110.0).workers(), "gone a minute after it ended");
    }

    @Test
    void aRunningWorkersLoadIsWhatItsLatestHeartbeatSawNoMore() {
        SimConfig c = SimConfig.defaults().withColdStart(Duration.ofSeconds(1), Duration.ofSeconds(1)).withIdleExit(null);
        Map<Double, CensusSnapshot> seen = new TreeMap<>();
        // At 4 s three tasks of 0.5 s and one of 10 s (the worker has 10 slots): 3 done at 4.5 s, 1 at 14 s.
        Arrivals.Builder b = new Arrivals.Builder();
        for (int i = 0; i < 3; i++) {
            b.add(SimTestSupport.s(4), SimTestSupport.s(0.5), 0);
        }
        b.add(SimTestSupport.s(4), SimTestSupport.s(10), 0);
        b.add(SimTestSupport.s(30), SimTestSupport.s(0.1), 0); // keeps the run going
        run(b.build(), script(ctx -> {
            invokeAt(ctx, 0, 1, new ArrayList<>());
            for (int quarter = 8; quarter <= 80; quarter++) {
                double t = quarter / 4.0;
                ctx.schedule(Duration.ofMillis((long) (t * 1000)), () -> seen.put(t, ctx.census(ctx.groups().get(0)
                        .id().version())));
            }
        }), c);
        Map<Long, CensusWorker> beats = new TreeMap<>();
        for (CensusSnapshot snapshot : seen.values()) {
            for (CensusWorker w : snapshot.workers()) {
                long h = w.lastHeartbeatAt().toEpochMilli();
                long asOf = snapshot.asOf().toEpochMilli();
                assertTrue(h <= asOf && h > asOf - 1000, "the latest heartbeat, at most one interval old");
                beats.put(h, w);
            }
        }
        assertTrue(beats.size() >= 17, "one heartbeat a second from 2-3 s to 20 s, got " + beats.size());
        long zero = seen.get(2.0).asOf().toEpochMilli() - 2000; // the run's time 0
        int processed = 0;
        long previous = -1;
        for (Map.Entry<Long, CensusWorker> e : beats.entrySet()) {
            double h = (e.getKey() - zero) / 1000.0;
            SlotLoad load = e.getValue().load();
            int inFlight = h < 4 ? 0 : h < 4.5 ? 4 : h < 14 ? 1 : 0;
            int done = (h - 1 <= 4.5 && 4.5 < h ? 3 : 0) + (h - 1 <= 14 && 14 < h ? 1 : 0);
            assertEquals(inFlight, load.usedSlots(), "used slots at the heartbeat of " + h + " s");
            assertEquals(done, load.processedTasks(), "tasks done in the second before " + h + " s");
            if (previous >= 0) {
                assertEquals(Duration.ofSeconds(1), load.interval());
            }
            processed += load.processedTasks();
            previous = e.getKey();
        }
        assertEquals(4, processed, "every completion in exactly one heartbeat");
    }

    @Test
    void aSlowStartTailTakesAboutTwoPercentOfStartsAndIsManyTimesTheMedian() {
        SimConfig c = SimConfig.defaults();
        SimLambda lambda = new SimLambda(new EventQueue(new SimClock()), c, new RandomStreams(3).lambda(),
                new SimLambda.Host() {
                    @Override
                    public int liveEnvironments() {
                        return 0;
                    }

                    @Override
                    public dev.wci.core.version.DeploymentVersion versionOf(String address) {
                        return null;
                    }

                    @Override
                    public void accepted(dev.wci.core.version.DeploymentVersion v, String id, long coldStartNanos) {
                    }
                });
        int slow = 0;
        int n = 20_000;
        long median = c.coldStartMedian().toNanos();
        for (int i = 0; i < n; i++) {
            if (lambda.drawColdStartForTest() >= SimLambda.SLOW_START_MIN_FACTOR * median) {
                slow++;
            }
        }
        double share = (double) slow / n;
        assertTrue(share > 0.015 && share < 0.03, "slow share " + share);
    }
}
