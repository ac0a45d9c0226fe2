package dev.wci.sim;

import static dev.wci.sim.SimTestSupport.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12's comparison in the simulator: a burst, a trickle, an idle gap, a second burst, with stats as stale as
 * Temporal's cache makes them. Once the work drained and the workers exited idle (the census lists them stopping),
 * the stats still show the drained backlog and, for their 30 s window, the trickle's add rate: WCI must start no
 * worker on them during the gap, and must still answer the second burst.
 */
class IdleGapTest {

    private static final double TRICKLE_END_S = 40;
    private static final double SECOND_BURST_S = 120;

    private static Arrivals workload() {
        Arrivals.Builder b = new Arrivals.Builder();
        for (int i = 0; i < 100; i++) {
            b.add(0, s(1), 0);
        }
        for (double t = 10; t < TRICKLE_END_S; t += 1.0 / 6) { // 2 workflows/s, 3 tasks each
            b.add(s(t), s(1), 0);
        }
        for (int i = 0; i < 100; i++) {
            b.add(s(SECOND_BURST_S), s(1), 0);
        }
        return b.build();
    }

    @ParameterizedTest
    @ValueSource(longs = {5, 8, 10})
    void noWorkerIsStartedDuringTheIdleGapOnStaleStats(long stalenessSeconds) {
        SimConfig c = SimConfig.defaults().withStaleness(Duration.ofSeconds(stalenessSeconds))
                .withIdleExit(Duration.ofSeconds(10)).withSlots(1).withAccountConcurrency(10);
        SimTestSupport.Recording wci = new SimTestSupport.Recording(
                new WciSimAlgorithm(WciSimAlgorithm.policyFor(c)));
        SimResult r = new Simulation("idle-gap", workload(), wci, c, 1, new RandomStreams(7))
                .runAtLeast(Duration.ofSeconds(150)).run();
        assertEquals(0, r.unfinished());
        // The trickle's last tasks end by ~42 s (1 s each, a worker at hand); from then until the second burst
        // there is no work at all.
        List<SimTestSupport.Call> inGap = wci.calls.stream()
                .filter(call -> call.atNanos() > s(TRICKLE_END_S + 5) && call.atNanos() < s(SECOND_BURST_S)).toList();
        assertEquals(List.of(), inGap, "invokes during the idle gap");
        assertTrue(wci.calls.stream().anyMatch(call -> call.atNanos() >= s(SECOND_BURST_S)),
                "the second burst gets workers");
    }
}
