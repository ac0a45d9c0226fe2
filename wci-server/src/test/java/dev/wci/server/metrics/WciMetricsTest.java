package dev.wci.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.audit.DecisionAudit;
import dev.wci.core.census.CensusSnapshot;
import dev.wci.core.census.CensusStatus;
import dev.wci.core.census.CensusWorker;
import dev.wci.core.compute.ComputeFailure;
import dev.wci.core.compute.ComputeProvider;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.InvocationRequest;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.compute.TargetFacts;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.invoke.InvokeExecutor;
import dev.wci.core.limits.LimitKind;
import dev.wci.core.limits.Limits;
import dev.wci.core.limits.LimitTrim;
import dev.wci.core.scaling.CensusPolicy;
import dev.wci.core.scaling.DecisionInputs;
import dev.wci.core.scaling.DecisionReason;
import dev.wci.core.scaling.LiveWorkers;
import dev.wci.core.scaling.ReactiveScaler;
import dev.wci.core.scaling.ScaleDecision;
import dev.wci.core.scaling.ScalingPolicy;
import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.signal.SyncMatchFailure.Origin;
import dev.wci.core.testing.Fixtures;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroup;
import dev.wci.core.version.ScalingGroupId;
import dev.wci.core.version.TaskQueueType;
import dev.wci.server.temporal.TemporalCensusSource;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** WciMetrics as Prometheus scrapes it: the names and labels docs/metrics.md promises. */
class WciMetricsTest {

    private static final DeploymentVersion V1 = new DeploymentVersion("orders", "v1");
    private static final DeploymentVersion V2 = new DeploymentVersion("orders", "v2");
    private static final ComputeTarget T1 = new ComputeTarget("fake", "fn:orders:1");
    private static final ComputeTarget T2 = new ComputeTarget("fake", "fn:orders:2");

    private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final WciMetrics metrics = new WciMetrics(registry);
    private final ScalingPolicy policy = ScalingPolicy.defaults();
    private final DecisionAudit audit = new DecisionAudit(100, metrics::decision);
    private final ReactiveScaler scaler = Fixtures.scaler(policy, clock, audit);
    /** Outcomes the provider gives, one per invocation, in order; accepted when none is queued. */
    private final Deque<FailureClass> outcomes = new ArrayDeque<>();
    private final InvokeExecutor executor = new InvokeExecutor(Map.of("fake", new ComputeProvider() {
        @Override
        public String type() {
            return "fake";
        }

        @Override
        public CompletionStage<TargetValidation> validate(ComputeTarget target, DeploymentVersion version) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletionStage<List<InvocationResult>> invoke(InvocationRequest request) {
            List<InvocationResult> out = new ArrayList<>();
            for (String id : request.invocationIds()) {
                FailureClass f = outcomes.poll();
                out.add(f == null ? new InvocationResult.Accepted(id, clock.instant())
                        : new InvocationResult.Failed(id, ComputeFailure.of(f, "said no")));
            }
            return CompletableFuture.completedFuture(out);
        }
    }), scaler, metrics, clock, 4);

    @Test
    void invocationsAreCountedPerVersionByResult() {
        register(V1, T1);
        outcomes.add(FailureClass.THROTTLED);
        outcomes.add(FailureClass.NOT_FOUND);
        ScaleDecision three = scaler.onSignal(new BacklogObservation(V1, "q", TaskQueueType.ACTIVITY, 100,
                Duration.ofSeconds(3), 0, 0, false, clock.instant(), Duration.ZERO)).orElseThrow();
        assertEquals(3, three.count());

        executor.execute(three);
        String scrape = registry.scrape();

        Map<String, String> v1 = Map.of("deployment", "orders", "build_id", "v1");
        assertEquals(1.0, sample(scrape, "wci_invocations_total", with(v1, "result", "throttled")));
        assertEquals(1.0, sample(scrape, "wci_invocations_total", with(v1, "result", "not_found")));
        assertEquals(1.0, sample(scrape, "wci_invocations_total", with(v1, "result", "accepted")));
        assertEquals(1.0, sample(scrape, "wci_invoke_requests_total", Map.of("reason", "scale_from_zero")));
        assertEquals(3.0, sample(scrape, "wci_invoke_latency_seconds_count", Map.of()), "one sample per invocation");
        assertEquals(1.0, sample(scrape, "wci_decisions_total", Map.of("reason", "scale_from_zero", "invokes",
                "true")));
    }

    @Test
    void aFencedInvokeHasItsOwnResultNotInternal() {
        register(V1, T1);
        outcomes.add(FailureClass.FENCED);
        ScaleDecision one = scaler.onSignal(new BacklogObservation(V1, "q", TaskQueueType.ACTIVITY, 1,
                Duration.ofSeconds(1), 0, 0, false, clock.instant(), Duration.ZERO)).orElseThrow();
        assertEquals(1, one.count());

        executor.execute(one);
        String scrape = registry.scrape();

        Map<String, String> v1 = Map.of("deployment", "orders", "build_id", "v1");
        assertEquals(1.0, sample(scrape, "wci_invocations_total", with(v1, "result", "fenced")));
        assertFalse(scrape.contains("result=\"internal\""), "a fenced invoke is no internal failure: " + scrape);
    }

    @Test
    void reactionIsASummaryInSecondsWithMedianAnd99thPercentile() {
        metrics.reaction(Duration.ofMillis(250));
        metrics.reactionTimer().record(Duration.ofMillis(750));

        String scrape = registry.scrape();

        assertEquals(2.0, sample(scrape, "wci_reaction_seconds_count", Map.of()));
        assertEquals(1.0, sample(scrape, "wci_reaction_seconds_sum", Map.of()), 1e-9);
        assertEquals(0.75, sample(scrape, "wci_reaction_seconds_max", Map.of()), 1e-9);
        assertTrue(sample(scrape, "wci_reaction_seconds", Map.of("quantile", "0.5")) > 0);
        assertTrue(sample(scrape, "wci_reaction_seconds", Map.of("quantile", "0.99")) > 0);
        assertTrue(scrape.contains("# TYPE wci_reaction_seconds summary"), scrape);
    }

    @Test
    void holdsAreCountedWithTheWorkersEachLimitRemoved() {
        metrics.decision(new ScaleDecision(ScalingGroupId.defaultFor(V1), T1, DecisionReason.LIMITED, 5, List.of(),
                List.of(new LimitTrim(LimitKind.VERSION_CAP, 5, 2), new LimitTrim(LimitKind.TOTAL_BUDGET, 2, 0)),
                new DecisionInputs("signal", 30, 0, 5, 2000, 5, LiveWorkers.NONE, false), clock.instant()));

        String scrape = registry.scrape();

        assertEquals(1.0, sample(scrape, "wci_decisions_total", Map.of("reason", "limited", "invokes", "false")));
        assertEquals(3.0, sample(scrape, "wci_limit_trims_total", Map.of("limit", "version_cap")));
        assertEquals(2.0, sample(scrape, "wci_limit_trims_total", Map.of("limit", "total_budget")));
    }

    /** Present at 0 before any trim, so Prometheus's increase() sees the first one (WciBudgetExhausted). */
    @Test
    void everyLimitIsExportedAtZeroBeforeItsFirstTrim() {
        String scrape = registry.scrape();

        for (LimitKind limit : LimitKind.values()) {
            assertEquals(0.0, sample(scrape, "wci_limit_trims_total",
                    Map.of("limit", limit.name().toLowerCase(java.util.Locale.ROOT))), limit.name());
        }
    }

    @Test
    void signalsAreCountedBySourceAndKind() {
        metrics.signal("temporal-stats", new BacklogObservation(V1, "q", TaskQueueType.ACTIVITY, 3, Duration.ZERO, 1, 1,
                false, clock.instant(), Duration.ZERO));
        metrics.signal("push", new SyncMatchFailure(V1, "q", TaskQueueType.ACTIVITY, 1, 0, clock.instant(),
                Origin.PUSH));
        metrics.signal("push", new SyncMatchFailure(V1, "q", TaskQueueType.ACTIVITY, 1, 0, clock.instant(),
                Origin.PUSH));

        String scrape = registry.scrape();

        assertEquals(1.0, sample(scrape, "wci_signals_total",
                Map.of("source", "temporal-stats", "kind", "backlog_observation")));
        assertEquals(2.0, sample(scrape, "wci_signals_total", Map.of("source", "push", "kind", "sync_match_failure")));
    }

    @Test
    void perVersionGaugesFollowTheScalerOnRefresh() {
        register(V1, T1);
        register(V2, T2);
        executor.execute(scaler.bootstrap(ScalingGroupId.defaultFor(V1)).orElseThrow());

        metrics.refresh(scaler.status());
        String scrape = registry.scrape();

        Map<String, String> v1 = Map.of("deployment", "orders", "build_id", "v1", "group", "default");
        Map<String, String> v2 = Map.of("deployment", "orders", "build_id", "v2", "group", "default");
        assertEquals(1.0, sample(scrape, "wci_workers", with(v1, "state", "starting")));
        assertEquals(0.0, sample(scrape, "wci_workers", with(v1, "state", "ready")));
        assertEquals(0.0, sample(scrape, "wci_workers", with(v2, "state", "starting")));
        assertEquals(Double.POSITIVE_INFINITY, sample(scrape, "wci_budget_remaining_worker_seconds", v1));
        assertEquals(499.0, sample(scrape, "wci_invoke_tokens", v1), "one of the 500 burst tokens spent");
        assertEquals(500.0, sample(scrape, "wci_invoke_tokens", v2));
        assertEquals(2.0, sample(scrape, "wci_cold_start_seconds", v1));
        assertEquals(5.0, sample(scrape, "wci_worker_throughput_tasks_per_second", v1));
        assertEquals(0.0, sample(scrape, "wci_backlog_tasks", v1));
        assertEquals(0.0, sample(scrape, "wci_target_circuit_open", v1));
        assertEquals(0.0, sample(scrape, "wci_target_throttle_backoff", v1));
        assertEquals(0.0, sample(scrape, "wci_target_invoke_loop_suspect", v1));

        scaler.onWorkerReady(ScalingGroupId.defaultFor(V1), "inv-1", clock.instant());
        scaler.onValidation(ScalingGroupId.defaultFor(V2), new TargetValidation.Invalid(
                ComputeFailure.of(FailureClass.ACCESS_DENIED, "denied"), clock.instant()));
        metrics.refresh(scaler.status());
        scrape = registry.scrape();

        assertEquals(0.0, sample(scrape, "wci_workers", with(v1, "state", "starting")));
        assertEquals(1.0, sample(scrape, "wci_workers", with(v1, "state", "ready")));
        assertEquals(1.0, sample(scrape, "wci_target_circuit_open", v2));

        scaler.unregister(ScalingGroupId.defaultFor(V2));
        metrics.refresh(scaler.status());
        scrape = registry.scrape();

        assertNull(find(scrape, "wci_workers", with(v2, "state", "starting")), "no series once the group is gone");
        assertNull(find(scrape, "wci_target_circuit_open", v2));
        assertEquals(1.0, sample(scrape, "wci_workers", with(v1, "state", "ready")));
    }

    @Test
    void censusGaugesShowAvailabilityWorkersAgeAndTheGapToTheLedger() {
        register(V1, T1);
        register(V2, T2);
        executor.execute(scaler.bootstrap(ScalingGroupId.defaultFor(V1)).orElseThrow());
        scaler.onWorkerReady(ScalingGroupId.defaultFor(V1), "inv-1", clock.instant()); // one ready in the ledger
        Instant read = clock.instant().minusSeconds(3);
        metrics.refreshCensus(List.of(
                new TemporalCensusSource.VersionCensusStatus(V1, TemporalCensusSource.Availability.AVAILABLE, null,
                        0, 2,
                        Optional.of(read), true, 4, 0, clock.instant()),
                new TemporalCensusSource.VersionCensusStatus(V2, TemporalCensusSource.Availability.UNAVAILABLE, "no",
                        0, 0, Optional.empty(), false, 0, 0, clock.instant())), scaler.status(), clock.instant());
        String scrape = registry.scrape();

        Map<String, String> v1 = Map.of("deployment", "orders", "build_id", "v1");
        Map<String, String> v2 = Map.of("deployment", "orders", "build_id", "v2");
        assertEquals(1.0, sample(scrape, "wci_census_available", v1));
        assertEquals(0.0, sample(scrape, "wci_census_available", v2));
        assertEquals(0.0, sample(scrape, "wci_census_listed_workers", with(v1, "state", "running")));
        assertEquals(2.0, sample(scrape, "wci_census_listed_workers", with(v1, "state", "shutting_down")));
        assertEquals(1.0, sample(scrape, "wci_census_gap_workers", v1), "one believed ready, none running");
        assertEquals(3.0, sample(scrape, "wci_census_age_seconds", v1));
        assertNull(find(scrape, "wci_census_gap_workers", v2), "no census, no gap");
    }

    @Test
    void censusFiguresPerGroup() {
        ReactiveScaler s = new ReactiveScaler(policy, new Limits(policy, new SplittableRandom(1)), audit, clock,
                () -> "inv-1", CensusPolicy.defaults(), metrics);
        s.register(ScalingGroup.allTypes(V1, T1), TargetFacts.ofTimeout(Duration.ofMinutes(15)), policy);
        ScalingGroupId group = ScalingGroupId.defaultFor(V1);
        ScaleDecision d = s.bootstrap(group).orElseThrow();
        s.onInvocationResult(d, new InvocationResult.Accepted("inv-1", clock.instant(), "req-1"));
        s.onCensus(new CensusSnapshot(V1, clock.instant(), List.of(
                new CensusWorker("req-1@" + T1.address(), CensusStatus.RUNNING, null, null),
                new CensusWorker("other@" + T1.address(), CensusStatus.RUNNING, null, null))));

        metrics.refresh(s.status());
        String scrape = registry.scrape();

        Map<String, String> v1 = Map.of("deployment", "orders", "build_id", "v1", "group", "default");
        assertEquals(1.0, sample(scrape, "wci_census_live", v1));
        assertEquals(2.0, sample(scrape, "wci_census_workers", with(v1, "state", "running")));
        assertEquals(1.0, sample(scrape, "wci_census_workers", with(v1, "state", "adopted")));
        assertEquals(2.0, sample(scrape, "wci_workers", with(v1, "state", "ready")), "WCI's belief, from the census");
        assertEquals(1.0, sample(scrape, "wci_workers_adopted_total", v1));
        assertEquals(1.0, sample(scrape, "wci_worker_cold_start_seconds_count", v1), "invoke to first listed");
        assertTrue(scrape.contains("# TYPE wci_worker_cold_start_seconds histogram"), scrape);
        assertEquals(1.0, sample(scrape, "wci_worker_cold_start_seconds_bucket", with(v1, "le", "0.5")),
                "the compact buckets of docs/metrics.md");

        metrics.failedStart(group, "inv-2", "req-2", Duration.ofSeconds(60));
        s.onCensusUnavailable(V1, "no worker heartbeats");
        metrics.refresh(s.status());
        scrape = registry.scrape();
        assertEquals(1.0, sample(registry.scrape(), "wci_worker_failed_starts_total", v1));
        assertEquals(0.0, sample(scrape, "wci_census_live", v1));
    }

    @Test
    void throttledInvokeShowsAsBackoff() {
        register(V1, T1);
        outcomes.add(FailureClass.THROTTLED);
        executor.execute(scaler.bootstrap(ScalingGroupId.defaultFor(V1)).orElseThrow());

        metrics.refresh(scaler.status());

        assertEquals(1.0, sample(registry.scrape(), "wci_target_throttle_backoff",
                Map.of("deployment", "orders", "build_id", "v1", "group", "default")));
    }

    // --- helpers ------------------------------------------------------------------------------------------

    private void register(DeploymentVersion v, ComputeTarget t) {
        scaler.register(ScalingGroup.allTypes(v, t), TargetFacts.ofTimeout(Duration.ofMinutes(15)), policy);
    }

    private static Map<String, String> with(Map<String, String> labels, String key, String value) {
        Map<String, String> out = new HashMap<>(labels);
        out.put(key, value);
        return out;
    }

    /** The value of the one sample named {@code name} whose labels are exactly {@code labels}. */
    private static double sample(String scrape, String name, Map<String, String> labels) {
        Double v = find(scrape, name, labels);
        if (v == null) {
            throw new AssertionError("no sample " + name + labels + " in\n" + scrape);
        }
        return v;
    }

    private static Double find(String scrape, String name, Map<String, String> labels) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String sampleName = brace >= 0 ? line.substring(0, brace) : line.substring(0, space);
            if (!sampleName.equals(name)) {
                continue;
            }
            Map<String, String> found = new HashMap<>();
            if (brace >= 0) {
                String inner = line.substring(brace + 1, line.lastIndexOf('}'));
                for (String pair : inner.split(",")) {
                    if (!pair.isEmpty()) {
                        int eq = pair.indexOf('=');
                        found.put(pair.substring(0, eq), pair.substring(eq + 2, pair.length() - 1));
                    }
                }
            }
            if (found.equals(labels)) {
                String value = line.substring(space + 1);
                return switch (value) {
                    case "+Inf" -> Double.POSITIVE_INFINITY;
                    case "-Inf" -> Double.NEGATIVE_INFINITY;
                    default -> Double.parseDouble(value);
                };
            }
        }
        return null;
    }
}
