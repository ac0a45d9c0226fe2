package dev.wci.dev.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import dev.wci.core.scaling.ScalingPolicy;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.local.lambda.ExecutionMode;
import dev.wci.local.lambda.InvocationOutcome;
import dev.wci.local.lambda.InvocationRecord;
import dev.wci.local.lambda.LocalFunctionVersion;
import dev.wci.lambda.worker.it.DevServerExtension;
import dev.wci.local.DevServerProcess;
import dev.wci.dev.demo.DemoWorkerHandler;
import dev.wci.dev.demo.DemoWorkflows;
import dev.wci.server.prometheus.PrometheusServer;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #6: faults against the real dev server and the local Lambda runtime (workers are real JVMs). Each test
 * prints the figures it observed ("FAULT ..." lines). Issue #14: a real Prometheus scrapes WCI in each test with the
 * shipped job and alert rules (durations compressed, see {@link PrometheusServer}), and each fault must raise its
 * alert there.
 */
@ExtendWith(DevServerExtension.class)
class FaultsIT {

    /** Scaling overrides that make a modest load want several workers (slow per-worker throughput). */
    static final String WANT_MANY = """
                  defaultWorkerThroughput: 0.5
                  invokeRatePerTarget: 5
                  invokeBurstPerTarget: 5
            """;

    static List<WorkflowStub> start(WciTestBed bed, String name, int n, int activityMillis) {
        List<WorkflowStub> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            DemoWorkflows.Pinned wf = bed.client.newWorkflowStub(DemoWorkflows.Pinned.class, WorkflowOptions.newBuilder()
                    .setTaskQueue(bed.taskQueue).setWorkflowId(bed.id + "-" + name + "-" + i).build());
            WorkflowClient.start(wf::run, false, activityMillis);
            out.add(WorkflowStub.fromTyped(wf));
        }
        return out;
    }

    static void awaitDone(List<WorkflowStub> workflows, Duration within) throws Exception {
        for (WorkflowStub wf : workflows) {
            assertEquals("v1", wf.getResult(within.toSeconds(), TimeUnit.SECONDS, DemoWorkflows.Result.class).buildId());
        }
    }

    static final Set<String> PENDING_OR_FIRING = Set.of("pending", "firing");
    static final Set<String> FIRING = Set.of("firing");

    /** Waits for {@code alert} with {@code labels} in one of {@code states} in Prometheus, and prints what it saw. */
    static void awaitAlert(PrometheusServer prometheus, String alert, Set<String> states, Map<String, String> labels)
            throws Exception {
        JsonNode a = prometheus.awaitAlert(alert, states, labels, Duration.ofSeconds(180));
        System.out.printf("FAULT alert: %s %s %s; all pending or firing now: %s%n", alert, a.path("state").asText(),
                a.path("labels"), prometheus.alerts().stream()
                        .map(x -> x.path("labels").path("alertname").asText() + "=" + x.path("state").asText())
                        .sorted().distinct().toList());
    }

    static Map<String, String> v1(WciTestBed bed) {
        return Map.of("deployment", bed.deployment, "build_id", "v1");
    }

    /** Ready to measure: v1 bootstrapped and Current, no worker live. */
    static void settle(WciTestBed bed) {
        await().atMost(Duration.ofSeconds(60)).until(() -> !bed.invocations(1).isEmpty());
        bed.setCurrent("v1");
        awaitNoWorker(bed);
    }

    static void awaitNoWorker(WciTestBed bed) {
        DeploymentVersion v1 = new DeploymentVersion(bed.deployment, "v1");
        await().atMost(Duration.ofSeconds(90)).until(() -> bed.runtime.inFlight() == 0 && bed.wci.scaler().live(v1) == 0);
    }

    /** Most invocations the runtime ran at the same time (still-running ones count until now). */
    static int maxRunning(List<InvocationRecord> records) {
        List<long[]> edges = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (InvocationRecord r : records) {
            if (r.startedAt() != null) {
                edges.add(new long[] {r.startedAt().toEpochMilli(), 1});
                edges.add(new long[] {r.endedAt() == null ? now : r.endedAt().toEpochMilli(), -1});
            }
        }
        // Ends before starts at the same instant: a worker replaced exactly as it ended is not two at once.
        edges.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int running = 0;
        int max = 0;
        for (long[] e : edges) {
            running += (int) e[1];
            max = Math.max(max, running);
        }
        return max;
    }

    /** Most invoke requests the runtime received within any one second. */
    static int maxPerSecond(List<InvocationRecord> records) {
        return maxWithin(records, Duration.ofSeconds(1));
    }

    /** Most invoke requests the runtime received within any {@code window}. */
    static int maxWithin(List<InvocationRecord> records, Duration window) {
        List<Instant> at = records.stream().map(InvocationRecord::receivedAt).sorted().toList();
        int max = 0;
        for (int i = 0, j = 0; i < at.size(); i++) {
            while (Duration.between(at.get(j), at.get(i)).compareTo(window) >= 0) {
                j++;
            }
            max = Math.max(max, i - j + 1);
        }
        return max;
    }

    @Test
    void throttlingBacksOffWithoutStormAndEverythingCompletesWhenCapacityReturns(DevServerExtension.DevServer server)
            throws Exception {
        try (WciTestBed bed = new WciTestBed(server, 1, ExecutionMode.PROCESS, "", WANT_MANY)) {
            PrometheusServer prometheus = bed.startPrometheus();
            settle(bed);
            // Concurrency 3 while WCI wants more: some invokes are throttled, the work still gets done.
            bed.runtime.setAccountConcurrencyLimit(3);
            int before = bed.invocations(1).size();
            awaitDone(start(bed, "limited", 30, 3000), Duration.ofSeconds(180));
            long throttledAtThree = bed.invocations(1).stream().skip(before)
                    .filter(r -> r.outcome() == InvocationOutcome.THROTTLED).count();
            awaitNoWorker(bed);

            // No capacity at all: every invoke is throttled; WCI backs off instead of storming.
            bed.runtime.setAccountConcurrencyLimit(0);
            Instant zeroFrom = Instant.now();
            List<WorkflowStub> waiting = start(bed, "starved", 10, 500);
            long zeroUntil = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            // The throttling alert's condition holds (its 10 min `for` would make it fire later).
            awaitAlert(prometheus, "WciLambdaThrottling", PENDING_OR_FIRING, v1(bed));
            await().atMost(Duration.ofSeconds(80)).until(() -> System.nanoTime() > zeroUntil);
            Instant zeroTo = zeroFrom.plusSeconds(20);
            JsonNode backoff = bed.status().at("/deployments/0/versions/0/scaler/throttleBackoffUntil");
            bed.runtime.setAccountConcurrencyLimit(20);
            Instant restored = Instant.now();
            awaitDone(waiting, Duration.ofSeconds(180));
            Duration recovery = Duration.between(restored, Instant.now());

            List<InvocationRecord> all = bed.invocations(1).subList(before, bed.invocations(1).size());
            long duringZero = all.stream().filter(r -> !r.receivedAt().isBefore(zeroFrom)
                    && r.receivedAt().isBefore(zeroTo)).count();
            int maxRate = maxPerSecond(all);
            System.out.printf("FAULT throttling: at concurrency 3, %d of the invokes throttled and all 30 workflows"
                            + " done; at 0, %d invoke requests in 20 s (all throttled), backoff in /status until %s;"
                            + " max %d invoke requests/s over the test (limit 5/s, burst 5); the 10 starved workflows"
                            + " done %.1f s after capacity returned%n", throttledAtThree, duringZero, backoff.asText(),
                    maxRate, recovery.toMillis() / 1000.0);
            assertTrue(throttledAtThree >= 1, "concurrency 3 throttled some invokes");
            assertTrue(maxRate <= 10, "never past burst + 1 s of rate: " + maxRate);
            assertTrue(duringZero >= 1 && duringZero <= 15, "backs off instead of storming: " + duringZero);
            assertTrue(bed.metric("wci_invocations_total", "result=\"throttled\"") >= 1);
        }
    }

    @Test
    void unavailableAndSlowLambdaGetBoundedRetriesBackoffAndRecovery(DevServerExtension.DevServer server)
            throws Exception {
        WireMockServer gateway = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        gateway.start();
        // backoffMax 15 s (default 60 s) bounds how long recovery can take after the fault ends.
        try (WciTestBed bed = new WciTestBed(server.target(), server.namespace(), 1, ExecutionMode.PROCESS, "",
                WANT_MANY + "      backoffMax: 15s\n", "  invokeTimeout: 2s\n  maxRetries: 2", Clock.systemUTC(),
                runtime -> {
                    gateway.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().proxiedFrom(runtime.toString())));
                    return URI.create("http://127.0.0.1:" + gateway.port());
                })) {
            PrometheusServer prometheus = bed.startPrometheus();
            settle(bed);
            StubMapping unavailable = gateway.stubFor(post(urlPathMatching("/2015-03-31/functions/.*/invocations"))
                    .atPriority(1).willReturn(aResponse().withStatus(503)
                            .withHeader("x-amzn-ErrorType", "ServiceException")
                            .withHeader("Content-Type", "application/json")
                            .withBody("{\"Type\":\"Service\",\"message\":\"Service unavailable\"}")));
            int before = bed.invocations(1).size();
            List<WorkflowStub> wfs = start(bed, "unavailable", 10, 500);
            long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            await().atMost(Duration.ofSeconds(75)).until(() -> System.nanoTime() > until);
            int failedRequests = gateway.findAll(postRequestedFor(urlPathMatching(".*/invocations"))).size();
            double unavailableResults = bed.metric("wci_invocations_total", "result=\"unavailable\"");
            awaitAlert(prometheus, "WciInvokeFailures", PENDING_OR_FIRING, v1(bed));
            gateway.removeStub(unavailable);

            // Slow: every invoke outlasts the 2 s call timeout.
            StubMapping slow = gateway.stubFor(post(urlPathMatching("/2015-03-31/functions/.*/invocations"))
                    .atPriority(1).willReturn(aResponse().withStatus(202).withFixedDelay(5_000)));
            gateway.resetRequests();
            long slowUntil = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            await().atMost(Duration.ofSeconds(70)).until(() -> System.nanoTime() > slowUntil);
            int slowRequests = gateway.findAll(postRequestedFor(urlPathMatching(".*/invocations"))).size();
            gateway.removeStub(slow);

            Instant healed = Instant.now();
            awaitDone(wfs, Duration.ofSeconds(180));
            System.out.printf("FAULT unavailable: %d HTTP invoke attempts in 15 s of 503s (%.0f invocations failed"
                            + " UNAVAILABLE, one HTTP attempt each), %d attempts in 10 s of 5 s stalls; recovered, all done"
                            + " %.1f s after healing; runtime saw %d invocations%n", failedRequests, unavailableResults,
                    slowRequests, Duration.between(healed, Instant.now()).toMillis() / 1000.0,
                    bed.invocations(1).size() - before);
            assertTrue(unavailableResults >= 1);
            // 3 attempts per invocation at most (maxRetries 2), and the backoff spaces the decisions out.
            // Bound: at most 3 attempts per invocation (maxRetries 2) x 5 invocations per request (the rate bucket)
            // x 5 requests in 15 s (backoff 1, 2, 4, 8 s). Without the backoff a request would go every 250 ms
            // tick: some 900 attempts.
            assertTrue(failedRequests <= 75, "bounded retries: " + failedRequests);
            assertTrue(slowRequests <= 75, "bounded under timeouts: " + slowRequests);
        } finally {
            gateway.stop();
        }
    }

    @Test
    void temporalRestartMidBurst(@TempDir Path dir) throws Exception {
        // Its own server, its state in a file: restarted on the same port, it still knows the workflows.
        DevServerProcess.Options options = DevServerProcess.Options.of(DevServerExtension.locateCli().orElseThrow(),
                dir.resolve("temporal.log")).withDatabase(dir.resolve("temporal.db"));
        DevServerProcess temporal = DevServerProcess.start(options);
        String address = temporal.target();
        try (WciTestBed bed = new WciTestBed(address, "default", 1, ExecutionMode.PROCESS, "", WANT_MANY, "",
                Clock.systemUTC(), u -> u)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> bed.get("/readyz").statusCode() == 200);
            PrometheusServer prometheus = bed.startPrometheus();
            settle(bed);
            int before = bed.invocations(1).size();
            List<WorkflowStub> wfs = start(bed, "restart", 20, 4000);
            await().atMost(Duration.ofSeconds(60)).until(() -> bed.invocations(1).size() > before);

            temporal.close();
            Instant down = Instant.now();
            await().atMost(Duration.ofSeconds(30)).until(() -> bed.get("/readyz").statusCode() == 503);
            Duration notReadyAfter = Duration.between(down, Instant.now());
            // Down until the alert fires: its windows are 2 min (compressed: 6 s) of failed health checks, none OK.
            awaitAlert(prometheus, "WciTemporalUnreachable", FIRING, Map.of("method", "GetSystemInfo"));
            Duration outage = Duration.between(down, Instant.now());
            int duringOutage = bed.invocations(1).size();

            Instant up = Instant.now();
            temporal = DevServerProcess.start(options.withPort(temporal.port()));
            Timeline timeline = Timeline.start(bed, up);
            await().atMost(Duration.ofSeconds(60)).until(() -> bed.get("/readyz").statusCode() == 200);
            Duration readyAgain = Duration.between(up, Instant.now());
            assertEquals(200, bed.get("/healthz").statusCode(), "WCI stayed up");
            String timelineText;
            try {
                awaitDone(wfs, Duration.ofSeconds(240));
            } finally {
                timelineText = timeline.stop();
                System.out.println(timelineText);
            }
            Duration done = Duration.between(up, Instant.now());
            List<InvocationRecord> after = bed.invocations(1).subList(duringOutage, bed.invocations(1).size());
            Instant firstAfter = after.isEmpty() ? null : after.get(0).receivedAt();
            // The scaler's idle-exit model (5 s by default): a worker holds its slot in the ledger at least that long.
            Duration minHold = ScalingPolicy.defaults().workerIdleExit();
            int burst = maxWithin(after, minHold);
            int concurrent = maxRunning(bed.invocations(1));
            // Whether the workers invoked before the stop outlived the outage, and when Temporal dispatched again:
            // a re-invocation is only useful if the first is false and cannot help before the second.
            List<InvocationRecord> preStop = bed.invocations(1).subList(before, duringOutage);
            long survived = preStop.stream().filter(r -> r.endedAt() == null || r.endedAt().isAfter(up)).count();
            Instant firstDispatch = firstTaskStartedAfter(bed, wfs, up);
            System.out.printf("FAULT Temporal restart: /readyz false %.1f s after the server stopped (down %.1f s),"
                            + " true %.1f s after it restarted; first invoke after recovery %s; first task dispatched"
                            + " after recovery %s; %d of %d workers invoked before the stop still ran after it; all 20"
                            + " done %.1f s after restart; invocations: %d before the stop, %d after (at most %d"
                            + " within %d s); at most %d workers running at once%n",
                    notReadyAfter.toMillis() / 1000.0, outage.toMillis() / 1000.0, readyAgain.toMillis() / 1000.0,
                    firstAfter == null ? "none needed" : Duration.between(up, firstAfter).toMillis() + " ms",
                    firstDispatch == null ? "none" : Duration.between(up, firstDispatch).toMillis() + " ms",
                    survived, preStop.size(), done.toMillis() / 1000.0, duringOutage - before, after.size(), burst,
                    minHold.toSeconds(), concurrent);
            // The restarted server may be slow to dispatch for a while: workers invoked then find nothing and exit
            // idle. How often WCI has to replace them depends on how long that lasts, but never as a duplicate
            // burst: no more than the cap (10) can be invoked within a worker's least hold of its ledger slot.
            // Without the ledger, requests would go every 250 ms tick, up to the invoke rate (5/s). (Workers
            // running at once may briefly exceed the cap: a late worker covers no demand, and one listed near its
            // poll end holds no slot against its replacement.)
            assertTrue(burst <= 10, "no duplicate burst: " + burst + " invocations within "
                    + minHold.toSeconds() + " s\n" + timelineText);
        } finally {
            temporal.close();
        }
    }

    /** The earliest workflow or activity task start (a dispatch) in the workflows' histories after {@code from}. */
    private static Instant firstTaskStartedAfter(WciTestBed bed, List<WorkflowStub> wfs, Instant from) {
        Instant first = null;
        for (WorkflowStub wf : wfs) {
            for (HistoryEvent e : bed.client.fetchHistory(wf.getExecution().getWorkflowId()).getEvents()) {
                if (e.getEventType() != EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED
                        && e.getEventType() != EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
                    continue;
                }
                Instant at = Instant.ofEpochSecond(e.getEventTime().getSeconds(), e.getEventTime().getNanos());
                if (at.isAfter(from) && (first == null || at.isBefore(first))) {
                    first = at;
                }
            }
        }
        return first;
    }

    @Test
    void targetDeletedAtRunTimeOpensTheCircuitAndRepublishingClosesIt(DevServerExtension.DevServer server)
            throws Exception {
        try (WciTestBed bed = new WciTestBed(server, 1, ExecutionMode.PROCESS, "", "")) {
            PrometheusServer prometheus = bed.startPrometheus();
            settle(bed);
            String function = "worker-" + bed.id;
            LocalFunctionVersion v1 = new LocalFunctionVersion("1", DemoWorkerHandler.class.getName(),
                    List.of(System.getProperty("java.class.path").split(File.pathSeparator)), 60, 512, Map.of(
                    "TEMPORAL_ADDRESS", bed.target, "TEMPORAL_NAMESPACE", bed.namespace,
                    "TEMPORAL_DEPLOYMENT_NAME", bed.deployment, "TEMPORAL_WORKER_BUILD_ID", "v1",
                    "TEMPORAL_TASK_QUEUE", bed.taskQueue, "TEST_IDLE_MS", Long.toString(WciTestBed.WORKER_IDLE_EXIT_MILLIS)), null);
            bed.runtime.deleteVersion(function, "1");
            List<WorkflowStub> wfs = start(bed, "invalid", 5, 200);

            await().atMost(Duration.ofSeconds(60)).until(() -> bed.metric("wci_target_circuit_open", "build_id=\"v1\"") == 1);
            JsonNode version = bed.status().at("/deployments/0/versions/0/scaler");
            assertTrue(version.get("circuitOpenBecause").asText().contains("NOT_FOUND"), version.toString());
            double notFound = bed.metric("wci_invocations_total", "result=\"not_found\"");
            long holdUntil = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            await().atMost(Duration.ofSeconds(70)).until(() -> System.nanoTime() > holdUntil);
            assertEquals(notFound, bed.metric("wci_invocations_total", "result=\"not_found\""),
                    "no invoke while the circuit is open");
            // The circuit stays open until the version is published again: the alert outlasts its `for`.
            awaitAlert(prometheus, "WciCircuitOpen", FIRING, v1(bed));
            // An open circuit's target is validated again (the provider caches GetFunction for 30 s): the version is
            // gone, so the target is invalid and its alert is raised too.
            awaitAlert(prometheus, "WciTargetInvalid", PENDING_OR_FIRING, v1(bed));

            bed.runtime.publishVersion(function, v1);
            Instant fixed = Instant.now();
            await().atMost(Duration.ofSeconds(90)).until(() -> bed.metric("wci_target_circuit_open", "build_id=\"v1\"") == 0);
            Duration closedAfter = Duration.between(fixed, Instant.now());
            awaitDone(wfs, Duration.ofSeconds(120));
            System.out.printf("FAULT invalid target: circuit open after %.0f NOT_FOUND invocation(s), none while open;"
                            + " closed %.1f s after the version was published again (re-validation is rate-limited"
                            + " to once per 30 s); workflows done%n", notFound, closedAfter.toMillis() / 1000.0);
        }
    }

    @Test
    void budgetStopsInvocationsUntilTheWindowRolls(DevServerExtension.DevServer server) throws Exception {
        ShiftableClock clock = new ShiftableClock();
        // Every worker is charged its 60 s timeout and never refunded (idle exit off in the model): 130 s buys two.
        // The census is off here: a census that sees a worker exit refunds its unused seconds (CensusLedgerTest), so
        // the budget would not run out within this test's few short workers.
        String scaling = """
                      workerSecondsPerHourPerVersion: 130
                      workerIdleExit: 0s
                      shutdownBuffer: 50s
                """;
        String noCensus = """
                signals:
                  census:
                    enabled: false
                """;
        try (WciTestBed bed = new WciTestBed(server.target(), server.namespace(), 1, ExecutionMode.PROCESS, noCensus,
                scaling, "", clock, u -> u)) {
            PrometheusServer prometheus = bed.startPrometheus();
            settle(bed); // the bootstrap worker: 60 s charged
            awaitDone(start(bed, "paid", 3, 200), Duration.ofSeconds(120)); // a second worker: 120 s charged
            awaitNoWorker(bed);
            int before = bed.invocations(1).size();

            List<WorkflowStub> waiting = start(bed, "unpaid", 3, 200);
            await().atMost(Duration.ofSeconds(30)).until(() -> bed.status().get("recentDecisions").findValues("trims")
                    .stream().anyMatch(t -> t.toString().contains("VERSION_BUDGET")));
            JsonNode scaler = bed.status().at("/deployments/0/versions/0/scaler");
            double remaining = scaler.get("budgetRemainingWorkerSeconds").asDouble();
            assertTrue(remaining < 60, "less than one worker left: " + remaining);
            assertEquals(before, bed.invocations(1).size(), "no invocation past the budget");
            assertEquals(remaining, bed.metric("wci_budget_remaining_worker_seconds", "build_id=\"v1\""), 1.0);
            awaitAlert(prometheus, "WciBudgetExhausted", FIRING, Map.of("limit", "version_budget"));

            clock.shift(Duration.ofMinutes(61)); // the rolling hour passes
            Instant rolled = Instant.now();
            awaitDone(waiting, Duration.ofSeconds(120));
            System.out.printf("FAULT budget: held with %.0f worker-seconds left (VERSION_BUDGET in /status); after the"
                            + " hour rolled, invoked again and the waiting workflows finished in %.1f s%n", remaining,
                    Duration.between(rolled, Instant.now()).toMillis() / 1000.0);
            assertTrue(bed.invocations(1).size() > before);
        }
    }
}
