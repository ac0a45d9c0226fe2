package dev.wci.dev.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.local.lambda.ExecutionMode;
import dev.wci.lambda.worker.it.DevServerExtension;
import dev.wci.local.DevServerProcess;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #6: scale-from-zero driven by the {@code matching-metrics} source alone (stats polling off), and, on the
 * same dev server in the same run, by {@code temporal-stats} alone: prints both detection latencies (task
 * scheduled → invoke received) side by side.
 */
class SignalSourcesIT {

    static final int ROUNDS = 5;

    @Test
    void matchingMetricsScalesFromZeroAndIsComparedWithStatsPolling(@TempDir Path dir) throws Exception {
        try (DevServerProcess server = DevServerProcess.start(DevServerProcess.Options.of(
                DevServerExtension.locateCli().orElseThrow(), dir.resolve("temporal.log")).withMetrics())) {
            String scrapeOnly = """
                    signals:
                      temporalStats:
                        enabled: false
                      matchingMetrics:
                        enabled: true
                        endpoints: [%s]
                    """.formatted(server.metricsEndpoint().orElseThrow());
            List<Long> scrape;
            double scrapeSignals;
            try (WciTestBed bed = new WciTestBed(server.target(), "default", 1, ExecutionMode.PROCESS, scrapeOnly, "",
                    "", Clock.systemUTC(), u -> u)) {
                scrape = bed.scaleFromZeroRounds(ROUNDS);
                scrapeSignals = bed.metric("wci_signals_total", "source=\"matching-metrics\"");
                assertEquals(0, bed.metric("wci_signals_total", "source=\"temporal-stats\""), 0.0);
            }
            List<Long> stats;
            double describeRate;
            try (WciTestBed bed = new WciTestBed(server.target(), "default", 1, ExecutionMode.PROCESS, "", "", "",
                    Clock.systemUTC(), u -> u)) {
                long t0 = System.nanoTime();
                stats = bed.scaleFromZeroRounds(ROUNDS);
                describeRate = bed.metric("wci_temporal_rpc_requests_total",
                        "method=\"DescribeWorkerDeploymentVersion\"") / ((System.nanoTime() - t0) / 1e9);
            }
            System.out.printf("E2E signal sources, %d scale-from-zero rounds each on one dev server (task scheduled ->"
                            + " invoke received): matching-metrics p50 %d ms p99 %d ms %s; temporal-stats p50 %d ms p99"
                            + " %d ms %s (DescribeWorkerDeploymentVersion %.2f calls/s for the one version)%n", ROUNDS,
                    WciTestBed.percentile(scrape, 0.5), WciTestBed.percentile(scrape, 0.99), scrape,
                    WciTestBed.percentile(stats, 0.5), WciTestBed.percentile(stats, 0.99), stats, describeRate);
            assertTrue(scrapeSignals >= ROUNDS, "every round was driven by scraped signals: " + scrapeSignals);
        }
    }
}
