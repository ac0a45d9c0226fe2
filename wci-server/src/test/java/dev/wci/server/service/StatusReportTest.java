package dev.wci.server.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wci.core.audit.DecisionAudit;
import dev.wci.core.census.CensusSnapshot;
import dev.wci.core.census.CensusStatus;
import dev.wci.core.census.CensusWorker;
import dev.wci.core.compute.ComputeFailure;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.TargetFacts;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.invoke.InvokeExecutor;
import dev.wci.core.invoke.InvokeObserver;
import dev.wci.core.limits.LimitKind;
import dev.wci.core.limits.LimitTrim;
import dev.wci.core.registry.ConfiguredDeployment;
import dev.wci.core.registry.ConfiguredVersion;
import dev.wci.core.registry.DeploymentObservation;
import dev.wci.core.registry.DrainageStatus;
import dev.wci.core.registry.RegisteredTaskQueue;
import dev.wci.core.registry.Routing;
import dev.wci.core.registry.VersionObservation;
import dev.wci.core.registry.VersionRegistry;
import dev.wci.core.scaling.BacklogSources;
import dev.wci.core.scaling.DecisionInputs;
import dev.wci.core.scaling.DecisionReason;
import dev.wci.core.scaling.LiveWorkers;
import dev.wci.core.scaling.ReactiveScaler;
import dev.wci.core.scaling.ScaleDecision;
import dev.wci.core.scaling.ScalingPolicy;
import dev.wci.core.scaling.SizingResult;
import dev.wci.core.testing.Fixtures;
import dev.wci.core.testing.TestClock;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroupId;
import dev.wci.core.version.TaskQueueType;
import dev.wci.server.http.HttpSurface;
import dev.wci.server.temporal.TemporalCensusSource;
import dev.wci.server.temporal.TemporalConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The /status document as an operator reads it: built by StatusReport, serialized by HttpSurface. */
class StatusReportTest {

    private static final DeploymentVersion V1 = new DeploymentVersion("orders", "v1");
    private static final DeploymentVersion V2 = new DeploymentVersion("orders", "v2");
    private static final DeploymentVersion V3 = new DeploymentVersion("orders", "v3");

    private final TestClock clock = new TestClock();
    private final FakeComputeProvider provider = new FakeComputeProvider(clock);
    private final DecisionAudit audit = new DecisionAudit(500);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private HttpSurface surface;
    private List<TemporalCensusSource.VersionCensusStatus> census = List.of();
    private Function<String, String> notReadHere = d -> null;

    @AfterEach
    void close() {
        if (surface != null) {
            surface.close();
        }
    }

    @Test
    void statusShowsEachVersionsRoutingValidationScalerAndBootstrapWithoutInfinities() throws Exception {
        Wiring w = new Wiring(ScalingPolicy.defaults());
        provider.answer(t -> t.address().endsWith(":2")
                ? new TargetValidation.Invalid(ComputeFailure.of(FailureClass.NOT_FOUND, "version 2 was deleted"),
                clock.instant())
                : new TargetValidation.Valid(TargetFacts.ofTimeout(FakeComputeProvider.TIMEOUT), List.of("slow cold start"),
                clock.instant()));
        w.registry.update(new DeploymentObservation("orders", true, new Routing(Optional.of(V1), Optional.of(V2), 25),
                List.of(VersionObservation.of("v1", DrainageStatus.NONE, List.of(
                                new RegisteredTaskQueue("orders-q", TaskQueueType.WORKFLOW))),
                        VersionObservation.of("v2", DrainageStatus.NONE, List.of()),
                        VersionObservation.of("v3", DrainageStatus.NONE, List.of())), clock.instant()));
        w.targets.sync(List.of(w.managed(V1), w.managed(V2), w.managed(V3))).join();
        w.bootstrapper.check(w.registry.snapshot(), w.targets::isRegistered);
        clock.advance(Duration.ofSeconds(1));
        w.scaler.onCensus(new CensusSnapshot(V3, clock.instant(), List.of(
                new CensusWorker("other@fn:orders:3", CensusStatus.RUNNING, null, null, 12))));
        w.scaler.onCensusUnavailable(V1, "the namespace has no worker heartbeats");

        JsonNode status = get(w, new HttpSurface.Readiness(false, List.of("deployment billing not read from Temporal yet")),
                new TemporalConnection.Health(false, "connection refused"));

        assertEquals("2026-01-01T00:00:01Z", status.get("generatedAt").asText(), "instants are ISO text");
        assertFalse(status.get("ready").asBoolean());
        assertEquals("deployment billing not read from Temporal yet", status.get("problems").get(0).asText());
        assertFalse(status.get("temporal").get("reachable").asBoolean());
        assertEquals("connection refused", status.get("temporal").get("detail").asText());

        JsonNode limits = status.get("limits");
        assertTrue(limits.get("budgetTotalRemaining").isNull(), "an unlimited budget is null, not Infinity");
        assertEquals(900, limits.get("maxWorkersTotal").asInt());
        assertEquals(1, limits.get("liveWorkers").asInt(), "the bootstrap worker of v3");

        JsonNode d = status.get("deployments").get(0);
        assertEquals("orders", d.get("name").asText());
        assertEquals("v1", d.get("current").asText());
        assertEquals("v2", d.get("ramping").asText());
        assertEquals(25.0, d.get("rampingPercentage").asDouble());
        assertEquals("2026-01-01T00:00:00Z", d.get("syncedAt").asText());

        JsonNode v1 = version(d, "v1");
        assertEquals("CURRENT", v1.get("routing").asText());
        assertEquals("MANAGED", v1.get("management").asText());
        assertEquals("fn:orders:1", v1.get("target").asText());
        assertEquals("YAML", v1.get("targetSource").asText());
        assertEquals("valid", v1.get("validation").get("state").asText());
        assertEquals("slow cold start", v1.get("validation").get("warnings").get(0).asText());
        assertEquals("orders-q (WORKFLOW)", v1.get("taskQueues").get(0).asText(), "not a Java record's toString");
        JsonNode group = v1.get("scaler");
        assertTrue(group.isObject());
        assertTrue(group.get("budgetRemainingWorkerSeconds").isNull(), "an unlimited version budget is null");
        assertEquals(2.0, group.get("coldStartSeconds").asDouble());
        assertTrue(group.get("circuitOpenBecause").isNull());
        JsonNode census = group.get("census");
        assertFalse(census.get("live").asBoolean(), "counts from the model");
        assertEquals("the namespace has no worker heartbeats", census.get("unavailable").asText());
        assertEquals(0, census.get("failedStarts").asInt());
        assertEquals(0, census.get("slotsPerWorker").asInt(), "unknown");
        assertTrue(v1.get("bootstrap").isNull());
        assertTrue(v1.get("polling").isNull(), "no stats source");

        JsonNode v2 = version(d, "v2");
        assertEquals("RAMPING 25.0%", v2.get("routing").asText());
        assertEquals("invalid", v2.get("validation").get("state").asText());
        assertTrue(v2.get("validation").get("failure").asText().contains("version 2 was deleted"));
        assertTrue(v2.get("scaler").isNull(), "an invalid target has no group");
        assertTrue(v2.get("bootstrap").isNull(), "never bootstrapped: its target is invalid");

        JsonNode v3 = version(d, "v3");
        assertEquals("INACTIVE", v3.get("routing").asText());
        assertEquals(1, v3.get("bootstrap").get("attempts").asInt());
        assertEquals("2026-01-01T00:00:30Z", v3.get("bootstrap").get("nextAttemptAt").asText());
        assertEquals(1, v3.get("scaler").get("starting").asInt(), "the bootstrap worker, not listed yet");
        assertEquals(1, v3.get("scaler").get("ready").asInt(), "a running worker the census lists");
        JsonNode v3census = v3.get("scaler").get("census");
        assertTrue(v3census.get("live").asBoolean());
        assertEquals("2026-01-01T00:00:01Z", v3census.get("asOf").asText());
        assertEquals(1, v3census.get("running").asInt());
        assertEquals(1, v3census.get("adopted").asInt());
        assertEquals(12, v3census.get("slotsPerWorker").asInt(), "as the listed worker's heartbeat reports");

        JsonNode decisions = status.get("recentDecisions");
        assertEquals(1, decisions.size());
        assertEquals("BOOTSTRAP", decisions.get(0).get("reason").asText());
        assertEquals("orders:v3", decisions.get(0).get("version").asText());
        assertEquals("bootstrap", decisions.get(0).get("trigger").asText());
        assertFalse(decisions.get(0).get("liveFromCensus").asBoolean(), "decided before the census was read");
    }

    @Test
    void finiteBudgetsAreNumbers() throws Exception {
        Wiring w = new Wiring(ScalingPolicy.defaults().toBuilder().budgetTotal(36_000).budgetPerVersion(7_200).build());
        w.registry.update(new DeploymentObservation("orders", true, Routing.current(V1),
                List.of(VersionObservation.of("v1", DrainageStatus.NONE, List.of())), clock.instant()));
        w.targets.sync(List.of(w.managed(V1))).join();

        JsonNode status = get(w, new HttpSurface.Readiness(true, List.of()), new TemporalConnection.Health(true, "ok"));

        assertTrue(status.get("ready").asBoolean());
        assertEquals(36_000.0, status.get("limits").get("budgetTotalRemaining").asDouble());
        assertEquals(7_200.0, version(status.get("deployments").get(0), "v1").get("scaler")
                .get("budgetRemainingWorkerSeconds").asDouble());
    }

    @Test
    void temporalWarningsAreListed() throws Exception {
        Wiring w = new Wiring(ScalingPolicy.defaults());
        JsonNode temporal = get(w, new HttpSurface.Readiness(true, List.of()),
                new TemporalConnection.Health(true, "server 1.32.0", List.of("polls not completed"))).get("temporal");

        assertTrue(temporal.get("reachable").asBoolean());
        assertEquals("polls not completed", temporal.get("warnings").get(0).asText());
        assertEquals(1, temporal.get("warnings").size());
    }

    @Test
    void recentDecisionsAreNewestFirstAndAtMostOneHundred() throws Exception {
        Wiring w = new Wiring(ScalingPolicy.defaults());
        ComputeTarget target = FakeComputeProvider.target("fn:orders:1");
        for (int i = 0; i < 150; i++) {
            audit.record(new ScaleDecision(ScalingGroupId.defaultFor(V1), target, DecisionReason.SCALE_OUT, 3,
                    List.of("a" + i, "b" + i), List.of(new LimitTrim(LimitKind.VERSION_CAP, 3, 2)),
                    new DecisionInputs("signal", 12, 1.5, 5, 2000, 3, new LiveWorkers(0, 1, 0), false),
                    Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i)));
        }

        JsonNode decisions = get(w, new HttpSurface.Readiness(true, List.of()), new TemporalConnection.Health(true, "ok"))
                .get("recentDecisions");

        assertEquals(100, decisions.size());
        assertEquals("2026-01-01T00:02:29Z", decisions.get(0).get("decidedAt").asText(), "newest first");
        assertEquals("2026-01-01T00:00:50Z", decisions.get(99).get("decidedAt").asText());
        JsonNode first = decisions.get(0);
        assertEquals("orders:v1", first.get("version").asText());
        assertEquals("default", first.get("group").asText());
        assertEquals("SCALE_OUT", first.get("reason").asText());
        assertEquals(3, first.get("requested").asInt());
        assertEquals(2, first.get("invoked").asInt());
        assertEquals("VERSION_CAP 3->2", first.get("trims").get(0).asText());
        assertEquals(12.0, first.get("backlog").asDouble());
        assertEquals(1, first.get("live").asInt());
        List<String> times = StreamSupport.stream(decisions.spliterator(), false)
                .map(n -> n.get("decidedAt").asText()).toList();
        assertEquals(times.stream().sorted(java.util.Comparator.reverseOrder()).toList(), times);
    }

    @Test
    void aDecisionShowsWhatItWasSizedFromSoItsCountCanBeRedone() throws Exception {
        Wiring w = new Wiring(ScalingPolicy.defaults());
        ComputeTarget target = FakeComputeProvider.target("fn:orders:1");
        SizingResult sizing = new SizingResult(42.5, 9, 30, 2, 1, 4, DecisionReason.SCALE_OUT);
        audit.record(new ScaleDecision(ScalingGroupId.defaultFor(V1), target, DecisionReason.SCALE_OUT, 5,
                List.of("a", "b", "c", "d", "e"), List.of(),
                new DecisionInputs("tick", 40, 3.5, 0.8, 2500, 9, new LiveWorkers(2, 3, 1, 1), false, true, 1,
                        sizing),
                Instant.parse("2026-01-01T00:00:00Z")));

        JsonNode d = get(w, new HttpSurface.Readiness(true, List.of()), new TemporalConnection.Health(true, "ok"))
                .get("recentDecisions").get(0);

        assertEquals(0.8, d.get("workerThroughput").asDouble());
        assertEquals(2.5, d.get("coldStartSeconds").asDouble());
        assertEquals(5, d.get("live").asInt());
        JsonNode live = d.get("liveWorkers");
        assertEquals(2, live.get("starting").asInt());
        assertEquals(3, live.get("ready").asInt());
        assertEquals(1, live.get("expiring").asInt());
        assertEquals(1, live.get("late").asInt());
        assertTrue(d.get("liveFromCensus").asBoolean());
        JsonNode parts = d.get("sizing");
        assertEquals(42.5, parts.get("backlogWhenReady").asDouble());
        assertEquals(9, parts.get("desired").asInt());
        assertEquals(30, parts.get("uncappedDesired").asInt());
        assertTrue(parts.get("capped").asBoolean(), "the unproven default's cap bound");
        assertEquals(2, parts.get("trendWant").asInt());
        assertEquals(1, parts.get("replace").asInt());
        assertEquals(4, parts.get("grow").asInt());
    }

    @Test
    void aDecisionShowsHowItsBacklogWasLearnt() throws Exception {
        Wiring w = new Wiring(ScalingPolicy.defaults());
        SizingResult sizing = new SizingResult(219, 9, 9, 0, 0, 9, DecisionReason.SCALE_OUT);
        audit.record(new ScaleDecision(ScalingGroupId.defaultFor(V1), FakeComputeProvider.target("fn:orders:1"),
                DecisionReason.SCALE_OUT, 9, List.of("a"), List.of(),
                new DecisionInputs("signal", 219, 0, 5, 2000, 9, LiveWorkers.NONE, false, false, 0, sizing,
                        new BacklogSources(108, 6_500, 111, 0, 2, 5, 4)),
                Instant.parse("2026-01-01T00:00:00Z")));
        audit.record(new ScaleDecision(ScalingGroupId.defaultFor(V1), FakeComputeProvider.target("fn:orders:1"),
                DecisionReason.SCALE_OUT, 1, List.of("b"), List.of(),
                new DecisionInputs("tick", 3, 0, 5, 2000, 1, LiveWorkers.NONE, false, false, 0, sizing,
                        new BacklogSources(0, -1, 1, 2, 0, 0, 0)),
                Instant.parse("2026-01-01T00:00:01Z")));

        JsonNode decisions = get(w, new HttpSurface.Readiness(true, List.of()),
                new TemporalConnection.Health(true, "ok")).get("recentDecisions");

        JsonNode s = decisions.get(1).get("backlogSources");
        assertEquals(219, decisions.get(1).get("backlog").asInt(), "the existing field is unchanged");
        assertEquals(108, s.get("picture").asLong());
        assertEquals(6.5, s.get("pictureAgeSeconds").asDouble());
        assertEquals(111, s.get("pushed").asLong());
        assertEquals(0, s.get("grown").asLong());
        assertEquals(2, s.get("pushedInPicture").asLong());
        assertEquals(5, s.get("grownInPicture").asLong());
        assertEquals(4, s.get("earlier").asLong());
        JsonNode noPicture = decisions.get(0).get("backlogSources");
        assertTrue(noPicture.get("pictureAgeSeconds").isNull(), "no fresh picture");
        assertEquals(2, noPicture.get("grown").asLong());
    }

    @Test
    void aDecisionThatWasNotSizedHasNoSizingParts() throws Exception {
        Wiring w = new Wiring(ScalingPolicy.defaults());
        audit.record(new ScaleDecision(ScalingGroupId.defaultFor(V1), FakeComputeProvider.target("fn:orders:1"),
                DecisionReason.BOOTSTRAP, 1, List.of("a"), List.of(),
                new DecisionInputs("bootstrap", 0, 0, 5, 2000, 1, LiveWorkers.NONE, false),
                Instant.parse("2026-01-01T00:00:00Z")));

        JsonNode d = get(w, new HttpSurface.Readiness(true, List.of()), new TemporalConnection.Health(true, "ok"))
                .get("recentDecisions").get(0);

        assertTrue(d.get("sizing").isNull());
        assertTrue(d.get("backlogSources").isNull());
        assertEquals(0, d.get("liveWorkers").get("late").asInt());
    }

    @Test
    void aDeploymentThisReplicaDoesNotReadSaysWhyAndShowsWhatWasLastRead() throws Exception {
        Wiring w = new Wiring(ScalingPolicy.defaults());
        Instant read = clock.instant();
        w.registry.update(new DeploymentObservation("orders", true, new Routing(Optional.of(V1), Optional.empty(), 0),
                List.of(VersionObservation.of("v1", DrainageStatus.NONE, List.of())), read));
        notReadHere = d -> d.equals("orders") ? "held by replica r2: not read here" : null;
        clock.advance(Duration.ofSeconds(30));

        JsonNode orders = get(w, new HttpSurface.Readiness(true, List.of()), new TemporalConnection.Health(true, "ok"))
                .get("deployments").get(0);

        assertEquals("held by replica r2: not read here", orders.get("notReadHere").asText());
        assertEquals(read.toString(), orders.get("syncedAt").asText(), "as last read here");
        assertEquals("v1", orders.get("current").asText());

        notReadHere = d -> null;
        surface.close();
        assertTrue(get(w, new HttpSurface.Readiness(true, List.of()), new TemporalConnection.Health(true, "ok"))
                .get("deployments").get(0).get("notReadHere").isNull(), "read here");
    }

    @Test
    void statusShowsEachVersionsCensusItsAgeAvailabilityAndTheGap() throws Exception {
        Wiring w = new Wiring(ScalingPolicy.defaults());
        w.registry.update(new DeploymentObservation("orders", true, new Routing(Optional.of(V1), Optional.empty(), 0),
                List.of(VersionObservation.of("v1", DrainageStatus.NONE, List.of()),
                        VersionObservation.of("v2", DrainageStatus.NONE, List.of())), clock.instant()));
        Instant read = clock.instant();
        clock.advance(Duration.ofMillis(2500));
        census = List.of(
                new TemporalCensusSource.VersionCensusStatus(V1, TemporalCensusSource.Availability.AVAILABLE, null, 2, 1,
                        Optional.of(read), true, 7, 1, clock.instant().plusSeconds(1)),
                new TemporalCensusSource.VersionCensusStatus(V2, TemporalCensusSource.Availability.UNAVAILABLE,
                        "more census entries than 10 page(s)", 0, 0, Optional.empty(), false, 0, 3,
                        clock.instant().plusSeconds(10)));

        JsonNode status = get(w, new HttpSurface.Readiness(true, List.of()), new TemporalConnection.Health(true, "ok"));

        assertEquals("available", status.get("temporal").get("census").get("state").asText());
        JsonNode orders = status.get("deployments").get(0);
        JsonNode c1 = version(orders, "v1").get("census");
        assertEquals("AVAILABLE", c1.get("availability").asText());
        assertEquals(2, c1.get("running").asInt());
        assertEquals(1, c1.get("shuttingDown").asInt());
        assertEquals(2.5, c1.get("ageSeconds").asDouble());
        assertEquals(-2, c1.get("gap").asInt(), "no ready worker in the ledger, two running in the census");
        assertEquals(7, c1.get("reads").asInt());
        JsonNode c2 = version(orders, "v2").get("census");
        assertEquals("UNAVAILABLE", c2.get("availability").asText());
        assertEquals("more census entries than 10 page(s)", c2.get("unavailableReason").asText());
        assertTrue(c2.get("asOf").isNull());
        assertTrue(version(orders, "v3").get("census").isNull(), "not read: no census view");
    }

    private JsonNode get(Wiring w, HttpSurface.Readiness readiness, TemporalConnection.Health health)
            throws IOException, InterruptedException {
        StatusReport report = new StatusReport(clock, w.registry, w.scaler, w.targets, w.bootstrapper, audit, w.executor,
                w.policy.maxWorkersTotal());
        surface = new HttpSurface("127.0.0.1", 0, new HttpSurface.Endpoints() {
            @Override
            public String metrics() {
                return "";
            }

            @Override
            public HttpSurface.Readiness readiness() {
                return readiness;
            }

            @Override
            public Object status() {
                return report.build(readiness, null, census, new StatusReport.CensusSummary("available", null), health,
                        notReadHere);
            }
        });
        surface.start();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + surface.port() + "/status")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        assertFalse(r.body().contains("Infinity") || r.body().contains("NaN"), r.body());
        return json.readTree(r.body());
    }

    private static JsonNode version(JsonNode deployment, String buildId) {
        for (JsonNode v : deployment.get("versions")) {
            if (v.get("buildId").asText().equals(buildId)) {
                return v;
            }
        }
        throw new AssertionError("no version " + buildId + " in " + deployment);
    }

    /** The parts /status reads, wired as the service wires them. */
    private final class Wiring {
        final ScalingPolicy policy;
        final ReactiveScaler scaler;
        final InvokeExecutor executor;
        final TargetRegistrations targets;
        final Bootstrapper bootstrapper;
        final VersionRegistry registry = new VersionRegistry(List.of(new ConfiguredDeployment("orders", false, List.of(
                new ConfiguredVersion("v1", FakeComputeProvider.target("fn:orders:1")),
                new ConfiguredVersion("v2", FakeComputeProvider.target("fn:orders:2")),
                new ConfiguredVersion("v3", FakeComputeProvider.target("fn:orders:3"))))));

        Wiring(ScalingPolicy policy) {
            this.policy = policy;
            scaler = Fixtures.scaler(policy, clock, audit);
            executor = new InvokeExecutor(Map.of(FakeComputeProvider.TYPE, provider), scaler, InvokeObserver.NONE, clock, 4);
            targets = new TargetRegistrations(scaler, Map.of(FakeComputeProvider.TYPE, provider), clock,
                    Duration.ofMinutes(5), meters);
            bootstrapper = new Bootstrapper(scaler, executor, clock, meters);
        }

        ManagedVersion managed(DeploymentVersion v) {
            return new ManagedVersion(v, FakeComputeProvider.target("fn:orders:" + v.buildId().substring(1)),
                    EnumSet.allOf(TaskQueueType.class), policy);
        }
    }
}
