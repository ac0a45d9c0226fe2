package dev.wci.core.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.scaling.DecisionReason;
import dev.wci.core.scaling.ScaleDecision;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The real scaler driven by the simulator: the behaviour the comparison rests on. */
class WciSimAlgorithmTest {

    private static SimResult run(WorkloadKind kind, SimAlgorithm algorithm) {
        Workload w = kind.with(WorkloadParams.defaults());
        return new Simulation(w.name(), w.generate(new RandomStreams(1).workload()), algorithm, SimConfig.defaults(),
                w.versions(), new RandomStreams(1)).runAtLeast(w.duration()).run();
    }

    @Test
    void aBurstFromZeroIsSizedFromTheFirstBatchNotOneWorkerAtATime() {
        WciSimAlgorithm wci = new WciSimAlgorithm();
        SimResult r = run(WorkloadKind.BURST, wci);
        List<ScaleDecision> decisions = wci.audit().recent();
        ScaleDecision first = decisions.get(0);
        assertEquals(DecisionReason.SCALE_FROM_ZERO, first.reason());
        ScaleDecision sized = decisions.stream().filter(d -> d.inputs().backlog() >= 900).findFirst().orElseThrow();
        assertTrue(sized.count() >= 10, "the 1 000-task batch starts many workers at once: " + sized);
        assertEquals(1000, r.tasks());
        assertEquals(0, r.unfinished());
        assertEquals(0, r.throttles());
    }

    @Test
    void onABurstWciHasTheLowestTailLatency() {
        double wci = run(WorkloadKind.BURST, new WciSimAlgorithm()).p99();
        double reference = run(WorkloadKind.BURST, new ReferenceNoSyncAlgorithm()).p99();
        double keda = run(WorkloadKind.BURST, new KedaLikeAlgorithm()).p99();
        assertTrue(wci < reference && wci < keda, "p99 wci " + wci + ", reference " + reference + ", keda " + keda);
    }

    @Test
    void onSteadyArrivalsWciCostsLessThanTheReferenceAndKeepsUp() {
        SimResult wci = run(WorkloadKind.STEADY, new WciSimAlgorithm());
        SimResult reference = run(WorkloadKind.STEADY, new ReferenceNoSyncAlgorithm());
        assertTrue(wci.workerSeconds() < reference.workerSeconds(), wci + " vs " + reference);
        assertTrue(wci.p99() < 0.5, "p99 " + wci.p99());
        assertEquals(reference.tasks(), wci.tasks());
    }
}
