package dev.wci.sim;

import static dev.wci.sim.SimTestSupport.tasksAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.signal.SyncMatchFailure.Origin;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BaselinesTest {

    private static final SimConfig BASE = SimConfig.defaults();

    @Test
    void referenceInvokesExactlyOneWorkerPerDecisionWhateverTheBacklog() {
        double[] burst = new double[1000];
        java.util.Arrays.fill(burst, 10);
        SimTestSupport.Recording rec = new SimTestSupport.Recording(new ReferenceNoSyncAlgorithm());
        SimResult r = SimTestSupport.run(tasksAt(5, burst), rec, BASE);
        assertFalse(rec.calls.isEmpty());
        for (SimTestSupport.Call c : rec.calls) {
            assertEquals(1, c.request().count());
        }
        // Signal at 10 s (count 1, at once), batched signal at 10.5 s (999), then backlog polls at 60, 120, ...
        assertEquals(10_000_000_000L, rec.calls.get(0).atNanos());
        assertEquals(10_500_000_000L, rec.calls.get(1).atNanos());
        assertEquals(60_000_000_000L, rec.calls.get(2).atNanos());
        assertEquals(1, rec.signals.get(0).notMatchedCount());
        assertEquals(999, rec.signals.get(1).notMatchedCount());
        assertEquals(1000, r.tasks());
    }

    @Test
    void referenceRespectsItsCoolOff() {
        ReferenceNoSyncAlgorithm ref = new ReferenceNoSyncAlgorithm();
        SimTestSupport.Recording rec = new SimTestSupport.Recording(ref);
        SimAlgorithm driver = new SimAlgorithm() {
            @Override
            public String name() {
                return ref.name();
            }

            @Override
            public boolean usesPushSignals() {
                return false; // signals are injected by hand below
            }

            @Override
            public void start(SimContext ctx) {
                rec.start(ctx);
                var v = ctx.groups().get(0).id().version();
                for (double t : new double[] {1.0, 1.0, 1.05, 1.099, 1.1, 1.15, 1.3}) {
                    ctx.schedule(Duration.ofNanos(SimTestSupport.s(t)), () -> ref.onSyncMatchFailure(
                            new SyncMatchFailure(v, "q", dev.wci.core.version.TaskQueueType.ACTIVITY, 1, 0,
                                    ctx.clock().instant(), Origin.PUSH)));
                }
            }
        };
        SimTestSupport.run(tasksAt(1, 2), driver, BASE);
        List<Long> at = rec.calls.stream().map(SimTestSupport.Call::atNanos).toList();
        assertEquals(List.of(1_000_000_000L, 1_100_000_000L, 1_300_000_000L), at.subList(0, 3));
        assertEquals(4, ref.droppedByCoolOff());
    }

    @Test
    void referencePollsBacklogEverySixtySecondsAndRefreshesEveryTenMinutes() {
        // One task that never finds a worker fast enough: 1-slot workers die at once with a 1 ms idle exit,
        // so the backlog persists; ignore push signals to see only polls and refreshes.
        SimConfig c = BASE.withLifetime(Duration.ofSeconds(2), Duration.ofSeconds(1))
                .withColdStart(Duration.ofSeconds(1), Duration.ofSeconds(1)).withDrainLimit(Duration.ofMinutes(11));
        ReferenceNoSyncAlgorithm ref = new ReferenceNoSyncAlgorithm();
        SimTestSupport.Recording rec = new SimTestSupport.Recording(new SimAlgorithm() {
            @Override
            public String name() {
                return ref.name();
            }

            @Override
            public void start(SimContext ctx) {
                ref.start(ctx);
            }

            @Override
            public boolean usesPushSignals() {
                return false;
            }
        });
        // A task of 100 s never fits in a 1 s useful lifetime: it is retried until the horizon.
        SimResult r = SimTestSupport.run(tasksAt(100, 0.5), rec, c);
        List<String> reasons = rec.calls.stream().map(x -> x.request().reason() + "@" + x.atNanos() / 1_000_000_000L).toList();
        assertEquals("BACKLOG@60", reasons.get(0));
        assertEquals("BACKLOG@120", reasons.get(1));
        assertTrue(reasons.contains("REFRESH@600"), reasons.toString());
        assertTrue(reasons.contains("BACKLOG@600") || reasons.contains("BACKLOG@660"), reasons.toString());
        assertEquals(1, r.unfinished());
    }

    @Test
    void kedaDesiredIsCeilBacklogOverFiveMinusLive() {
        assertEquals(0, KedaLikeAlgorithm.desired(0));
        assertEquals(1, KedaLikeAlgorithm.desired(1));
        assertEquals(1, KedaLikeAlgorithm.desired(5));
        assertEquals(2, KedaLikeAlgorithm.desired(6));
        assertEquals(200, KedaLikeAlgorithm.desired(1000));
        assertEquals(150, KedaLikeAlgorithm.toInvoke(1000, 50));
        assertEquals(0, KedaLikeAlgorithm.toInvoke(10, 5));
    }

    @Test
    void kedaPollsEveryThirtySecondsAndInvokesTheDifferenceInOneCall() {
        double[] burst = new double[1000];
        java.util.Arrays.fill(burst, 10);
        SimTestSupport.Recording rec = new SimTestSupport.Recording(new KedaLikeAlgorithm());
        SimResult r = SimTestSupport.run(tasksAt(5, burst), rec, BASE);
        // Poll at 0 sees nothing; the poll at 30 s sees (as of 25 s) 1000 tasks and no worker: 200 at once.
        assertEquals(30_000_000_000L, rec.calls.get(0).atNanos());
        assertEquals(200, rec.calls.get(0).request().count());
        assertEquals(200, r.invocations());
        assertEquals(0, r.throttles());
        assertEquals(1000, r.tasks());
        for (SimTestSupport.Call c : rec.calls) {
            assertEquals(0, c.atNanos() % 30_000_000_000L, "polls on the 30 s grid");
        }
    }

    @Test
    void registryListsBaselinesAndAddingOneIsOneCall() {
        SimAlgorithms reg = SimAlgorithms.defaults();
        assertEquals(List.of("wci", "reference-no-sync", "keda-like"), reg.names());
        SimAlgorithms more = reg.with("script", () -> SimTestSupport.script(ctx -> { }));
        assertEquals(4, more.names().size());
        assertEquals(3, reg.names().size(), "registries are immutable");
        assertEquals("keda-like", reg.create("keda-like").name());
    }
}
