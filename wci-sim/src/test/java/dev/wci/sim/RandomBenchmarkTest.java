package dev.wci.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class RandomBenchmarkTest {

    private static final List<String> ALGS = List.of(WciSimAlgorithm.NAME, ReferenceNoSyncAlgorithm.NAME);

    @Test
    void theBandIsTenPercentOrHalfASecondWhicheverIsWider() {
        assertEquals(0.5, RandomBenchmark.bandLimit(0), 1e-9);
        assertEquals(4.5, RandomBenchmark.bandLimit(4), 1e-9);
        assertEquals(22, RandomBenchmark.bandLimit(20), 1e-9);
    }

    @Test
    void summarySharesRatiosAndWorstDraws() {
        List<RandomDraw> draws = RandomWorkloads.draw(1, 4);
        List<RandomBenchmark.DrawResult> results = List.of(
                result(draws.get(0), 0.4, 100, 0.0, 100),   // in band (0.4 <= 0.5), 1.0x
                result(draws.get(1), 2.0, 300, 1.0, 100),   // out by 0.5 s, 3.0x
                result(draws.get(2), 10.9, 50, 10.0, 100),  // in band (<= 11), 0.5x
                result(draws.get(3), 30.0, 200, 10.0, 100)); // out by 19 s, 2.0x
        RandomBenchmark.Summary wci = RandomBenchmark.summarize(results, ALGS).get(0);
        assertEquals(0.5, wci.inBand(), 1e-9);
        assertEquals(1.0, wci.workerP50(), 1e-9); // sorted 0.5, 1, 2, 3: nearest rank 2
        assertEquals(3.0, wci.workerP90(), 1e-9);
        assertEquals(List.of(3, 1, 0, 2), wci.worst().stream().map(d -> d.draw().index()).toList());
        RandomBenchmark.Summary ref = RandomBenchmark.summarize(results, ALGS).get(1);
        assertEquals(1.0, ref.inBand(), 1e-9);
        assertEquals(1.0, ref.workerP90(), 1e-9);
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        List<RandomDraw> draws = RandomWorkloads.draw(5, 4);
        SimAlgorithms registry = SimAlgorithms.defaults();
        String one = RandomBenchmark.csv(RandomBenchmark.run(registry, draws, ALGS, 1), ALGS);
        String two = RandomBenchmark.csv(RandomBenchmark.run(registry, draws, ALGS, 2), ALGS);
        assertEquals(one, two);
    }

    private static RandomBenchmark.DrawResult result(RandomDraw d, double wciP99, double wciWs, double refP99,
                                                     double refWs) {
        return new RandomBenchmark.DrawResult(d, List.of(sim(WciSimAlgorithm.NAME, wciP99, wciWs),
                sim(ReferenceNoSyncAlgorithm.NAME, refP99, refWs)));
    }

    private static SimResult sim(String alg, double p99, double workerSeconds) {
        return new SimResult("steady", alg, 0, 0, p99, p99, 1, 1, workerSeconds, 0, 1, 0, 0, 0, 1,
                new SimResult.TimeSeries(1, new int[0], new int[0]));
    }
}
