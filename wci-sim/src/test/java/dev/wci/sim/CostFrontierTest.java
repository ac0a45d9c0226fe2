package dev.wci.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's reading of the random benchmark's costly bursts: on these draws of seed 1 no oracle fleet started at
 * the first failure is in the band within 1.25× of the reference's worker-seconds, while on another one a small
 * fleet at the first failure is, at about half WCI's cost. If a model change flips a verdict, the README's figures (and docs/scaler.md) are stale.
 */
class CostFrontierTest {

    private static final List<String> ALGS = SimAlgorithms.defaults().names();

    private static RandomBenchmark.DrawResult draw(long seed, int index) {
        RandomDraw d = RandomWorkloads.draw(seed, index + 1).get(index);
        return RandomBenchmark.runOne(SimAlgorithms.defaults(), d, ALGS);
    }

    @Test
    void burstsOfSeedOneWhereBeingInBandCostsMoreThanAQuarterAboveTheReference() {
        // #17: 722 tasks of 2.7 s on 36 slots, one version; #28: 313 tasks of 0.7 s on one slot over 4 versions.
        for (int index : new int[] {17, 28}) {
            RandomBenchmark.DrawResult d = draw(1, index);
            assertEquals(WorkloadKind.BURST, d.draw().workload().kind());
            CostFrontier.Row row = CostFrontier.checkOne(d);
            assertEquals(CostFrontier.Verdict.UNWINNABLE, row.verdict(), "#" + index + ": " + row);
            assertTrue(row.cheapest().result().p99() <= RandomBenchmark.bandLimit(d.bestP99()), "#" + index);
            // A margin above the goal: #28's band widened when WCI stopped counting a stats growth and its pushed
            // tasks twice (its p99 14.4 -> 19.8 s at 1.54x instead of 1.83x), its frontier 1.34x (was above 1.4x).
            assertTrue(row.frontierRatio() > 1.3, "#" + index + ": " + row.frontierRatio());
            // The bound comes from the family, not from WCI's own run, and WCI pays no less. On #28 WCI pays it: since
            // a decision between a grown picture and its growth no longer counts the pushed tasks in the picture
            // twice, it starts 15 workers as the cheapest fleet in band does (p99 19.8 -> 26.6 s, in band, 1.54x ->
            // 1.34x).
            assertTrue(row.cheapest().name().startsWith("one-shot-") && row.frontierRatio() <= row.wciRatio(),
                    "#" + index + ": " + row.cheapest().name() + " at " + row.frontierRatio());
            assertTrue(row.runs() > 2, "#" + index + ": the sweep ran");
        }
    }

    @Test
    void aDrawWhereASmallFleetAtTheFirstFailureIsInBandIsWinnable() {
        // #71: on-off, 259 tasks/s of 40 s tasks, where 269 workers at the first failure are in the band at 1.08x the
        // reference's cost and WCI pays 1.60x (224 at 0.93x against 1.55x before the simulator counted rates as
        // Temporal's 5 s-bucket trackers do). Chosen for its margin: the band moves with WCI's own p99 (the best
        // algorithm's), so a draw at the edge (as #161 was, 1.26x) flips with scaler changes. (#133, pinned before,
        // flipped by WCI's own improvement: since a lone failure while a worker is ready no longer proves the
        // default throughput short, WCI is in band there at 0.94x, the cheapest run.)
        RandomBenchmark.DrawResult d = draw(1, 71);
        CostFrontier.Row row = CostFrontier.checkOne(d);
        assertEquals(CostFrontier.Verdict.WINNABLE, row.verdict(), row.toString());
        assertTrue(row.cheapest().name().startsWith("one-shot-"), row.cheapest().name());
        assertTrue(row.frontierRatio() <= CostFrontier.GOAL && row.wciRatio() > 1.45 * row.frontierRatio(),
                row.frontierRatio() + " vs " + row.wciRatio());
    }

    @Test
    void withAFleetOfZeroAndReactingTheFamilyIsTheReferenceItself() {
        RandomDraw d = RandomWorkloads.draw(1, 29).get(28);
        SimAlgorithms registry = SimAlgorithms.defaults().with(OneShotFleetAlgorithm.name(0, true),
                () -> new OneShotFleetAlgorithm(new int[d.workload().versions()], true));
        List<SimResult> r = new SimRunner(registry, d.config(), d.seed()).run(List.of(d.workload()),
                List.of(RandomBenchmark.REFERENCE, OneShotFleetAlgorithm.name(0, true)));
        assertEquals(r.get(0).summary().replace(RandomBenchmark.REFERENCE, "x"),
                r.get(1).summary().replace(OneShotFleetAlgorithm.name(0, true), "x"));
    }

    @Test
    void aDrawWhoseReferenceIsInBandIsWinnableWithoutASweep() {
        RandomBenchmark.DrawResult d = draw(1, 4); // diurnal, every algorithm at p99 0
        CostFrontier.Row row = CostFrontier.checkOne(d);
        assertEquals(CostFrontier.Verdict.WINNABLE, row.verdict());
        assertEquals(0, row.runs());
        assertTrue(row.frontierRatio() <= 1.0, row.toString());
    }

    @Test
    void theAchievableP90TakesTheFrontiersCostOnDecidedDrawsAndWcisOwnOnOpenOnes() {
        List<RandomDraw> draws = RandomWorkloads.draw(1, 10);
        List<RandomBenchmark.DrawResult> all = new java.util.ArrayList<>();
        for (RandomDraw d : draws) {
            all.add(result(d, 100)); // 1.0x
        }
        all.set(8, result(draws.get(8), 300)); // 3.0x, decided at 1.1x
        all.set(9, result(draws.get(9), 200)); // 2.0x, open
        CostFrontier.Row decided = new CostFrontier.Row(all.get(8), new CostFrontier.Member("one-shot-3",
                sim("one-shot-3", 110)), 5, CostFrontier.Verdict.WINNABLE);
        CostFrontier.Row open = new CostFrontier.Row(all.get(9), null, 5, CostFrontier.Verdict.OPEN);
        // Sorted 1.0 ×8, 1.1, 2.0: the 9th of 10 (nearest rank) is 1.1; WCI's own would be 2.0.
        assertEquals(1.1, CostFrontier.achievableP90(all, List.of(decided, open)), 1e-9);
        CostFrontier.Row openWithMember = new CostFrontier.Row(all.get(8), decided.cheapest(), 5,
                CostFrontier.Verdict.OPEN);
        // Open, its member's cost is not taken: sorted 1.0 ×8, 2.0, 3.0 gives WCI's own 2.0.
        assertEquals(2.0, CostFrontier.achievableP90(all, List.of(openWithMember, open)), 1e-9);
        String table = CostFrontier.table(1, all, List.of(decided, open));
        assertTrue(table.contains("2 draws above 1.25x: 0 unwinnable") && table.contains("1 winnable")
                && table.contains("1 open")
                && table.contains("p90 1.10x (goal 1.25x: feasible; 1 draws stay above it, 1 may)"), table);
        assertEquals(3, CostFrontier.csv(List.of(decided, open)).lines().count());
    }

    private static RandomBenchmark.DrawResult result(RandomDraw d, double wciWs) {
        return new RandomBenchmark.DrawResult(d, List.of(sim(WciSimAlgorithm.NAME, wciWs),
                sim(ReferenceNoSyncAlgorithm.NAME, 100)));
    }

    private static SimResult sim(String alg, double workerSeconds) {
        return new SimResult("steady", alg, 0, 0, 1, 1, 1, 1, workerSeconds, 0, 1, 0, 0, 0, 1,
                new SimResult.TimeSeries(1, new int[0], new int[0]));
    }
}
