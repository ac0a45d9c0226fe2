package dev.wci.server.temporal.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.census.CensusSink;
import dev.wci.core.census.CensusSnapshot;
import dev.wci.core.census.CensusStatus;
import dev.wci.core.census.CensusWorker;
import dev.wci.core.census.SlotLoad;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.registry.ConfiguredDeployment;
import dev.wci.core.registry.ConfiguredVersion;
import dev.wci.core.registry.VersionRegistry;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.lambda.worker.it.DevServerExtension;
import dev.wci.server.config.SignalsConfig;
import dev.wci.server.config.TemporalConfig;
import dev.wci.server.temporal.DescribeBudget;
import dev.wci.server.temporal.RegistrySync;
import dev.wci.server.temporal.TemporalCensusSource;
import dev.wci.server.temporal.TemporalConnection;
import dev.wci.server.temporal.TemporalRpcMetrics;
import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The worker census against a real Temporal dev server: a plain Java SDK worker of a versioned deployment, with
 * WCI's identity form and a 1 s heartbeat, is listed as running, and as shutting down (or not at all) once it stops.
 */
@ExtendWith(DevServerExtension.class)
class TemporalCensusSourceIT {

    private static final String FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:f:1";
    private static final Clock CLOCK = Clock.systemUTC();

    @Test
    void aRunningWorkerIsListedAndItsShutdownSeen(DevServerExtension.DevServer server) throws Exception {
        String deployment = "it-census-" + UUID.randomUUID().toString().substring(0, 8);
        String identity = "req-1@" + FUNCTION;
        DeploymentVersion b1 = new DeploymentVersion(deployment, "b1");
        TemporalRpcMetrics metrics = new TemporalRpcMetrics(new SimpleMeterRegistry());
        List<CensusSnapshot> snapshots = Collections.synchronizedList(new ArrayList<>());
        List<String> unavailable = Collections.synchronizedList(new ArrayList<>());
        CensusSink sink = new CensusSink() {
            @Override
            public void onCensus(CensusSnapshot snapshot) {
                snapshots.add(snapshot);
            }

            @Override
            public void onCensusUnavailable(DeploymentVersion version, String reason) {
                unavailable.add(reason);
            }

            @Override
            public void onCensusReadFailed(DeploymentVersion version, String reason) {
                unavailable.add("read failed: " + reason);
            }
        };
        try (TemporalConnection connection = TemporalConnection.open(new TemporalConfig(server.target(),
                server.namespace(), Optional.empty(), Optional.empty(), 10, Duration.ofSeconds(10)), metrics)) {
            WorkflowClient client = WorkflowClient.newInstance(connection.stubs(), WorkflowClientOptions.newBuilder()
                    .setNamespace(server.namespace()).setIdentity(identity)
                    .setWorkerHeartbeatInterval(Duration.ofSeconds(1)).build());
            VersionRegistry registry = new VersionRegistry(List.of(new ConfiguredDeployment(deployment, false,
                    List.of(new ConfiguredVersion("b1", new ComputeTarget("aws-lambda", FUNCTION))))));
            RegistrySync sync = new RegistrySync(connection, registry, new DescribeBudget(10, CLOCK), CLOCK,
                    Duration.ofSeconds(10));
            VersionedWorker worker = new VersionedWorker(client, deployment, "b1", deployment + "-q");
            try (TemporalCensusSource census = new TemporalCensusSource(connection, registry,
                    new DescribeBudget(5, CLOCK), SignalsConfig.DEFAULT_CENSUS, v -> true, sink, CLOCK)) {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                    sync.syncNow();
                    return registry.isManaged(b1);
                });
                census.start();

                await().atMost(Duration.ofSeconds(60)).until(() -> listed(snapshots, identity, CensusStatus.RUNNING));
                CensusWorker seen = last(snapshots).workers().stream().filter(w -> w.identity().equals(identity))
                        .findFirst().orElseThrow();
                assertEquals(Optional.of("req-1"), seen.requestId());
                assertTrue(seen.startedAt() != null, "the worker reports its start");
                assertEquals(b1, last(snapshots).version());
                assertEquals(TemporalCensusSource.Availability.AVAILABLE, census.availability(),
                        "the dev server advertises workerHeartbeats");

                // Its heartbeats carry the load the census pace reads: an idle worker, no slot in use, no task done,
                // over the 1 s interval (the first heartbeat may come without one).
                await().atMost(Duration.ofSeconds(60)).until(() -> loaded(snapshots, identity));
                SlotLoad load = last(snapshots).workers().stream().filter(w -> w.identity().equals(identity))
                        .findFirst().orElseThrow().load();
                assertEquals(0, load.usedSlots());
                assertEquals(0, load.processedTasks());
                assertTrue(load.interval().compareTo(Duration.ofSeconds(10)) <= 0, load.toString());

                worker.close();
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    CensusSnapshot s = last(snapshots);
                    return s.workers().stream().noneMatch(w -> w.identity().equals(identity)
                            && w.status() == CensusStatus.RUNNING);
                });
                assertTrue(unavailable.isEmpty(), unavailable.toString());
                assertEquals(0, metrics.count("ListWorkers", Status.Code.INVALID_ARGUMENT), "the query is accepted");
            } finally {
                worker.close();
                sync.close();
            }
        }
    }

    private static boolean listed(List<CensusSnapshot> snapshots, String identity, CensusStatus status) {
        return !snapshots.isEmpty() && last(snapshots).workers().stream()
                .anyMatch(w -> w.identity().equals(identity) && w.status() == status);
    }

    private static boolean loaded(List<CensusSnapshot> snapshots, String identity) {
        return !snapshots.isEmpty() && last(snapshots).workers().stream()
                .anyMatch(w -> w.identity().equals(identity) && w.load() != null);
    }

    private static CensusSnapshot last(List<CensusSnapshot> snapshots) {
        synchronized (snapshots) {
            return snapshots.get(snapshots.size() - 1);
        }
    }
}
