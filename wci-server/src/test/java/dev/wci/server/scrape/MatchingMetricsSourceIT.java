package dev.wci.server.scrape;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.signal.MatchingSignal;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.testing.FixedVersionLookup;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.TaskQueueType;
import dev.wci.lambda.worker.it.DevServerExtension;
import dev.wci.lambda.worker.it.TestActivities;
import dev.wci.lambda.worker.it.TestWorkflow;
import dev.wci.lambda.worker.it.TestWorkflowImpl;
import dev.wci.local.DevServerProcess;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.api.deployment.v1.RoutingConfig;
import io.temporal.api.workflowservice.v1.DescribeWorkerDeploymentRequest;
import io.temporal.api.workflowservice.v1.SetWorkerDeploymentCurrentVersionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.VersioningBehavior;
import io.temporal.common.WorkerDeploymentVersion;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerDeploymentOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source against a real Temporal dev server's /metrics: a version whose worker has stopped, workflows started,
 * and the time from each start to the sync-match failure reaching the sink.
 */
class MatchingMetricsSourceIT {

    private static final String NAMESPACE = "default";
    private static final int WORKFLOWS = 6;

    private static DevServerProcess server;
    private static WorkflowServiceStubs stubs;
    private static WorkflowClient client;

    @TempDir
    static Path tmp;

    /** A received signal and when (System.nanoTime). */
    private record Received(MatchingSignal signal, long atNanos) {
    }

    @BeforeAll
    static void startServer() throws Exception {
        Optional<Path> cli = DevServerExtension.locateCli();
        Assumptions.assumeTrue(cli.isPresent(), "Temporal CLI not found (set WCI_TEMPORAL_CLI): skipping");
        server = DevServerProcess.start(
                DevServerProcess.Options.of(cli.get(), tmp.resolve("temporal.log")).withMetrics());
        stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(server.target()).build());
        client = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace(NAMESPACE).build());
    }

    @AfterAll
    static void stopServer() {
        if (stubs != null) {
            stubs.shutdownNow();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Runs a versioned worker until the version exists, makes it Current, then stops the worker. */
    private static void registerAndStop(DeploymentVersion v, String taskQueue) throws InterruptedException {
        WorkerFactory factory = WorkerFactory.newInstance(client);
        Worker worker = factory.newWorker(taskQueue, WorkerOptions.newBuilder()
                .setDeploymentOptions(WorkerDeploymentOptions.newBuilder()
                        .setUseVersioning(true)
                        .setVersion(new WorkerDeploymentVersion(v.deploymentName(), v.buildId()))
                        .setDefaultVersioningBehavior(VersioningBehavior.AUTO_UPGRADE)
                        .build())
                .build());
        worker.registerWorkflowImplementationTypes(TestWorkflowImpl.class);
        worker.registerActivitiesImplementations(new TestActivities.Impl());
        factory.start();
        try {
            // The version exists once its worker has polled; until then setting it Current fails.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> {
                        stubs.blockingStub().setWorkerDeploymentCurrentVersion(
                                SetWorkerDeploymentCurrentVersionRequest.newBuilder()
                                        .setNamespace(NAMESPACE)
                                        .setDeploymentName(v.deploymentName())
                                        .setBuildId(v.buildId())
                                        .setIdentity("wci-it")
                                        .build());
                        return true;
                    });
        } finally {
            factory.shutdownNow();
            factory.awaitTermination(10, TimeUnit.SECONDS);
        }
        RoutingConfig routing = stubs.blockingStub().describeWorkerDeployment(DescribeWorkerDeploymentRequest
                        .newBuilder().setNamespace(NAMESPACE).setDeploymentName(v.deploymentName()).build())
                .getWorkerDeploymentInfo().getRoutingConfig();
        assertEquals(v.buildId(), routing.getCurrentDeploymentVersion().getBuildId(), "the version is Current");
    }

    @Test
    void aWorkflowWithoutWorkersBecomesASyncMatchFailureOfTheCurrentVersion() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        // A '-' in the deployment and a '.' in the build ID and task queue: the server exports them as '_'.
        DeploymentVersion version = new DeploymentVersion("it-scrape-" + id, "b." + id);
        String taskQueue = "it-scrape-q." + id;
        registerAndStop(version, taskQueue);

        List<Received> received = new CopyOnWriteArrayList<>();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (MatchingMetricsSource source = new MatchingMetricsSource(
                MatchingMetricsSettings.of(List.of(server.metricsEndpoint().orElseThrow()), NAMESPACE),
                FixedVersionLookup.current(version), () -> List.of(new VersionTaskQueue(version, taskQueue)),
                signal -> received.add(new Received(signal, System.nanoTime())), meters, Clock.systemUTC())) {
            source.start();
            // Past the baseline round: from here on, new tasks are increases.
            await().atMost(Duration.ofSeconds(60)).until(() -> meters.find(ScrapeMetrics.REQUESTS)
                    .tag("result", "ok").counters().stream().mapToDouble(c -> c.count()).sum() >= 2);

            List<Long> latenciesMillis = new ArrayList<>();
            for (int i = 0; i < WORKFLOWS; i++) {
                int before = received.size();
                TestWorkflow wf = client.newWorkflowStub(TestWorkflow.class, WorkflowOptions.newBuilder()
                        .setTaskQueue(taskQueue)
                        .setWorkflowId("it-scrape-" + id + "-" + i)
                        .setWorkflowExecutionTimeout(Duration.ofMinutes(2))
                        .build());
                long startedAt = System.nanoTime();
                WorkflowClient.start(wf::run, 0L);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                        .until(() -> received.size() > before);
                Received r = received.get(before);
                latenciesMillis.add(TimeUnit.NANOSECONDS.toMillis(r.atNanos() - startedAt));
                SyncMatchFailure failure = (SyncMatchFailure) r.signal();
                assertEquals(version, failure.version());
                assertEquals(taskQueue, failure.taskQueue(), "the real name, not the sanitized label");
                assertEquals(TaskQueueType.WORKFLOW, failure.type());
                assertEquals(1, failure.notMatchedCount());
                assertEquals(0, failure.rateLimitedCount());
                // Spread the starts over the server's 1 s metrics flush and the 500 ms scrape interval.
                long pause = 300 + 170L * i;
                await().pollDelay(Duration.ofMillis(pause)).atMost(Duration.ofMillis(pause + 60_000)).until(() -> true);
            }
            List<Long> sorted = latenciesMillis.stream().sorted().toList();
            System.out.printf("matching-metrics latency, workflow start -> SyncMatchFailure at the sink "
                            + "(ms, %d workflows): %s; min %d, median %d, max %d%n", WORKFLOWS, latenciesMillis,
                    sorted.get(0), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
            assertEquals(WORKFLOWS, received.size(), "one signal per workflow, none twice: " + received);
            // Latency is printed above, not asserted: the server's metrics reporter flushes every 1 s, then up to
            // one 500 ms interval, then the request (1.5 s at worst on an idle machine); timings belong in benchmarks.
            assertEquals(1.0 * WORKFLOWS, meters.get(ScrapeMetrics.SIGNALS).counter().count());
        }
    }
}
