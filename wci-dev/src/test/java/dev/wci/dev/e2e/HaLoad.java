package dev.wci.dev.e2e;

import static org.awaitility.Awaitility.await;

import dev.wci.local.lambda.LocalFunction;
import dev.wci.local.lambda.LocalFunctionVersion;
import dev.wci.local.lambda.LocalLambdaRuntime;
import dev.wci.dev.demo.DemoWorkerHandler;
import dev.wci.dev.demo.DemoWorkflows;
import io.temporal.api.workflowservice.v1.SetWorkerDeploymentCurrentVersionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.File;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The HA tests' deployments and their steady load: one Lambda function per deployment running the demo worker in a
 * JVM per invocation, the deployments' WCI configuration, and a few pinned workflows per deployment every 1.5 s, each
 * timed, so the tasks' extra wait around a takeover can be told.
 */
final class HaLoad implements AutoCloseable {

    /** A workflow of the steady load: when it started and how long it took (null while running). */
    record Load(String deployment, Instant startedAt, Long millis) {
    }

    final List<String> deployments;
    final String target;
    final String namespace;
    final WorkflowServiceStubs stubs;
    final WorkflowClient client;
    final List<Load> load = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();

    HaLoad(List<String> deployments, String target, String namespace) {
        this.deployments = List.copyOf(deployments);
        this.target = target;
        this.namespace = namespace;
        this.stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(target)
                .build());
        this.client = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace(namespace)
                .build());
    }

    static String function(String d) {
        return "fn-" + d;
    }

    static String queue(String d) {
        return "q-" + d;
    }

    /** One function per deployment, version 1, running the demo worker of this test JVM's class path. */
    List<LocalFunction> functions() {
        List<String> classpath = List.of(System.getProperty("java.class.path").split(File.pathSeparator));
        List<LocalFunction> functions = new ArrayList<>();
        for (String d : deployments) {
            functions.add(new LocalFunction(function(d), null, null, List.of(new LocalFunctionVersion("1",
                    DemoWorkerHandler.class.getName(), classpath, 60, 512, Map.of(
                    "TEMPORAL_ADDRESS", target,
                    "TEMPORAL_NAMESPACE", namespace,
                    "TEMPORAL_DEPLOYMENT_NAME", d,
                    "TEMPORAL_WORKER_BUILD_ID", "v1",
                    "TEMPORAL_TASK_QUEUE", queue(d),
                    "TEST_IDLE_MS", "3000"), List.of("-XX:TieredStopAtLevel=1", "-Xshare:auto")))));
        }
        return functions;
    }

    /** The {@code deployments:} section of a replica's configuration (at most 2 workers per version). */
    String deploymentsYaml(LocalLambdaRuntime runtime) {
        StringBuilder b = new StringBuilder();
        for (String d : deployments) {
            b.append("  - name: ").append(d).append('\n')
                    .append("    scaling:\n      maxWorkersPerVersion: 2\n")
                    .append("    versions:\n      - buildId: v1\n        target: ")
                    .append(runtime.functionArn(function(d), "1")).append('\n');
        }
        return b.toString();
    }

    /** Makes each deployment's v1 Current (possible once its first worker polled), then starts the load. */
    void start() {
        deployments.forEach(this::setCurrent);
        thread.scheduleAtFixedRate(this::startLoad, 0, 1500, TimeUnit.MILLISECONDS);
    }

    void stop() {
        thread.shutdownNow();
    }

    @Override
    public void close() {
        stop();
        stubs.shutdownNow();
    }

    private void setCurrent(String d) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            stubs.blockingStub().setWorkerDeploymentCurrentVersion(SetWorkerDeploymentCurrentVersionRequest.newBuilder()
                    .setNamespace(namespace).setDeploymentName(d).setBuildId("v1").setIdentity("wci-ha-it").build());
            return true;
        });
    }

    private void startLoad() {
        for (String d : deployments) {
            try {
                DemoWorkflows.Pinned wf = client.newWorkflowStub(DemoWorkflows.Pinned.class, WorkflowOptions.newBuilder()
                        .setTaskQueue(queue(d)).setWorkflowId(d + "-" + java.util.UUID.randomUUID()).build());
                Instant started = Instant.now();
                WorkflowClient.start(wf::run, false, 100);
                int index;
                synchronized (load) {
                    load.add(new Load(d, started, null));
                    index = load.size() - 1;
                }
                WorkflowStub.fromTyped(wf).getResultAsync(DemoWorkflows.Result.class).thenRun(() ->
                        load.set(index, new Load(d, started, Duration.between(started, Instant.now()).toMillis())));
            } catch (RuntimeException e) {
                // the next round starts more
            }
        }
    }

    long workflows(String d) {
        return load.stream().filter(l -> l.deployment().equals(d)).count();
    }

    /** Slowest workflow started from the kill to 5 s after the takeover, over the median before the kill. */
    String extraWait(String deployment, Instant killedAt, Instant acquiredAt) {
        List<Long> before = load.stream().filter(l -> l.deployment().equals(deployment) && l.millis() != null
                && l.startedAt().isBefore(killedAt) && l.startedAt().isAfter(killedAt.minusSeconds(20)))
                .map(Load::millis).sorted().toList();
        List<Load> during = load.stream().filter(l -> l.deployment().equals(deployment)
                && !l.startedAt().isBefore(killedAt) && l.startedAt().isBefore(acquiredAt.plusSeconds(5))).toList();
        long slowest = during.stream().mapToLong(l -> l.millis() == null ? -1 : l.millis()).max().orElse(-1);
        long median = before.isEmpty() ? -1 : before.get(before.size() / 2);
        long unfinished = during.stream().filter(l -> l.millis() == null).count();
        return String.format("%d workflows started, slowest %d ms vs median %d ms before (+%d ms)%s", during.size(),
                slowest, median, Math.max(0, slowest - median), unfinished > 0 ? ", " + unfinished + " unfinished" : "");
    }
}
