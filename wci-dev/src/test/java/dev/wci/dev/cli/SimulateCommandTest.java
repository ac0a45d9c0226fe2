package dev.wci.dev.cli;

import dev.wci.server.cli.Cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.scaling.ScalingPolicy;
import dev.wci.sim.ResultFormatter;
import dev.wci.sim.SimAlgorithm;
import dev.wci.sim.SimAlgorithms;
import dev.wci.sim.SimConfig;
import dev.wci.sim.SimRunner;
import dev.wci.sim.WciSimAlgorithm;
import dev.wci.sim.WorkloadKind;
import dev.wci.sim.WorkloadParams;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulateCommandTest {

    @Test
    void everyDevCommandsHelpFormatsWithoutAPicocliWarning() {
        // An unescaped '%' in a description makes picocli print a warning and the raw text instead.
        for (String command : List.of("simulate", "demo", "local-lambda", "bench-invoke", "run", "validate")) {
            Cli.Outcome o = Cli.runWith(WciDevCommand::execute, command, "--help");
            assertEquals(0, o.code(), command + ": " + o.err());
            assertTrue(!o.err().contains("picocli WARN") && !o.out().contains("picocli WARN"),
                    command + ": " + o.err());
        }
    }

    @Test
    void csvPrintsTheExactHeaderFirst(@TempDir Path dir) throws Exception {
        Path svg = dir.resolve("chart.svg");
        Cli.Outcome o = Cli.runWith(WciDevCommand::execute, "simulate", "--workload", "burst", "--format", "csv", "--chart", svg.toString());
        assertEquals(0, o.code(), o.err());
        String[] lines = o.out().split("\n");
        assertEquals("workload,algorithm,p50_s,p95_s,p99_s,max_s,tasks,invocations,worker_seconds,"
                + "idle_worker_seconds,peak_workers,throttles", lines[0]);
        assertEquals(4, lines.length); // header + wci, reference-no-sync, keda-like
        assertTrue(Files.readString(svg).startsWith("<?xml"));
    }

    @Test
    void tableIsTheDefault() {
        Cli.Outcome o = Cli.runWith(WciDevCommand::execute, "simulate", "--workload", "burst", "--algorithm", "keda-like", "--seed", "5");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("keda-like"), o.out());
        assertTrue(o.out().contains("p99/keda-like"), o.out());
    }

    /** The spikes workload through the simulator directly, with {@code wci} built by {@code factory}. */
    private static String spikesCsv(SimConfig config, Supplier<SimAlgorithm> factory) {
        SimAlgorithms registry = SimAlgorithms.empty().with(WciSimAlgorithm.NAME, factory);
        return ResultFormatter.csv(new SimRunner(registry, config, 1)
                .run(List.of(WorkloadKind.SPIKES.with(WorkloadParams.defaults())), List.of(WciSimAlgorithm.NAME)));
    }

    @Test
    void wciIsConfiguredForTheSimulatedWorkersIdleExit() {
        Cli.Outcome o = Cli.runWith(WciDevCommand::execute, "simulate", "--workload", "spikes", "--idle-exit", "off", "--algorithm", "wci",
                "--format", "csv");
        assertEquals(0, o.code(), o.err());
        SimConfig neverIdle = SimConfig.defaults().withIdleExit(null);
        ScalingPolicy matching = ScalingPolicy.builder().workerIdleExit(Duration.ZERO)
                .maxWorkersPerVersion(neverIdle.accountConcurrency()).maxWorkersTotal(neverIdle.accountConcurrency())
                .build();
        String expected = spikesCsv(neverIdle, () -> new WciSimAlgorithm(matching));
        String mismatched = spikesCsv(neverIdle, () -> new WciSimAlgorithm(matching.toBuilder()
                .maxWorkersPerVersion(2).build()));
        assertEquals(expected, o.out());
        // Guard that the check can fail: a scaler with other caps than the simulated account's decides otherwise.
        // (Its idle exit alone no longer shows: the simulated census tells the scaler when workers exit.)
        assertTrue(!expected.equals(mismatched), mismatched);
    }

    @Test
    void badParametersPrintOneLine() {
        for (String[] args : new String[][] {
                {"simulate", "--workload", "nope"},
                {"simulate", "--algorithm", "nope"},
                {"simulate", "--format", "xml"},
                {"simulate", "--idle-exit", "soon"},
                {"simulate", "--slots", "0"},
                {"simulate", "--rate", "-1"},
                {"simulate", "--random", "0"},
                {"simulate", "--random", "3", "--slots", "4"},
                {"simulate", "--random", "3", "--threads", "0"},
                {"simulate", "--task-sigma", "9"}}) {
            Cli.Outcome o = Cli.runWith(WciDevCommand::execute, args);
            assertEquals(2, o.code(), String.join(" ", args));
            assertEquals(1, o.err().strip().lines().count(), o.err());
            assertTrue(o.err().startsWith("wci: "), o.err());
        }
    }

    @Test
    void frontierRefusesWhatItCannotUseWithOneLine() {
        for (String[][] c : new String[][][] {
                {{"simulate", "--frontier"}, {"--frontier needs --random N"}},
                {{"simulate", "--frontier", "--workload", "burst"}, {"--frontier needs --random N"}},
                {{"simulate", "--random", "3", "--frontier", "--algorithm", "wci"}, {"drop --algorithm"}},
                {{"simulate", "--random", "3", "--frontier", "--slots", "4"}, {"drop --slots"}},
                {{"simulate", "--random", "3", "--frontier", "--format", "xml"}, {"unknown format 'xml'"}}}) {
            Cli.Outcome o = Cli.runWith(WciDevCommand::execute, c[0]);
            assertEquals(2, o.code(), String.join(" ", c[0]));
            assertEquals(1, o.err().strip().lines().count(), o.err());
            assertTrue(o.err().startsWith("wci: ") && o.err().contains(c[1][0]), o.err());
        }
    }

    @Test
    void frontierPrintsTheDrawsAboveTheGoalAndTheirVerdicts() {
        Cli.Outcome o = Cli.runWith(WciDevCommand::execute, "simulate", "--random", "5", "--seed", "1", "--frontier",
                "--threads", "1");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().startsWith("cost frontier: seed 1, 1 of 5 draws"), o.out());
        assertTrue(o.out().contains("#4 diurnal") && o.out().contains("winnable"), o.out());
        Cli.Outcome csv = Cli.runWith(WciDevCommand::execute, "simulate", "--random", "5", "--seed", "1", "--frontier",
                "--threads", "1", "--format", "csv");
        assertEquals(0, csv.code(), csv.err());
        assertTrue(csv.out().startsWith("draw,seed,workload,best_p99_s,"), csv.out());
        assertEquals(2, csv.out().lines().count(), csv.out());
    }

    @Test
    void randomPrintsTheSummaryAndWorstDrawsWhoseCommandReRunsThemAlone() {
        Cli.Outcome o = Cli.runWith(WciDevCommand::execute, "simulate", "--random", "6", "--seed", "3", "--threads", "2");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("random workloads: 6 draws, seed 3"), o.out());
        for (String a : List.of("wci", "reference-no-sync", "keda-like")) {
            assertTrue(o.out().contains("worst draws of " + a + ":"), o.out());
        }
        Cli.Outcome csv = Cli.runWith(WciDevCommand::execute, "simulate", "--random", "6", "--seed", "3", "--format", "csv", "--threads", "1");
        assertEquals(0, csv.code(), csv.err());
        String[] rows = csv.out().split("\n");
        assertEquals(1 + 6 * 3, rows.length);
        // The first row's command, run alone, gives the same p99 and worker-seconds for wci.
        String row = rows[1];
        String command = row.substring(row.lastIndexOf(",\"") + 2, row.length() - 1);
        String[] args = command.substring("bin/wci ".length()).split(" ");
        String[] withCsv = java.util.Arrays.copyOf(args, args.length + 4);
        withCsv[args.length] = "--format";
        withCsv[args.length + 1] = "csv";
        withCsv[args.length + 2] = "--algorithm";
        withCsv[args.length + 3] = "wci";
        Cli.Outcome alone = Cli.runWith(WciDevCommand::execute, withCsv);
        assertEquals(0, alone.code(), alone.err());
        String[] cells = row.split(",");
        String[] aloneCells = alone.out().split("\n")[1].split(",");
        assertEquals("wci", cells[3]);
        assertEquals(Double.parseDouble(cells[4]), Double.parseDouble(aloneCells[4]), 0.0005, command);
        assertEquals(Double.parseDouble(cells[7]), Double.parseDouble(aloneCells[8]), 0.051, command);
    }
}
