package dev.wci.dev.e2e;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.lambda.LambdaComputeProvider;
import dev.wci.local.lambda.ExecutionMode;
import dev.wci.local.lambda.InvocationRecord;
import dev.wci.local.lambda.LocalFunction;
import dev.wci.local.lambda.LocalFunctionVersion;
import dev.wci.local.lambda.LocalLambdaConfig;
import dev.wci.local.lambda.LocalLambdaRuntime;
import dev.wci.lambda.worker.it.DevServerExtension.DevServer;
import dev.wci.server.config.ConfigLoader;
import dev.wci.server.config.WciConfig;
import dev.wci.dev.demo.DemoWorkerHandler;
import dev.wci.dev.demo.DemoWorkflows;
import dev.wci.server.prometheus.PrometheusServer;
import dev.wci.server.service.Providers;
import dev.wci.server.service.WciService;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.RoutingConfigUpdateState;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.DescribeWorkerDeploymentRequest;
import io.temporal.api.workflowservice.v1.SetWorkerDeploymentCurrentVersionRequest;
import io.temporal.api.workflowservice.v1.SetWorkerDeploymentRampingVersionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Everything an end-to-end test needs, all real and on loopback: the dev server (from the extension), a local
 * Lambda runtime publishing {@link DemoWorkerHandler} as function versions 1..n of build IDs v1..vn of a fresh
 * deployment, and WCI itself loaded from a YAML file through the real config loader.
 */
final class WciTestBed implements AutoCloseable {

    /** How long a worker of the test bed stays without a task before it exits. */
    static final long WORKER_IDLE_EXIT_MILLIS = 3000;

    final String id = UUID.randomUUID().toString().substring(0, 8);
    final String deployment = "e2e-" + id;
    final String taskQueue = "e2e-q-" + id;
    /** Temporal's address and namespace. */
    final String target;
    final String namespace;
    final LocalLambdaRuntime runtime;
    final WorkflowServiceStubs stubs;
    final WorkflowClient client;
    final LambdaComputeProvider lambda;
    final WciService wci;
    final Path configFile;
    private final HttpClient http = HttpClient.newHttpClient();
    private PrometheusServer prometheus;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param versions   how many function versions (build IDs v1..vN) to publish and map
     * @param extraYaml  YAML appended at the top level of WCI's config (e.g. a {@code signals} section), or ""
     * @param scaling    YAML lines under the deployment's {@code scaling:} (indented by the caller), or ""
     */
    WciTestBed(DevServer server, int versions, ExecutionMode mode, String extraYaml, String scaling)
            throws IOException {
        this(server.target(), server.namespace(), versions, mode, extraYaml, scaling, "", Clock.systemUTC(), u -> u);
    }

    /**
     * @param awsExtra      YAML lines for the {@code aws} section (indented by two spaces), or ""
     * @param clock         WCI's clock (a test may move it)
     * @param lambdaGateway maps the local runtime's endpoint to the one WCI calls (e.g. a fault-injecting proxy)
     */
    WciTestBed(String target, String namespace, int versions, ExecutionMode mode, String extraYaml, String scaling,
               String awsExtra, Clock clock, UnaryOperator<URI> lambdaGateway) throws IOException {
        this.target = target;
        this.namespace = namespace;
        List<String> classpath = List.of(System.getProperty("java.class.path").split(File.pathSeparator));
        List<LocalFunctionVersion> published = new ArrayList<>();
        for (int v = 1; v <= versions; v++) {
            published.add(new LocalFunctionVersion(Integer.toString(v), DemoWorkerHandler.class.getName(), classpath,
                    60, 512, Map.of(
                    "TEMPORAL_ADDRESS", target,
                    "TEMPORAL_NAMESPACE", namespace,
                    "TEMPORAL_DEPLOYMENT_NAME", deployment,
                    "TEMPORAL_WORKER_BUILD_ID", "v" + v,
                    "TEMPORAL_TASK_QUEUE", taskQueue,
                    "TEST_IDLE_MS", Long.toString(WORKER_IDLE_EXIT_MILLIS)), List.of("-XX:TieredStopAtLevel=1", "-Xshare:auto")));
        }
        runtime = LocalLambdaRuntime.start(new LocalLambdaConfig(null, null, 50, mode,
                List.of(new LocalFunction("worker-" + id, null, null, published))), 0);

        StringBuilder versionsYaml = new StringBuilder();
        for (int v = 1; v <= versions; v++) {
            versionsYaml.append("      - buildId: v").append(v).append('\n')
                    .append("        target: ").append(runtime.functionArn("worker-" + id, Integer.toString(v)))
                    .append('\n');
        }
        String yaml = """
                temporal:
                  address: %s
                  namespace: %s
                aws:
                  endpoint: %s
                  region: us-east-1
                %s
                http:
                  listen: 127.0.0.1:0
                %s
                deployments:
                  - name: %s
                    scaling:
                      maxWorkersPerVersion: 10
                %s
                    versions:
                %s""".formatted(target, namespace, lambdaGateway.apply(runtime.endpoint()), awsExtra, extraYaml, deployment,
                scaling, versionsYaml);
        configFile = Files.createTempFile("wci-e2e-", ".yaml");
        Files.writeString(configFile, yaml);
        WciConfig config;
        try {
            config = new ConfigLoader(System::getenv).load(configFile);
        } catch (dev.wci.server.config.ConfigException e) {
            throw new IllegalStateException("test config does not load:\n" + e.getMessage() + "\n" + yaml, e);
        }
        stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
        client = WorkflowClient.newInstance(stubs,
                WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
        lambda = Providers.lambda(config.aws(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")), clock);
        wci = new WciService(config, Map.of(lambda.type(), lambda), clock);
        wci.start();
    }

    String arn(int version) {
        return runtime.functionArn("worker-" + id, Integer.toString(version));
    }

    /** Waits until Temporal knows the version (its bootstrap worker polled), then makes it Current. */
    void setCurrent(String buildId) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            stubs.blockingStub().setWorkerDeploymentCurrentVersion(SetWorkerDeploymentCurrentVersionRequest.newBuilder()
                    .setNamespace(namespace).setDeploymentName(deployment).setBuildId(buildId)
                    .setIdentity("wci-e2e").build());
            return true;
        });
        awaitRoutingPropagated();
    }

    /** Waits until Temporal has propagated the deployment's routing change to its task queues. */
    void awaitRoutingPropagated() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> stubs.blockingStub()
                .describeWorkerDeployment(DescribeWorkerDeploymentRequest.newBuilder()
                        .setNamespace(namespace).setDeploymentName(deployment).build())
                .getWorkerDeploymentInfo().getRoutingConfigUpdateState()
                != RoutingConfigUpdateState.ROUTING_CONFIG_UPDATE_STATE_IN_PROGRESS);
    }

    void setRamping(String buildId, float percentage) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            stubs.blockingStub().setWorkerDeploymentRampingVersion(SetWorkerDeploymentRampingVersionRequest.newBuilder()
                    .setNamespace(namespace).setDeploymentName(deployment).setBuildId(buildId)
                    .setPercentage(percentage).setIdentity("wci-e2e").build());
            return true;
        });
    }

    /**
     * Scale-from-zero rounds on version 1 (bootstrapped and made Current first): each starts one workflow while no
     * worker is live and measures its first task scheduled (history) to the invoke the runtime received.
     *
     * @return the latencies in milliseconds, sorted
     */
    List<Long> scaleFromZeroRounds(int rounds) throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> !invocations(1).isEmpty());
        setCurrent("v1");
        DeploymentVersion v1 = new DeploymentVersion(deployment, "v1");
        List<Long> latencies = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            await().atMost(Duration.ofSeconds(60)).until(() -> runtime.inFlight() == 0 && wci.scaler().live(v1) == 0);
            int before = invocations(1).size();
            String workflowId = id + "-r" + round;
            DemoWorkflows.Pinned wf = client.newWorkflowStub(DemoWorkflows.Pinned.class, WorkflowOptions.newBuilder()
                    .setTaskQueue(taskQueue).setWorkflowId(workflowId).build());
            WorkflowClient.start(wf::run, false, 0);
            if (!"v1".equals(WorkflowStub.fromTyped(wf).getResult(90, TimeUnit.SECONDS, DemoWorkflows.Result.class).buildId())) {
                throw new AssertionError("workflow " + workflowId + " did not run on v1");
            }
            Instant scheduled = firstScheduled(workflowId);
            latencies.add(Duration.between(scheduled, invocations(1).get(before).receivedAt()).toMillis());
        }
        latencies.sort(null);
        return latencies;
    }

    /** When the workflow's first workflow task was scheduled, from its history. */
    Instant firstScheduled(String workflowId) {
        for (HistoryEvent e : client.fetchHistory(workflowId).getHistory().getEventsList()) {
            if (e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) {
                return Instant.ofEpochSecond(e.getEventTime().getSeconds(), e.getEventTime().getNanos());
            }
        }
        throw new AssertionError("no workflow task scheduled in " + workflowId);
    }

    static long percentile(List<Long> sorted, double q) {
        return sorted.isEmpty() ? -1 : sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1));
    }

    /** Invocations the local runtime received for a function version. */
    List<InvocationRecord> invocations(int version) {
        return runtime.invocations().stream().filter(r -> r.version().equals(Integer.toString(version))).toList();
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + wci.httpPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode status() throws IOException, InterruptedException {
        return json.readTree(get("/status").body());
    }

    /** Sum of the samples of a Prometheus series whose name and label text match, from /metrics. */
    double metric(String name, String labelsContaining) throws IOException, InterruptedException {
        return metric(get("/metrics").body(), name, labelsContaining);
    }

    /** Sum of the samples of a Prometheus series whose name and label text match, in an exposition text. */
    static double metric(String exposition, String name, String labelsContaining) {
        double sum = 0;
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(exposition);
        while (m.find()) {
            String labels = m.group(1) == null ? "" : m.group(1);
            if (labels.contains(labelsContaining)) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    /** Starts a real Prometheus scraping this WCI with the shipped job and rules (see {@link PrometheusServer}). */
    PrometheusServer startPrometheus() throws IOException {
        if (prometheus == null) {
            prometheus = PrometheusServer.scraping("127.0.0.1:" + wci.httpPort());
        }
        return prometheus;
    }

    @Override
    public void close() throws IOException {
        if (prometheus != null) {
            prometheus.close();
        }
        wci.close();
        lambda.close();
        runtime.close();
        stubs.shutdownNow();
        Files.deleteIfExists(configFile);
    }
}
