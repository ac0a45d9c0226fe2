package dev.wci.server.temporal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.registry.ConfiguredDeployment;
import dev.wci.core.registry.ConfiguredVersion;
import dev.wci.core.registry.Conflict;
import dev.wci.core.registry.DrainageStatus;
import dev.wci.core.registry.ManagementState;
import dev.wci.core.registry.RegisteredTaskQueue;
import dev.wci.core.registry.RegistryChange;
import dev.wci.core.registry.Routing;
import dev.wci.core.registry.TargetSource;
import dev.wci.core.registry.VersionEntry;
import dev.wci.core.registry.VersionRegistry;
import dev.wci.core.testing.TestClock;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.RoutingState;
import io.grpc.Status;
import io.temporal.api.deployment.v1.RoutingConfig;
import io.temporal.api.enums.v1.TaskQueueType;
import io.temporal.api.enums.v1.VersionDrainageStatus;
import io.temporal.api.enums.v1.WorkerDeploymentVersionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkerDeploymentRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkerDeploymentVersionRequest;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RegistrySyncTest {

    private static final String ORDERS = "orders";
    private static final String BILLING = "billing";
    private static final DeploymentVersion V1 = new DeploymentVersion(ORDERS, "v1");
    private static final DeploymentVersion V2 = new DeploymentVersion(ORDERS, "v2");
    private static final DeploymentVersion V3 = new DeploymentVersion(ORDERS, "v3");
    private static final String ARN = "arn:aws:lambda:us-east-1:123456789012:function:";

    private final TestClock clock = new TestClock();
    private FakeTemporal temporal;
    private VersionRegistry registry;
    private DescribeBudget budget;
    private RegistrySync sync;

    private static ComputeTarget lambda(String function, int version) {
        return new ComputeTarget("aws-lambda", ARN + function + ":" + version);
    }

    @BeforeEach
    void setUp() throws Exception {
        temporal = new FakeTemporal(clock);
        registry = new VersionRegistry(List.of(
                new ConfiguredDeployment(ORDERS, false, List.of(
                        new ConfiguredVersion("v1", lambda("orders", 1)),
                        new ConfiguredVersion("v2", lambda("orders", 2)),
                        new ConfiguredVersion("v3", lambda("orders", 3)))),
                new ConfiguredDeployment(BILLING, true, List.of(new ConfiguredVersion("b1", lambda("billing", 1))))));
        budget = new DescribeBudget(10, clock);
        sync = new RegistrySync(temporal.stubs, FakeTemporal.NAMESPACE, registry, budget, temporal.metrics, clock,
                Duration.ofSeconds(10), clock::advance);
    }

    @AfterEach
    void tearDown() throws Exception {
        sync.close();
        temporal.close();
    }

    private FakeTemporal.Deployment orders() {
        FakeTemporal.Deployment d = temporal.deployment(ORDERS);
        for (String b : List.of("v1", "v2", "v3")) {
            d.version(b).backlog("orders-q", TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, 0, 0)
                    .backlog("orders-q", TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY, 0, 0);
        }
        return d;
    }

    @Test
    void readsCurrentRampingAndDrainingVersionsAndTheirTaskQueues() throws Exception {
        FakeTemporal.Deployment d = orders().current("v2").ramping("v3", 20);
        d.version("v1").status = WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINING;
        d.version("v1").drainage = VersionDrainageStatus.VERSION_DRAINAGE_STATUS_DRAINING;

        RegistrySync.SyncReport report = sync.syncNow();

        assertEquals(new Routing(Optional.of(V2), Optional.of(V3), 20),
                registry.snapshot().deployments().get(ORDERS).routing());
        assertEquals(RoutingState.DRAINING, registry.version(V1).orElseThrow().routing());
        assertEquals(RoutingState.CURRENT, registry.version(V2).orElseThrow().routing());
        assertEquals(new RoutingState.Ramping(20), registry.version(V3).orElseThrow().routing());
        VersionEntry v1 = registry.version(V1).orElseThrow();
        assertEquals(ManagementState.MANAGED, v1.state(), "a draining version stays managed");
        assertEquals(DrainageStatus.DRAINING, v1.temporal().drainage());
        assertEquals(List.of(
                new RegisteredTaskQueue("orders-q", dev.wci.core.version.TaskQueueType.WORKFLOW),
                new RegisteredTaskQueue("orders-q", dev.wci.core.version.TaskQueueType.ACTIVITY)),
                v1.temporal().taskQueues());
        // One DescribeWorkerDeployment per deployment (billing: NotFound) and one describe per file version.
        assertEquals(5, report.describeCalls());
        assertEquals(0, report.failures());
        assertEquals(3, temporal.calls("DescribeWorkerDeploymentVersion").size());
        assertFalse(((DescribeWorkerDeploymentVersionRequest) temporal.calls("DescribeWorkerDeploymentVersion")
                .get(0).request()).getReportTaskQueueStats(), "the sync does not ask for stats");
        assertEquals(1, temporal.metrics.count("DescribeWorkerDeployment", Status.Code.NOT_FOUND));
        assertEquals(3, temporal.metrics.count("DescribeWorkerDeploymentVersion", Status.Code.OK));
        assertTrue(report.changes().stream().anyMatch(c -> c instanceof RegistryChange.RoutingChanged));
    }

    @Test
    void theConfigurationBecomesTheRegistrysDeployments() {
        java.nio.file.Path file = java.nio.file.Path.of("wci.yaml");
        dev.wci.server.config.DeploymentConfig d = new dev.wci.server.config.DeploymentConfig(ORDERS,
                dev.wci.core.scaling.ScalingPolicy.builder().build(), true, List.of(
                        new dev.wci.server.config.VersionConfig("v1", lambda("orders", 1),
                                java.util.Set.of(dev.wci.core.version.TaskQueueType.ACTIVITY),
                                new dev.wci.server.config.ConfigLocation(file, 3, 5)),
                        new dev.wci.server.config.VersionConfig("v2", lambda("orders", 2), java.util.Set.of(),
                                new dev.wci.server.config.ConfigLocation(file, 6, 5))),
                new dev.wci.server.config.ConfigLocation(file, 1, 1));
        assertEquals(List.of(new ConfiguredDeployment(ORDERS, true, List.of(
                new ConfiguredVersion("v1", lambda("orders", 1), java.util.Set.of(
                        dev.wci.core.version.TaskQueueType.ACTIVITY)),
                new ConfiguredVersion("v2", lambda("orders", 2))))), RegistrySync.configuredDeployments(List.of(d)));
    }

    @Test
    void theDeprecatedStringFormsOfTheRoutingConfigAreUnderstood() {
        RoutingConfig rc = RoutingConfig.newBuilder().setCurrentVersion("orders.v1").setRampingVersion("orders:v2")
                .setRampingVersionPercentage(5).build();
        assertEquals(new Routing(Optional.of(V1), Optional.of(V2), 5), RegistrySync.routing(ORDERS, rc));
        RoutingConfig unversioned = RoutingConfig.newBuilder().setCurrentVersion("__unversioned__")
                .setRampingDeploymentVersion(FakeTemporal.ref(ORDERS, "v3")).setRampingVersionPercentage(30).build();
        assertEquals(new Routing(Optional.empty(), Optional.of(V3), 30), RegistrySync.routing(ORDERS, unversioned));
        assertEquals(Routing.NONE, RegistrySync.routing(ORDERS, RoutingConfig.getDefaultInstance()));
    }

    @Test
    void notFoundDeploymentsAndVersionsAreNormalStates() throws Exception {
        orders().current("v1");
        temporal.deployment(ORDERS).versions.remove("v3");
        sync.syncNow();
        assertEquals(ManagementState.MANAGED, registry.version(V1).orElseThrow().state());
        assertEquals(ManagementState.NOT_IN_TEMPORAL, registry.version(V3).orElseThrow().state());
        VersionEntry b1 = registry.version(new DeploymentVersion(BILLING, "b1")).orElseThrow();
        assertEquals(ManagementState.NOT_IN_TEMPORAL, b1.state());
        assertFalse(registry.snapshot().deployments().get(BILLING).existsInTemporal());
        assertTrue(registry.snapshot().deployments().get(BILLING).syncedAt().isPresent());

        // The version is deleted between DescribeWorkerDeployment and its describe: NotFound, not an error.
        temporal.fail("DescribeWorkerDeploymentVersion", Status.NOT_FOUND, 1);
        RegistrySync.SyncReport report = sync.syncNow();
        assertEquals(0, report.failures());
        assertEquals(ManagementState.NOT_IN_TEMPORAL, registry.version(V1).orElseThrow().state());
        sync.syncNow();
        assertEquals(ManagementState.MANAGED, registry.version(V1).orElseThrow().state());
    }

    @Test
    void aVersionWithComputeConfigIsServerManagedAndReportedOnce() throws Exception {
        FakeTemporal.Deployment d = orders().current("v1");
        d.version("v2").computeConfig = true;
        d.version("v9").computeConfig = true; // not in the file: server-run, no conflict

        RegistrySync.SyncReport first = sync.syncNow();
        VersionEntry v2 = registry.version(V2).orElseThrow();
        assertEquals(ManagementState.SERVER_MANAGED, v2.state());
        assertFalse(registry.isManaged(V2));
        assertEquals(Conflict.Kind.SERVER_MANAGED, v2.conflicts().get(0).kind());
        assertEquals(ManagementState.SERVER_MANAGED,
                registry.version(new DeploymentVersion(ORDERS, "v9")).orElseThrow().state());
        assertEquals(2, first.changes().stream().filter(c -> c instanceof RegistryChange.VersionServerManaged).count());
        assertEquals(Map.of(V1, 4L), registry.attributeUnpinned(ORDERS, 4));

        RegistrySync.SyncReport second = sync.syncNow();
        assertTrue(second.changes().isEmpty(), "reported once, not on every sync: " + second.changes());
    }

    @Test
    void withTheLambdaEndpointAComputeConfigNamingTheVersionsOwnTargetLeavesItToWci() throws Exception {
        FakeTemporal.Deployment d = orders().current("v1");
        d.version("v2").computeConfig = true;
        d.version("v2").computeArn = ARN + "orders:2"; // the server's Lambda calls for it come to WCI
        d.version("v3").computeConfig = true;
        d.version("v3").computeArn = ARN + "orders:9"; // another function: the server invokes that itself
        try (RegistrySync delegating = new RegistrySync(temporal.stubs, FakeTemporal.NAMESPACE, registry, budget,
                temporal.metrics, clock, Duration.ofSeconds(10), clock::advance, true)) {
            delegating.syncNow();
        }
        assertEquals(ManagementState.MANAGED, registry.version(V2).orElseThrow().state());
        assertEquals(ManagementState.SERVER_MANAGED, registry.version(V3).orElseThrow().state());

        sync.syncNow(); // without the endpoint, any compute config is the server's
        assertEquals(ManagementState.SERVER_MANAGED, registry.version(V2).orElseThrow().state());
    }

    @Test
    void metadataTargetsAreReadForMetadataDeploymentsAndTheFileWins() throws Exception {
        FakeTemporal.Deployment billing = temporal.deployment(BILLING);
        billing.version("b1").jsonMetadata(MetadataTarget.KEY, "\"" + ARN + "billing:7\"");
        billing.version("b2").jsonMetadata(MetadataTarget.KEY, "\"" + ARN + "billing:2\"");
        billing.version("b3").jsonMetadata(MetadataTarget.KEY, "\"" + ARN + "billing:$LATEST\"");
        billing.version("b4").jsonMetadata(MetadataTarget.KEY, "{\"arn\": 1}");
        billing.version("b5").jsonMetadata("other", "\"x\"");

        sync.syncNow();

        VersionEntry b1 = registry.version(new DeploymentVersion(BILLING, "b1")).orElseThrow();
        assertEquals(Optional.of(lambda("billing", 1)), b1.target());
        assertEquals(Conflict.Kind.METADATA_TARGET_DIFFERS, b1.conflicts().get(0).kind());
        VersionEntry b2 = registry.version(new DeploymentVersion(BILLING, "b2")).orElseThrow();
        assertEquals(ManagementState.MANAGED, b2.state());
        assertEquals(Optional.of(TargetSource.METADATA), b2.targetSource());
        assertEquals(Optional.of(lambda("billing", 2)), b2.target());
        VersionEntry b3 = registry.version(new DeploymentVersion(BILLING, "b3")).orElseThrow();
        assertEquals(ManagementState.UNMAPPED, b3.state());
        assertTrue(b3.conflicts().get(0).message().contains("not a published version"), b3.conflicts().toString());
        VersionEntry b4 = registry.version(new DeploymentVersion(BILLING, "b4")).orElseThrow();
        assertTrue(b4.conflicts().get(0).message().contains("must be a JSON string"), b4.conflicts().toString());
        assertEquals(ManagementState.UNMAPPED,
                registry.version(new DeploymentVersion(BILLING, "b5")).orElseThrow().state());
        assertEquals(5, temporal.calls("DescribeWorkerDeploymentVersion").size(),
                "every version of a metadata deployment is described");
    }

    @Test
    void drainedVersionsOfMetadataDeploymentsAreDescribedLessOften() throws Exception {
        FakeTemporal.Deployment billing = temporal.deployment(BILLING);
        billing.version("old").drainage = VersionDrainageStatus.VERSION_DRAINAGE_STATUS_DRAINED;
        billing.version("old").jsonMetadata(MetadataTarget.KEY, "\"" + ARN + "billing:9\"");
        for (int i = 0; i < RegistrySync.DRAINED_REFRESH_SYNCS; i++) {
            sync.syncNow();
            assertTrue(registry.isManaged(new DeploymentVersion(BILLING, "old")), "its last answer is reused");
        }
        assertEquals(1, temporal.calls("DescribeWorkerDeploymentVersion").size());
        sync.syncNow();
        assertEquals(2, temporal.calls("DescribeWorkerDeploymentVersion").size());
    }

    @Test
    void unavailableKeepsWhatIsKnownAndResourceExhaustedSlowsTheBudget() throws Exception {
        orders().current("v1");
        sync.syncNow();
        assertTrue(registry.isManaged(V1));

        temporal.fail("DescribeWorkerDeployment", Status.UNAVAILABLE, 1);
        RegistrySync.SyncReport down = sync.syncNow();
        assertEquals(1, down.failures());
        assertTrue(registry.isManaged(V1), "a failed read changes nothing");

        temporal.fail("DescribeWorkerDeploymentVersion", Status.UNAVAILABLE, 1);
        temporal.deployment(ORDERS).current("v2");
        RegistrySync.SyncReport partial = sync.syncNow();
        assertEquals(1, partial.failures());
        assertTrue(registry.isManaged(V1), "the version's last answer is reused");
        assertEquals(RoutingState.CURRENT, registry.version(V2).orElseThrow().routing(), "the rest is updated");

        temporal.fail("DescribeWorkerDeployment", Status.RESOURCE_EXHAUSTED, 1);
        sync.syncNow();
        assertEquals(5, budget.effectivePerSecond());
        assertEquals(1, temporal.metrics.count("DescribeWorkerDeployment", Status.Code.RESOURCE_EXHAUSTED));
    }

    @Test
    void describeCallsStayInsideTheBudget() throws Exception {
        orders().current("v1");
        for (int i = 0; i < 20; i++) {
            sync.syncNow();
        }
        List<FakeTemporal.Call> calls = temporal.calls().stream()
                .filter(c -> c.method().startsWith("Describe")).toList();
        assertEquals(100, calls.size());
        for (int i = 0; i + 10 < calls.size(); i++) {
            assertTrue(Duration.between(calls.get(i).at(), calls.get(i + 10).at()).compareTo(Duration.ofSeconds(1))
                    >= 0, "11 describes within a second at " + calls.get(i).at());
        }
    }

    @Test
    void aFailingListenerDoesNotStopTheSync() throws Exception {
        orders().current("v1");
        registry.addListener(c -> {
            throw new IllegalStateException("listener bug");
        });
        RegistrySync.SyncReport report = sync.syncNow();
        assertTrue(registry.isManaged(V1));
        assertEquals(2, report.deployments());
        assertEquals(1.0, temporal.metrics.registry().get("wci.temporal.loop.failures").tag("loop", "registry-sync")
                .counter().count());
    }

    @Test
    void aLoopKilledByAnErrorIsReportedDeadAndCounted() {
        orders().current("v1");
        registry.addListener(c -> {
            throw new VirtualMachineError("simulated") {
            };
        });
        RegistrySync live = new RegistrySync(temporal.stubs, FakeTemporal.NAMESPACE, registry,
                new DescribeBudget(100, java.time.Clock.systemUTC()), temporal.metrics, java.time.Clock.systemUTC(),
                Duration.ofHours(1), Sleeper.REAL);
        try {
            assertFalse(live.loopDead());
            live.start();

            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(live::loopDead);
            assertEquals(1.0, temporal.metrics.registry().get("wci.temporal.loop.failures")
                    .tag("loop", "registry-sync").counter().count());
        } finally {
            live.close();
        }
        assertTrue(live.loopDead(), "closing does not revive it");
    }

    @Test
    void theBackgroundLoopSyncsOnRequestAndStopsCleanly() throws Exception {
        RegistrySync live = new RegistrySync(temporal.stubs, FakeTemporal.NAMESPACE, registry,
                new DescribeBudget(100, java.time.Clock.systemUTC()), temporal.metrics, java.time.Clock.systemUTC(),
                Duration.ofHours(1), Sleeper.REAL);
        try {
            live.start();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> registry.snapshot().deployments().get(ORDERS).syncedAt().isPresent());
            orders().current("v1");
            live.requestSync();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> registry.isManaged(V1));
        } finally {
            live.close();
        }
        int calls = temporal.calls().size();
        live.requestSync();
        assertEquals(calls, temporal.calls().size(), "no sync after close");
        assertInstanceOf(IllegalStateException.class, catchStart(live));
    }

    private static Throwable catchStart(RegistrySync s) {
        try {
            s.start();
            return null;
        } catch (IllegalStateException e) {
            return e;
        }
    }

    @Test
    void aDeploymentTakenOnThatIsNotConfiguredIsRefusedWithoutACall() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sync.syncNow("no-such"));
        assertEquals("deployment no-such is not configured", e.getMessage());
        assertTrue(temporal.calls().isEmpty(), "nothing was read: " + temporal.calls());
    }

    @Test
    void onlyDeploymentsThisReplicaReadsAreSyncedAndOneTakenOnIsReadAtOnce() throws Exception {
        orders().current("v1");
        Set<String> held = new HashSet<>();
        try (RegistrySync gated = new RegistrySync(temporal.stubs, FakeTemporal.NAMESPACE, registry, budget,
                temporal.metrics, clock, Duration.ofSeconds(10), clock::advance, false, held::contains)) {
            RegistrySync.SyncReport none = gated.syncNow();
            assertEquals(0, none.deployments());
            assertEquals(0, none.describeCalls());
            assertTrue(temporal.calls().isEmpty(), "a standby sends nothing: " + temporal.calls());
            assertTrue(registry.snapshot().deployments().get(ORDERS).syncedAt().isEmpty(), "never read here");

            // Taken on: read at once, whatever the gate says yet; then by the loop while held.
            RegistrySync.SyncReport takeOver = gated.syncNow(ORDERS);
            assertEquals(1, takeOver.deployments());
            assertEquals(List.of(ORDERS), deploymentsDescribed());
            assertEquals(Optional.of(V1), registry.snapshot().deployments().get(ORDERS).routing().current());
            held.add(ORDERS);
            temporal.clearCalls();
            gated.syncNow();
            assertEquals(List.of(ORDERS), deploymentsDescribed(), "billing is held elsewhere");

            // Held elsewhere again: what was read stays, unread.
            held.clear();
            temporal.clearCalls();
            orders().current("v2");
            gated.syncNow();
            assertTrue(temporal.calls().isEmpty());
            assertEquals(Optional.of(V1), registry.snapshot().deployments().get(ORDERS).routing().current());
        }
        assertThrows(IllegalArgumentException.class, () -> sync.syncNow("nope"));
    }

    private List<String> deploymentsDescribed() {
        return temporal.calls("DescribeWorkerDeployment").stream()
                .map(c -> ((DescribeWorkerDeploymentRequest) c.request()).getDeploymentName()).toList();
    }
}
