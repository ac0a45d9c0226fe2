package dev.wci.dev.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wci.local.lambda.ExecutionMode;
import dev.wci.lambda.worker.it.DevServerExtension;
import dev.wci.server.prometheus.PrometheusBinaries;
import dev.wci.server.prometheus.PrometheusServer;
import dev.wci.server.push.v1.EventResult;
import dev.wci.server.push.v1.ReportRequest;
import dev.wci.server.push.v1.SignalPushGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue #14: a healthy run watched by a real Prometheus ({@link PrometheusServer}: the shipped job and rules, durations
 * compressed): no WCI alert fires, and every query of the Grafana dashboard returns data of the shape its panel
 * expects. Push and a budget are on so that their panels have data too.
 */
@ExtendWith(DevServerExtension.class)
class MonitoringIT {

    static final String TOKEN = "e2e-monitoring-token-0123456789";

    /** Grafana's {@code $__rate_interval} for a 2 s scrape is 8 s; a little more keeps sparse counters visible. */
    static final String RATE_INTERVAL = "10s";

    /** Metrics documented (docs/metrics.md) as absent in a run like this one: their queries may return nothing. */
    static final List<String> ABSENT_WHEN_HEALTHY = List.of(
            "wci_target_mutable" // only for versions with allowMutableTarget, which would raise WciMutableTarget
    );

    @Test
    void aHealthyRunFiresNoAlertAndEveryDashboardQueryHasData(DevServerExtension.DevServer server) throws Exception {
        String signals = """
                signals:
                  push:
                    enabled: true
                    listen: 127.0.0.1:0
                    token: %s
                """.formatted(TOKEN);
        String budget = "      workerSecondsPerHourPerVersion: 100000\n";
        try (WciTestBed bed = new WciTestBed(server, 1, ExecutionMode.PROCESS, signals, budget)) {
            PrometheusServer prometheus = bed.startPrometheus();
            FaultsIT.settle(bed);
            FaultsIT.awaitDone(FaultsIT.start(bed, "healthy", 20, 200), Duration.ofSeconds(180));
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", bed.wci.pushPort()).usePlaintext()
                    .build();
            try {
                EventResult pushed = SignalPushGrpc.newBlockingStub(channel)
                        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(PushSourceIT.bearer(TOKEN)))
                        .report(ReportRequest.newBuilder().addEvents(PushSourceIT.event(bed, "v1")).build())
                        .getResults(0);
                assertEquals(EventResult.Status.STATUS_ACCEPTED, pushed.getStatus());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            FaultsIT.awaitNoWorker(bed);

            // Long enough that a condition true since the start would have outlasted every (compressed) `for`.
            Duration longestFor = Duration.ofMinutes(10).dividedBy(PrometheusServer.TIME_COMPRESSION);
            await().atMost(Duration.ofMinutes(5)).until(() -> Duration.between(prometheus.started(), Instant.now())
                    .compareTo(longestFor.plusSeconds(5)) > 0);
            long run = Duration.between(prometheus.started(), Instant.now()).toSeconds() + 1;
            JsonNode fired = prometheus.query("max_over_time(ALERTS{alertstate=\"firing\"}[" + run + "s])");
            JsonNode pending = prometheus.query("max_over_time(ALERTS{alertstate=\"pending\"}[" + run + "s])");
            JsonNode scrapes = prometheus.query("count_over_time(up{job=\"wci\"}[" + run + "s])"
                    + " - sum_over_time(up{job=\"wci\"}[" + run + "s])");
            JsonNode slowest = prometheus.query("max_over_time(scrape_duration_seconds{job=\"wci\"}[" + run + "s])");
            System.out.printf("MONITORING healthy run (%d s watched): alerts fired %s, pending at some point %s;"
                            + " failed scrapes %s, slowest scrape %s s%n", run, names(fired), names(pending),
                    scrapes.path(0).path("value").path(1).asText(), slowest.path(0).path("value").path(1).asText());
            List<String> checked = checkDashboard(prometheus, bed);
            System.out.printf("MONITORING dashboard: %d queries returned data of their panel's shape%n", checked.size());
            assertEquals(0, fired.size(), "no alert fires in a healthy run: " + fired);
        }
    }

    private static TreeSet<String> names(JsonNode alerts) {
        TreeSet<String> out = new TreeSet<>();
        alerts.forEach(a -> out.add(a.path("metric").path("alertname").asText()));
        return out;
    }

    /**
     * Runs every panel query of docker/grafana/wci-dashboard.json over the run as Grafana does (a range query, the
     * deployment and build ID variables at "All"), and checks each returns series that carry the labels its legend
     * names and hold at least one number; and that the variables' own queries list the test's deployment and version.
     */
    static List<String> checkDashboard(PrometheusServer prometheus, WciTestBed bed) throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(
                PrometheusBinaries.DOCKER.resolve("grafana/wci-dashboard.json").toFile());
        assertTrue(prometheus.labelValues("deployment", "wci_workers").contains(bed.deployment));
        assertTrue(prometheus.labelValues("build_id", "wci_workers{deployment=~\"" + bed.deployment + "\"}")
                .contains("v1"));
        List<String> checked = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Pattern legendLabel = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}");
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                String query = expr.replace("$__rate_interval", RATE_INTERVAL)
                        .replace("$deployment", ".*").replace("$build_id", ".*");
                String where = "panel \"" + panel.path("title").asText() + "\": " + expr;
                JsonNode data = prometheus.queryRange(query, prometheus.started(), 1);
                JsonNode series = data.path("result");
                if (!"matrix".equals(data.path("resultType").asText())) {
                    problems.add(where + " -> " + data.path("resultType").asText() + ", not a matrix");
                    continue;
                }
                if (series.isEmpty() && ABSENT_WHEN_HEALTHY.stream().anyMatch(expr::contains)) {
                    checked.add(expr);
                    continue;
                }
                if (series.isEmpty()) {
                    problems.add(where + " -> no series");
                    continue;
                }
                Matcher m = legendLabel.matcher(target.path("legendFormat").asText());
                while (m.find()) {
                    for (JsonNode s : series) {
                        if (!s.path("metric").has(m.group(1))) {
                            problems.add(where + " -> a series without label " + m.group(1) + ": " + s.path("metric"));
                        }
                    }
                }
                boolean aNumber = false;
                for (JsonNode s : series) {
                    for (JsonNode point : s.path("values")) {
                        aNumber |= Double.isFinite(Double.parseDouble(point.get(1).asText()));
                    }
                }
                if (!aNumber) {
                    problems.add(where + " -> no finite value");
                }
                checked.add(expr);
            }
        }
        assertTrue(problems.isEmpty(), "dashboard queries without the data their panel expects:\n"
                + String.join("\n", problems));
        assertTrue(checked.size() >= 30, "dashboard queries checked: " + checked.size());
        return checked;
    }
}
