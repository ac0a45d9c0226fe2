package dev.wci.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.scaling.ScalingPolicy;
import dev.wci.core.version.TaskQueueType;
import dev.wci.lambda.credentials.AssumeRoleSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Good files, asserted field by field: interpolation, defaults, overrides, targets and their settings. */
class ConfigLoaderGoodFilesTest {

    static final Path DIR = Path.of("src/test/resources/config/good");

    @Test
    void everyKeyIsReadWithInterpolation(@TempDir Path certs) throws Exception {
        for (String name : List.of("ca.pem", "client.pem", "client.key")) {
            // The loader only checks that the files can be read; the Temporal client parses them.
            Files.writeString(certs.resolve(name), name);
        }
        Map<String, String> env = Map.of(
                "TEMPORAL_HOST", "orders.a1b2c.tmprl.cloud",
                "TEMPORAL_API_KEY", "api-key-value",
                "CERT_DIR", certs.toString(),
                "EXTERNAL_ID", "ext-id-0451",
                "WCI_PUSH_TOKEN", "0123456789abcdef0123");
        Path file = DIR.resolve("full.yaml");

        WciConfig c = new ConfigLoader(env::get).load(file);

        assertEquals(file, c.file());
        TemporalConfig t = c.temporal();
        assertEquals("orders.a1b2c.tmprl.cloud:7233", t.address());
        assertEquals("orders-${literal}", t.namespace());
        assertEquals(Optional.of(new Secret("api-key-value")), t.apiKey());
        assertEquals(Optional.of(new TemporalConfig.TlsConfig(Optional.of(certs.resolve("ca.pem")),
                Optional.of(certs.resolve("client.pem")), Optional.of(certs.resolve("client.key")),
                Optional.of("orders.tmprl.cloud"))), t.tls());
        assertEquals(25.5, t.describeBudgetPerSecond());
        assertEquals(Duration.ofMillis(1500), t.rpcTimeout());

        AwsConfig aws = c.aws();
        assertEquals(Optional.of("eu-west-1"), aws.region());
        assertEquals(Optional.of(URI.create("http://127.0.0.1:9001")), aws.endpoint());
        assertEquals(Optional.of(URI.create("https://sts.eu-west-1.amazonaws.com")), aws.stsEndpoint());
        assertEquals(Optional.of(new AssumeRoleSettings("arn:aws:iam::210987654321:role/wci-invoker", "ext-id-0451",
                "wci-global", Duration.ofMinutes(30))), aws.assumeRole());
        assertEquals(Duration.ofSeconds(3), aws.invokeTimeout());
        assertEquals(0, aws.maxRetries());

        assertEquals(new LimitsConfig(32), c.limits());
        ScalingPolicy global = ScalingPolicy.builder()
                .maxWorkersTotal(300).budgetTotal(72000)
                .initialBurst(2).drainTarget(Duration.ofSeconds(4)).defaultWorkerThroughput(7.5).targetUtilization(0.7)
                .coldStartDefault(Duration.ofSeconds(3)).shutdownBuffer(Duration.ofSeconds(20))
                .workerIdleExit(Duration.ZERO).refreshMargin(Duration.ofSeconds(10))
                .observationMaxAge(Duration.ofMinutes(1)).maxWorkersPerVersion(50).invokeRatePerTarget(20)
                .invokeBurstPerTarget(40).budgetPerVersion(Double.POSITIVE_INFINITY)
                .backoffBase(Duration.ofMillis(500)).backoffMax(Duration.ofMinutes(2))
                .build();
        assertEquals(global, c.scaling());

        assertEquals(new HttpConfig("::1", 0), c.http());
        assertEquals(new SignalsConfig(
                new SignalsConfig.TemporalStats(false, Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofMinutes(5)),
                new SignalsConfig.Push(true, "0.0.0.0", 7940, Optional.of(new Secret("0123456789abcdef0123"))),
                new SignalsConfig.MatchingMetrics(true, List.of(URI.create("http://matching-0:9090/metrics"),
                        URI.create("https://matching-1:9090/metrics")), Duration.ofMillis(250), Duration.ofSeconds(2),
                        "temporal_"),
                new SignalsConfig.Census(false, Duration.ofSeconds(2), Duration.ofSeconds(20), Duration.ofMinutes(1),
                        2.5, 4)), c.signals());
        assertEquals(new LoggingConfig(LoggingConfig.Format.JSON, "DEBUG"), c.logging());

        assertEquals(2, c.deployments().size());
        DeploymentConfig orders = c.deployments().get(0);
        assertEquals("orders", orders.name());
        assertTrue(orders.targetsFromMetadata());
        assertEquals(global.toBuilder().maxWorkersPerVersion(10).backoffMax(Duration.ofMinutes(5)).budgetPerVersion(3600)
                .build(), orders.scaling());
        assertEquals(new ConfigLocation(file, 80, 5), orders.location());
        assertEquals(2, orders.versions().size());

        VersionConfig v110 = orders.versions().get(0);
        assertEquals("1.10", v110.buildId());
        assertEquals(new ComputeTarget("aws-lambda", "arn:aws:lambda:eu-west-1:210987654321:function:orders-worker:10",
                false, Map.of("roleArn", "arn:aws:iam::210987654321:role/orders-invoker", "externalId", "ext-id-0451")),
                v110.target());
        assertEquals(EnumSet.of(TaskQueueType.WORKFLOW, TaskQueueType.ACTIVITY), v110.taskQueueTypes());
        assertEquals(new ConfigLocation(file, 87, 9), v110.location());
        // The per-target settings are what the Lambda provider reads back.
        assertEquals(Optional.of(new AssumeRoleSettings("arn:aws:iam::210987654321:role/orders-invoker", "ext-id-0451",
                null, null)), AssumeRoleSettings.fromTargetSettings(v110.target().settings()));

        VersionConfig dev = orders.versions().get(1);
        assertEquals("dev", dev.buildId());
        assertEquals(new ComputeTarget("aws-lambda", "arn:aws:lambda:eu-west-1:210987654321:function:orders-worker:$LATEST",
                true, Map.of()), dev.target());
        assertEquals(EnumSet.allOf(TaskQueueType.class), dev.taskQueueTypes());

        DeploymentConfig catalog = c.deployments().get(1);
        assertEquals("catalog", catalog.name());
        assertTrue(catalog.targetsFromMetadata());
        assertEquals(List.of(), catalog.versions());
        assertEquals(global, catalog.scaling());
    }

    @Test
    void secretsAreNotPrintedByTheLoadedConfig(@TempDir Path certs) throws Exception {
        for (String name : List.of("ca.pem", "client.pem", "client.key")) {
            Files.writeString(certs.resolve(name), name);
        }
        Map<String, String> env = Map.of("TEMPORAL_HOST", "h", "TEMPORAL_API_KEY", "api-key-value",
                "CERT_DIR", certs.toString(), "EXTERNAL_ID", "ext-id-0451", "WCI_PUSH_TOKEN", "0123456789abcdef0123");
        String printed = new ConfigLoader(env::get).load(DIR.resolve("full.yaml")).toString();
        for (String secret : List.of("api-key-value", "ext-id-0451", "0123456789abcdef0123")) {
            assertFalse(printed.contains(secret), secret);
        }
    }

    @Test
    void aMinimalFileGetsTheDocumentedDefaults() throws Exception {
        WciConfig c = new ConfigLoader(name -> null).load(DIR.resolve("minimal.yaml"));

        assertEquals(new TemporalConfig("localhost:7233", "default", Optional.empty(), Optional.empty(), 10.0,
                Duration.ofSeconds(10)), c.temporal());
        assertEquals(new AwsConfig(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Duration.ofSeconds(10), 2), c.aws());
        assertEquals(new LimitsConfig(64), c.limits());
        assertEquals(ScalingPolicy.defaults(), c.scaling());
        assertEquals(900, c.scaling().maxWorkersTotal());
        assertEquals(Double.POSITIVE_INFINITY, c.scaling().budgetTotal());
        assertEquals(new HttpConfig("127.0.0.1", 8080), c.http());
        assertEquals(new SignalsConfig(
                new SignalsConfig.TemporalStats(true, Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(60)),
                new SignalsConfig.Push(false, "127.0.0.1", 7939, Optional.empty()),
                new SignalsConfig.MatchingMetrics(false, List.of(), Duration.ofMillis(500), Duration.ofSeconds(1), "")),
                c.signals());
        assertEquals(new LoggingConfig(LoggingConfig.Format.TEXT, "INFO"), c.logging());
        assertFalse(c.ha().enabled(), "HA is off by default: a single process behaves as before");
        assertTrue(c.ha().identity().endsWith("-" + ProcessHandle.current().pid()), c.ha().identity());
        assertEquals(Duration.ofSeconds(6), c.ha().leaseTtl());
        assertEquals(Duration.ofSeconds(2), c.ha().renewInterval());
        DeploymentConfig hello = c.deployments().get(0);
        assertEquals("hello", hello.name());
        assertFalse(hello.targetsFromMetadata());
        assertEquals(ScalingPolicy.defaults(), hello.scaling());
        assertEquals(List.of(new VersionConfig("v1",
                new ComputeTarget("aws-lambda", "arn:aws:lambda:us-east-1:000000000000:function:hello-worker:1"),
                Set.of(TaskQueueType.values()), new ConfigLocation(DIR.resolve("minimal.yaml"), 6, 9))), hello.versions());
    }

    @Test
    void theHaSectionIsReadWithTheHostFromTheEnvironment(@TempDir Path dir) throws IOException, ConfigException {
        Path file = dir.resolve("wci.yaml");
        Files.writeString(file, """
                temporal:
                  address: 127.0.0.1:7233
                ha:
                  enabled: true
                  leaseTtl: 9s
                  renewInterval: 3s
                deployments:
                  - name: orders
                    versions:
                      - buildId: v1
                        target: arn:aws:lambda:us-east-1:123456789012:function:orders-worker:1
                """);
        WciConfig c = new ConfigLoader(name -> name.equals("HOSTNAME") ? "wci-pod-7" : null).load(file);
        assertEquals(new HaConfig(true, "wci-pod-7-" + ProcessHandle.current().pid(), Duration.ofSeconds(9),
                Duration.ofSeconds(3)), c.ha());
        Files.writeString(file, Files.readString(file).replace("  renewInterval: 3s", "  identity: wci-b"));
        assertEquals("wci-b", new ConfigLoader(name -> null).load(file).ha().identity());
    }

    @Test
    void tlsFilesAreResolvedAgainstTheConfigFileAndAnEmptyDefaultMeansNotSet() throws Exception {
        WciConfig c = new ConfigLoader(name -> null).load(DIR.resolve("relative-tls.yaml"));

        Path ca = DIR.toAbsolutePath().resolve("../certs/ca.pem").normalize();
        assertTrue(Files.isReadable(ca));
        assertEquals(Optional.of(new TemporalConfig.TlsConfig(Optional.of(ca), Optional.empty(), Optional.empty(),
                Optional.empty())), c.temporal().tls());
        assertEquals(Optional.empty(), c.temporal().apiKey());
    }

    @Test
    void aliasesReuseAValueAndQuotedNumbersAreNumbers(@TempDir Path dir) throws IOException, ConfigException {
        Path file = dir.resolve("wci.yaml");
        Files.writeString(file, """
                temporal: {address: "127.0.0.1:7233", describeBudgetPerSecond: "5"}
                deployments:
                  - name: a
                    scaling: &small {maxWorkersPerVersion: 3}
                    versions: [{buildId: v1, target: "arn:aws:lambda:us-east-1:123456789012:function:a:1"}]
                  - name: b
                    scaling: *small
                    versions: [{buildId: v1, target: "arn:aws:lambda:us-east-1:123456789012:function:b:1"}]
                """);
        WciConfig c = new ConfigLoader(name -> null).load(file);
        assertEquals(5.0, c.temporal().describeBudgetPerSecond());
        assertEquals(3, c.deployments().get(0).scaling().maxWorkersPerVersion());
        assertEquals(3, c.deployments().get(1).scaling().maxWorkersPerVersion());
    }

    @Test
    void theMatchingMetricsLimitsAreRead(@TempDir Path dir) throws IOException, ConfigException {
        Path file = dir.resolve("wci.yaml");
        Files.writeString(file, """
                temporal: {address: "127.0.0.1:7233"}
                signals:
                  matchingMetrics: {enabled: true, endpoints: [http://m:9090/metrics], maxSeries: 20000,
                                    maxTasksPerSecond: 2.5e3}
                deployments:
                  - name: a
                    versions: [{buildId: v1, target: "arn:aws:lambda:us-east-1:123456789012:function:a:1"}]
                """);
        SignalsConfig.MatchingMetrics m = new ConfigLoader(name -> null).load(file).signals().matchingMetrics();
        assertEquals(20_000, m.maxSeries());
        assertEquals(2500.0, m.maxTasksPerSecond());
    }

    @Test
    void theLambdaEndpointIsReadWithItsKeyPairAndIsOffByDefault(@TempDir Path dir) throws IOException, ConfigException {
        Path file = dir.resolve("wci.yaml");
        Files.writeString(file, """
                temporal: {address: "127.0.0.1:7233"}
                signals:
                  lambdaEndpoint:
                    enabled: true
                    listen: 127.0.0.1:0
                    accessKeyId: AKIDTEMPORAL
                    secretAccessKey: ${LAMBDA_SECRET}
                deployments:
                  - name: a
                    versions: [{buildId: v1, target: "arn:aws:lambda:us-east-1:123456789012:function:a:1"}]
                """);
        WciConfig c = new ConfigLoader(Map.of("LAMBDA_SECRET", "the-secret-value")::get).load(file);
        assertEquals(new SignalsConfig.LambdaEndpoint(true, "127.0.0.1", 0, Optional.of("AKIDTEMPORAL"),
                Optional.of(new Secret("the-secret-value"))), c.signals().lambdaEndpoint());
        assertFalse(c.toString().contains("the-secret-value"));
        assertEquals(SignalsConfig.LAMBDA_ENDPOINT_OFF,
                new ConfigLoader(name -> null).load(DIR.resolve("minimal.yaml")).signals().lambdaEndpoint());
    }
}
