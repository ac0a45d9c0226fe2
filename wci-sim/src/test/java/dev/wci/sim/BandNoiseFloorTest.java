package dev.wci.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Why no algorithm can be shown "in the band on ≥ 98 % of draws" by the random benchmark under its models (issue 10,
 * README): on a large class of draws the band (within max(10 %, 0.5 s) of the best p99) is narrower than the models'
 * own noise. The same algorithm, on the same tasks, run twice with different cold-start draws (the Lambda model's
 * lognormal and its 2 % slow-start tail), lands outside the band of its own better run on about a quarter of the draws:
 * where a version sees few tasks, or a burst's tail waits on a handful of cold starts, the p99 is one or two cold
 * starts, and one slow start (5-20× the median) decides it.
 *
 * <p>The consequence, for the benchmark's reading: if two algorithms were equally good, each would fall outside the
 * band of the better of the two on about half of those draws by luck alone (and of the best of three more often), so
 * an algorithm exactly as good as the best one on every draw would be in the band on roughly 1 − s/2 of draws, s being
 * the share measured here (about 88 % for s ≈ 25 %). Reaching 98 % would take beating the best algorithm by more than
 * the noise on nearly all such draws, which a scaler cannot do where the p99 is one cold start of a lone task. If a
 * model change makes this share small, the goal becomes measurable and this reading is stale.
 */
class BandNoiseFloorTest {

    private static final int DRAWS = 60;

    @Test
    void theReferenceAgainstItselfWithOtherColdStartsMissesItsOwnBandOnMoreThanATenthOfDraws() {
        List<String> outside = new ArrayList<>();
        for (RandomDraw d : RandomWorkloads.draw(1, DRAWS)) {
            Workload w = d.workload();
            SimConfig c = d.config();
            Arrivals arrivals = w.generate(new RandomStreams(d.seed()).workload());
            double a = p99(w, arrivals, c, d.seed());
            double b = p99(w, arrivals, c, d.seed() ^ 0x5DEECE66DL);
            if (Math.max(a, b) > RandomBenchmark.bandLimit(Math.min(a, b))) {
                outside.add(String.format("#%d %s: %.2f s vs %.2f s", d.index(), w.kind(), a, b));
            }
        }
        // 17 of the first 60 draws of seed 1 when written; a tenth is far above the 2 % the goal leaves.
        assertTrue(outside.size() >= DRAWS / 10, "only " + outside.size() + " draws outside: " + outside);
    }

    /** The reference's p99 on {@code arrivals}, with the Lambda model's cold starts drawn from {@code seed}. */
    private static double p99(Workload w, Arrivals arrivals, SimConfig c, long seed) {
        return new Simulation(w.name(), arrivals, new ReferenceNoSyncAlgorithm(), c, w.versions(), new RandomStreams(seed))
                .runAtLeast(w.duration()).run().p99();
    }
}
