package dev.wci.server.temporal.it;

import dev.wci.lambda.LambdaComputeProvider;
import dev.wci.server.config.ConfigLoader;
import dev.wci.server.config.WciConfig;
import dev.wci.server.service.Providers;
import dev.wci.server.service.WciService;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.registry.Conflict;
import dev.wci.core.registry.ConfiguredDeployment;
import dev.wci.core.registry.ConfiguredVersion;
import dev.wci.core.registry.ManagementState;
import dev.wci.core.registry.RegistryChange;
import dev.wci.core.registry.VersionEntry;
import dev.wci.core.registry.VersionRegistry;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.local.lambda.LocalLambdaConfig;
import dev.wci.local.lambda.LocalLambdaRuntime;
import dev.wci.lambda.worker.it.DevServerExtension;
import dev.wci.local.DevServerProcess;
import dev.wci.server.config.SignalsConfig;
import dev.wci.server.config.TemporalConfig;
import dev.wci.server.temporal.DescribeBudget;
import dev.wci.server.temporal.RegistrySync;
import dev.wci.server.temporal.TemporalConnection;
import dev.wci.server.temporal.TemporalRpcMetrics;
import dev.wci.server.temporal.TemporalStatsSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A version whose {@code compute_config} is set (Temporal's own worker controller runs it) is flagged
 * SERVER_MANAGED and never polled or invoked by WCI. Needs a dev server of its own: the worker controller is off
 * by default ({@code workercontroller.enabled}), the {@code aws-lambda} provider must be enabled, and the server
 * validates the function with Lambda {@code GetFunction} when the version is created, so it talks to a local
 * Lambda runtime through {@code AWS_ENDPOINT_URL_LAMBDA} with dummy credentials.
 */
class ServerManagedVersionIT {

    private static final Clock CLOCK = Clock.systemUTC();
    private static final String DEPLOYMENT = "it-server-run";

    private static DevServerProcess server;
    private static LocalLambdaRuntime lambda;
    private static String address;
    private static Path cli;
    private static TemporalConnection connection;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void startServerWithWorkerController() throws Exception {
        Optional<Path> found = DevServerExtension.locateCli();
        Assumptions.assumeTrue(found.isPresent(), "Temporal CLI not found (set WCI_TEMPORAL_CLI)");
        cli = found.get();
        lambda = LocalLambdaRuntime.start(LocalLambdaConfig.parse("""
                executionMode: thread
                functions:
                  - name: server-run
                    versions:
                      - version: 1
                        handler: dev.wci.server.temporal.it.NoSuchHandler
                """, "it"), 0);
        // The server's worker controller invokes Lambda itself: point its AWS SDK at the local runtime.
        server = DevServerProcess.start(DevServerProcess.Options.of(cli, tmp.resolve("server.log"))
                .withExtraArgs(List.of(
                        "--dynamic-config-value", "workercontroller.enabled=true",
                        "--dynamic-config-value", "workercontroller.compute_providers.enabled=[\"aws-lambda\"]",
                        "--dynamic-config-value",
                        "workercontroller.compute_providers.aws.require_role_and_external_id=false"))
                .withEnvironment(Map.of(
                        "AWS_ENDPOINT_URL_LAMBDA", lambda.endpoint().toString(),
                        "AWS_ACCESS_KEY_ID", "local",
                        "AWS_SECRET_ACCESS_KEY", "local",
                        "AWS_REGION", "us-east-1",
                        "AWS_EC2_METADATA_DISABLED", "true")));
        address = server.target();
        connection = TemporalConnection.open(new TemporalConfig(address, "default", Optional.empty(), Optional.empty(),
                10, Duration.ofSeconds(10)), new TemporalRpcMetrics(new SimpleMeterRegistry()));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> connection.check(Duration.ofSeconds(2)).ok());
    }

    @AfterAll
    static void stop() throws Exception {
        if (connection != null) {
            connection.close();
        }
        if (server != null) {
            server.close();
        }
        if (lambda != null) {
            lambda.close();
        }
    }

    private static String cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(cli.toString(), "--address", address));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "CLI timed out: " + cmd);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed: " + out);
        return out;
    }

    @Test
    void aVersionRunByTheServersWorkerControllerIsServerManagedAndNeverPolled() throws Exception {
        String arn = lambda.functionArn("server-run", "1");
        cli("worker", "deployment", "create", "--name", DEPLOYMENT);
        cli("worker", "deployment", "create-version", "--deployment-name", DEPLOYMENT, "--build-id", "srv1",
                "--aws-lambda-function-arn", arn, "--aws-lambda-skip-role-and-external-id");
        // A second version created the ordinary way, by a worker's first poll.
        WorkflowClient client = WorkflowClient.newInstance(connection.stubs(),
                WorkflowClientOptions.newBuilder().setNamespace("default").build());
        DeploymentVersion srv1 = new DeploymentVersion(DEPLOYMENT, "srv1");
        DeploymentVersion own1 = new DeploymentVersion(DEPLOYMENT, "own1");
        VersionRegistry registry = new VersionRegistry(List.of(new ConfiguredDeployment(DEPLOYMENT, false, List.of(
                new ConfiguredVersion("srv1", new ComputeTarget("aws-lambda", arn)),
                new ConfiguredVersion("own1", new ComputeTarget("aws-lambda", lambda.functionArn("server-run", "2")))))));
        List<RegistryChange> changes = new ArrayList<>();
        registry.addListener(changes::add);
        DescribeBudget budget = new DescribeBudget(10, CLOCK);
        RegistrySync sync = new RegistrySync(connection, registry, budget, CLOCK, Duration.ofSeconds(10));

        try (VersionedWorker worker = new VersionedWorker(client, DEPLOYMENT, "own1", "it-server-run-q")) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
                sync.syncNow();
                return registry.isManaged(own1)
                        && registry.version(srv1).orElseThrow().state() == ManagementState.SERVER_MANAGED;
            });
        }
        VersionEntry srv = registry.version(srv1).orElseThrow();
        assertFalse(registry.isManaged(srv1));
        assertEquals(List.of(Conflict.Kind.SERVER_MANAGED), srv.conflicts().stream().map(Conflict::kind).toList());
        assertTrue(changes.stream().anyMatch(c -> c instanceof RegistryChange.VersionServerManaged s
                && s.after().version().equals(srv1)));

        // The stats source polls the version WCI manages, not the server-run one.
        try (TemporalStatsSource source = new TemporalStatsSource(connection, registry, budget,
                new SignalsConfig.TemporalStats(true, Duration.ofSeconds(1), Duration.ofSeconds(10),
                        Duration.ofSeconds(60)), v -> 0, s -> { }, CLOCK)) {
            source.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> source.status().stream()
                    .anyMatch(s -> s.version().equals(own1) && s.polls() > 0));
            assertTrue(source.status().stream().noneMatch(s -> s.version().equals(srv1)));
        }
        assertTrue(Files.exists(tmp.resolve("server.log")));

        // The whole service, with srv1 mapped in its file: it never invokes srv1, not even to bootstrap it
        // (Temporal lists no task queue for it, since the server's own invocation of it failed).
        int serverInvocations = lambda.invocations().size();
        Path config = tmp.resolve("wci.yaml");
        Files.writeString(config, """
                temporal:
                  address: %s
                aws:
                  endpoint: %s
                http:
                  listen: 127.0.0.1:0
                deployments:
                  - name: %s
                    versions:
                      - buildId: srv1
                        target: %s
                """.formatted(address, lambda.endpoint(), DEPLOYMENT, arn));
        WciConfig wciConfig = new ConfigLoader(System::getenv).load(config);
        try (LambdaComputeProvider provider = Providers.lambda(wciConfig.aws(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")), CLOCK);
             WciService wci = new WciService(wciConfig, Map.of(provider.type(), provider), CLOCK)) {
            wci.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> wci.readiness().ready());
            assertEquals(ManagementState.SERVER_MANAGED, wci.registry().version(srv1).orElseThrow().state());
            // Several bootstrap and tick rounds pass (every 2 s and 250 ms).
            long until = System.nanoTime() + Duration.ofSeconds(8).toNanos();
            await().atMost(Duration.ofSeconds(70)).until(() -> System.nanoTime() > until);
            assertEquals(serverInvocations, lambda.invocations().size(), "WCI invoked a server-managed version");
            assertEquals(0, wci.meters().find("wci.invoke.requests").counters().stream()
                    .mapToDouble(c -> c.count()).sum());
            assertTrue(wci.status().deployments().get(0).versions().stream()
                    .anyMatch(v -> v.buildId().equals("srv1") && v.management().equals("SERVER_MANAGED")));
        }
    }
}
