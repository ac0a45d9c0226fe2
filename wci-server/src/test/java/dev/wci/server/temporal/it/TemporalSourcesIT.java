package dev.wci.server.temporal.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.registry.Conflict;
import dev.wci.core.registry.ConfiguredDeployment;
import dev.wci.core.registry.ConfiguredVersion;
import dev.wci.core.registry.DrainageStatus;
import dev.wci.core.registry.ManagementState;
import dev.wci.core.registry.RegisteredTaskQueue;
import dev.wci.core.registry.Routing;
import dev.wci.core.registry.TargetSource;
import dev.wci.core.registry.VersionEntry;
import dev.wci.core.registry.VersionRegistry;
import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.signal.MatchingSignal;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.RoutingState;
import dev.wci.core.version.TaskQueueType;
import dev.wci.lambda.worker.it.DevServerExtension;
import dev.wci.server.config.SignalsConfig;
import dev.wci.server.config.TemporalConfig;
import dev.wci.server.temporal.DescribeBudget;
import dev.wci.server.temporal.RegistrySync;
import dev.wci.server.temporal.TemporalConnection;
import dev.wci.server.temporal.TemporalRpcMetrics;
import dev.wci.server.temporal.TemporalStatsSource;
import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registry sync and the stats source against a real Temporal dev server, with real versioned Java SDK workers
 * creating the versions and their task queues.
 */
@ExtendWith(DevServerExtension.class)
class TemporalSourcesIT {

    private static final Logger log = LoggerFactory.getLogger(TemporalSourcesIT.class);
    private static final String ARN = "arn:aws:lambda:us-east-1:123456789012:function:";
    private static final Clock CLOCK = Clock.systemUTC();

    private static TemporalConnection connection;
    private static WorkflowClient client;
    private static DeploymentAdmin admin;
    private static TemporalRpcMetrics metrics;

    @BeforeAll
    static void connect(DevServerExtension.DevServer server) {
        metrics = new TemporalRpcMetrics(new SimpleMeterRegistry());
        connection = TemporalConnection.open(new TemporalConfig(server.target(), server.namespace(), Optional.empty(),
                Optional.empty(), 10, Duration.ofSeconds(10)), metrics);
        client = WorkflowClient.newInstance(connection.stubs(),
                WorkflowClientOptions.newBuilder().setNamespace(server.namespace()).build());
        admin = new DeploymentAdmin(connection.stubs(), server.namespace());
    }

    @AfterAll
    static void disconnect() {
        if (connection != null) {
            connection.close();
        }
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static ComputeTarget lambda(String function, int version) {
        return new ComputeTarget("aws-lambda", ARN + function + ":" + version);
    }

    @Test
    void healthCheckAnswers() {
        TemporalConnection.Health h = connection.check(Duration.ofSeconds(5));
        assertTrue(h.ok(), h.detail());
    }

    @Test
    void registrySyncFollowsRoutingTaskQueuesAndMetadata() throws Exception {
        String deployment = unique("it-reg");
        String queue = unique("it-reg-q");
        DeploymentVersion b1 = new DeploymentVersion(deployment, "b1");
        DeploymentVersion b2 = new DeploymentVersion(deployment, "b2");
        DeploymentVersion b3 = new DeploymentVersion(deployment, "b3");
        VersionRegistry registry = new VersionRegistry(List.of(new ConfiguredDeployment(deployment, true, List.of(
                new ConfiguredVersion("b1", lambda("reg", 1)), new ConfiguredVersion("b2", lambda("reg", 2))))));
        RegistrySync sync = new RegistrySync(connection, registry, new DescribeBudget(10, CLOCK), CLOCK,
                Duration.ofSeconds(10));

        // Nothing in Temporal yet: a normal state.
        RegistrySync.SyncReport first = sync.syncNow();
        assertEquals(0, first.failures());
        assertEquals(ManagementState.NOT_IN_TEMPORAL, registry.version(b1).orElseThrow().state());

        try (VersionedWorker w1 = new VersionedWorker(client, deployment, "b1", queue);
             VersionedWorker w2 = new VersionedWorker(client, deployment, "b2", queue);
             VersionedWorker w3 = new VersionedWorker(client, deployment, "b3", queue)) {
            admin.setCurrent(deployment, "b1");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
                sync.syncNow();
                VersionEntry e = registry.version(b1).orElseThrow();
                return e.isManaged() && e.routing().equals(RoutingState.CURRENT)
                        && e.temporal().taskQueues().size() == 2;
            });
            assertEquals(List.of(new RegisteredTaskQueue(queue, TaskQueueType.WORKFLOW),
                    new RegisteredTaskQueue(queue, TaskQueueType.ACTIVITY)),
                    registry.version(b1).orElseThrow().temporal().taskQueues());
            assertEquals(Routing.current(b1), registry.snapshot().deployments().get(deployment).routing());
            assertEquals(ManagementState.UNMAPPED, registry.version(b3).orElseThrow().state(),
                    "in Temporal, not in the file, no metadata");

            admin.setRamping(deployment, "b2", 30);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
                sync.syncNow();
                return registry.version(b2).orElseThrow().routing().equals(new RoutingState.Ramping(30));
            });
            assertEquals(new Routing(Optional.of(b1), Optional.of(b2), 30),
                    registry.snapshot().deployments().get(deployment).routing());
            long toRamp = 0;
            for (int i = 0; i < 10; i++) {
                toRamp += registry.attributeUnpinned(deployment, 1).getOrDefault(b2, 0L);
            }
            assertEquals(3, toRamp, "30 % of ten single tasks");

            admin.setCurrent(deployment, "b2");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
                sync.syncNow();
                return registry.version(b1).orElseThrow().routing().equals(RoutingState.DRAINING);
            });
            VersionEntry drained = registry.version(b1).orElseThrow();
            assertEquals(DrainageStatus.DRAINING, drained.temporal().drainage());
            assertTrue(drained.isManaged(), "pinned work still arrives on a draining version");
            assertEquals(RoutingState.CURRENT, registry.version(b2).orElseThrow().routing());

            // Metadata: b3 names its own target; b2 names one that differs from the file.
            admin.putMetadata(deployment, "b3", RegistrySync.METADATA_TARGET_KEY, "\"" + ARN + "reg:3\"");
            admin.putMetadata(deployment, "b2", RegistrySync.METADATA_TARGET_KEY, "\"" + ARN + "reg:22\"");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
                sync.syncNow();
                return registry.version(b3).orElseThrow().isManaged();
            });
            VersionEntry fromMetadata = registry.version(b3).orElseThrow();
            assertEquals(Optional.of(TargetSource.METADATA), fromMetadata.targetSource());
            assertEquals(Optional.of(lambda("reg", 3)), fromMetadata.target());
            VersionEntry conflicted = registry.version(b2).orElseThrow();
            assertEquals(Optional.of(lambda("reg", 2)), conflicted.target(), "the file wins");
            assertEquals(List.of(Conflict.Kind.METADATA_TARGET_DIFFERS),
                    conflicted.conflicts().stream().map(Conflict::kind).toList());
        }
        assertEquals(0, metrics.count("DescribeWorkerDeployment", Status.Code.INTERNAL));
    }

    @Test
    void statsSourceTurnsABacklogWithoutWorkersIntoSignalsForTheRightVersion() throws Exception {
        String deployment = unique("it-stats");
        String queue = unique("it-stats-q");
        DeploymentVersion b1 = new DeploymentVersion(deployment, "b1");
        DeploymentVersion b2 = new DeploymentVersion(deployment, "b2");
        VersionRegistry registry = new VersionRegistry(List.of(new ConfiguredDeployment(deployment, false, List.of(
                new ConfiguredVersion("b1", lambda("stats", 1)), new ConfiguredVersion("b2", lambda("stats", 2))))));
        DescribeBudget budget = new DescribeBudget(10, CLOCK);
        RegistrySync sync = new RegistrySync(connection, registry, budget, CLOCK, Duration.ofSeconds(10));
        List<MatchingSignal> signals = Collections.synchronizedList(new ArrayList<>());
        List<Long> signalNanos = Collections.synchronizedList(new ArrayList<>());
        Duration active = Duration.ofSeconds(1);
        Duration idle = Duration.ofSeconds(10);
        Duration idleAfter = Duration.ofSeconds(5);

        VersionedWorker w1 = new VersionedWorker(client, deployment, "b1", queue);
        try (VersionedWorker w2 = new VersionedWorker(client, deployment, "b2", queue)) {
            admin.setCurrent(deployment, "b1");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
                sync.syncNow();
                return registry.isManaged(b1) && registry.isManaged(b2)
                        && !registry.version(b1).orElseThrow().needsBootstrap();
            });
        }
        w1.close(); // no worker polls any more: new tasks find nobody

        try (TemporalStatsSource source = new TemporalStatsSource(connection, registry, budget,
                new SignalsConfig.TemporalStats(true, active, idle, idleAfter), v -> 0, s -> {
                    synchronized (signals) {
                        signals.add(s);
                        signalNanos.add(System.nanoTime());
                    }
                }, CLOCK)) {
            source.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> source.status().stream()
                    .allMatch(s -> s.polls() > 0) && source.status().size() == 2);
            assertTrue(signals.stream().noneMatch(s -> s instanceof SyncMatchFailure), "no backlog yet");

            long startNanos = System.nanoTime();
            Instant started = Instant.now();
            for (int i = 0; i < 3; i++) {
                WorkflowClient.start(client.newWorkflowStub(ItWorkflows.Echo.class, WorkflowOptions.newBuilder()
                        .setTaskQueue(queue).setWorkflowId(unique("wf")).build())::echo, "x");
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> unmatched(signals, b1, queue) >= 3
                    && lastBacklog(signals, b1, queue).orElse(-1L) == 3);
            int first = firstFailureIndex(signals);
            long toFirstFailureMillis;
            synchronized (signals) {
                toFirstFailureMillis = (signalNanos.get(first) - startNanos) / 1_000_000;
            }
            long toFullBacklogMillis = (nanosWhen(signals, signalNanos, b1, queue, 3) - startNanos) / 1_000_000;
            SyncMatchFailure f = (SyncMatchFailure) signals.get(first);
            assertEquals(b1, f.version());
            assertEquals(queue, f.taskQueue());
            assertEquals(TaskQueueType.WORKFLOW, f.type());
            assertEquals(3, unmatched(signals, b1, queue), "each task counted once");
            assertTrue(signals.stream().filter(s -> s.version().equals(b2)).allMatch(s ->
                    s instanceof BacklogObservation o && o.backlogCount() == 0), "nothing for the other version");

            // Describe calls per version: b1 has a backlog (active), b2 went idle after idleAfter.
            await().atMost(Duration.ofSeconds(90)).until(() -> source.status().stream()
                    .anyMatch(s -> s.version().equals(b2) && !s.active()));
            List<TemporalStatsSource.VersionPollStatus> before = source.status();
            await().pollDelay(Duration.ofSeconds(30)).atMost(Duration.ofSeconds(90)).until(() -> true);
            List<TemporalStatsSource.VersionPollStatus> after = source.status();
            double activeRate = rate(before, after, b1);
            double idleRate = rate(before, after, b2);
            log.info("MEASURED first SyncMatchFailure {} ms after the first workflow start ({}), backlog of 3 fully "
                            + "signalled after {} ms; describe calls per version: active {} /s (interval {}), "
                            + "idle {} /s (interval {})", toFirstFailureMillis, started, toFullBacklogMillis,
                    String.format("%.2f", activeRate), active, String.format("%.3f", idleRate), idle);
            // Never faster than the configured intervals; no lower bound on speed (a loaded machine polls late),
            // only that the active version is polled clearly more often than the idle one.
            assertTrue(activeRate <= 1.05, "active: " + activeRate);
            assertTrue(idleRate <= 0.12, "idle: " + idleRate);
            assertTrue(activeRate > 2 * idleRate, "active " + activeRate + " /s against idle " + idleRate + " /s");
        }
    }

    private static long unmatched(List<MatchingSignal> signals, DeploymentVersion v, String queue) {
        synchronized (signals) {
            return signals.stream().filter(s -> s instanceof SyncMatchFailure f && f.version().equals(v)
                            && f.taskQueue().equals(queue) && f.type() == TaskQueueType.WORKFLOW)
                    .mapToLong(s -> ((SyncMatchFailure) s).notMatchedCount()).sum();
        }
    }

    private static Optional<Long> lastBacklog(List<MatchingSignal> signals, DeploymentVersion v, String queue) {
        synchronized (signals) {
            Optional<Long> last = Optional.empty();
            for (MatchingSignal s : signals) {
                if (s instanceof BacklogObservation o && o.version().equals(v) && o.taskQueue().equals(queue)
                        && o.type() == TaskQueueType.WORKFLOW) {
                    last = Optional.of(o.backlogCount());
                }
            }
            return last;
        }
    }

    private static int firstFailureIndex(List<MatchingSignal> signals) {
        synchronized (signals) {
            for (int i = 0; i < signals.size(); i++) {
                if (signals.get(i) instanceof SyncMatchFailure) {
                    return i;
                }
            }
        }
        throw new AssertionError("no failure");
    }

    private static long nanosWhen(List<MatchingSignal> signals, List<Long> nanos, DeploymentVersion v, String queue,
                                  long total) {
        synchronized (signals) {
            long sum = 0;
            for (int i = 0; i < signals.size(); i++) {
                if (signals.get(i) instanceof SyncMatchFailure f && f.version().equals(v)
                        && f.taskQueue().equals(queue)) {
                    sum += f.notMatchedCount();
                    if (sum >= total) {
                        return nanos.get(i);
                    }
                }
            }
        }
        throw new AssertionError("never reached " + total);
    }

    /** Polls per second between two status snapshots: polls made over the time between their last polls. */
    private static double rate(List<TemporalStatsSource.VersionPollStatus> before,
                               List<TemporalStatsSource.VersionPollStatus> after, DeploymentVersion v) {
        TemporalStatsSource.VersionPollStatus b = find(before, v);
        TemporalStatsSource.VersionPollStatus a = find(after, v);
        double seconds = Duration.between(b.lastPolledAt().orElseThrow(), a.lastPolledAt().orElseThrow()).toMillis()
                / 1000.0;
        assertTrue(a.polls() - b.polls() >= 2, "too few polls of " + v + " to measure");
        return (a.polls() - b.polls()) / seconds;
    }

    private static TemporalStatsSource.VersionPollStatus find(List<TemporalStatsSource.VersionPollStatus> status,
                                                              DeploymentVersion v) {
        return status.stream().filter(s -> s.version().equals(v)).findFirst().orElseThrow();
    }
}
