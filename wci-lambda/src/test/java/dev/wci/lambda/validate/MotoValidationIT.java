package dev.wci.lambda.validate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.lambda.LambdaComputeProvider;
import dev.wci.lambda.LambdaProviderSettings;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;
import software.amazon.awssdk.services.lambda.model.Runtime;

/**
 * Validation against moto in server mode as the Lambda control plane (no Docker: nothing is invoked through
 * moto). moto is provisioned into {@code <repo>/.venv} by {@code src/build/provision.sh}; the test finds
 * {@code moto_server} through {@code WCI_MOTO_SERVER}, {@code ../.venv/bin}, {@code ./.venv/bin} or PATH.
 */
class MotoValidationIT {

    static final String ACCOUNT = "123456789012"; // moto's default account
    static final String FUNCTION = "arn:aws:lambda:us-east-1:" + ACCOUNT + ":function:orders-worker";
    static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));

    static Process moto;
    static URI endpoint;
    static LambdaComputeProvider provider;

    static Optional<Path> findMotoServer() {
        String env = System.getenv("WCI_MOTO_SERVER");
        if (env != null && !env.isBlank()) {
            return Optional.of(Path.of(env)).filter(Files::isExecutable);
        }
        Stream<Path> candidates = Stream.of(Path.of("../.venv/bin/moto_server"), Path.of(".venv/bin/moto_server"));
        String path = System.getenv("PATH");
        if (path != null) {
            candidates = Stream.concat(candidates,
                    Stream.of(path.split(File.pathSeparator)).map(dir -> Path.of(dir, "moto_server")));
        }
        return candidates.filter(Files::isExecutable).findFirst();
    }

    @BeforeAll
    static void startMoto() throws Exception {
        Optional<Path> server = findMotoServer();
        Assumptions.assumeTrue(server.isPresent(), "moto_server not found: run `bash src/build/provision.sh` in the "
                + "repository root (installs it into .venv), put it on PATH, or set WCI_MOTO_SERVER");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = Path.of("target", "moto-server.log");
        Files.createDirectories(log.getParent());
        moto = new ProcessBuilder(server.get().toString(), "-H", "127.0.0.1", "-p", String.valueOf(port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        endpoint = URI.create("http://127.0.0.1:" + port);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> {
                    if (!moto.isAlive()) {
                        throw new IllegalStateException("moto_server exited: " + Files.readString(log));
                    }
                    return http.send(HttpRequest.newBuilder(endpoint.resolve("/moto-api/data.json")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() < 500;
                });
        createFunctionAndVersions();
        provider = new LambdaComputeProvider(LambdaProviderSettings.builder().lambdaEndpoint(endpoint).maxRetries(0).build(),
                CREDENTIALS, Clock.systemUTC());
    }

    static void createFunctionAndVersions() throws IOException {
        String roleArn;
        try (IamClient iam = IamClient.builder().region(Region.AWS_GLOBAL).endpointOverride(endpoint)
                .credentialsProvider(CREDENTIALS).build()) {
            roleArn = iam.createRole(r -> r.roleName("orders-worker").assumeRolePolicyDocument("""
                    {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},
                     "Action":"sts:AssumeRole"}]}""")).role().arn();
        }
        SdkBytes code = SdkBytes.fromByteArray(zip());
        try (LambdaAsyncClient lambda = LambdaAsyncClient.builder().region(Region.US_EAST_1).endpointOverride(endpoint)
                .credentialsProvider(CREDENTIALS).build()) {
            lambda.createFunction(r -> r.functionName("orders-worker").runtime(Runtime.PYTHON3_12).role(roleArn)
                    .handler("handler.handle").timeout(120).memorySize(512)
                    .code(c -> c.zipFile(code))
                    .environment(e -> e.variables(Map.of("TEMPORAL_DEPLOYMENT_NAME", "orders",
                            "TEMPORAL_WORKER_BUILD_ID", "build-1")))).join();
            String v1 = lambda.publishVersion(r -> r.functionName("orders-worker")).join().version();
            assertEquals("1", v1);
            lambda.updateFunctionConfiguration(r -> r.functionName("orders-worker").timeout(300).memorySize(1024)
                    .environment(e -> e.variables(Map.of("TEMPORAL_DEPLOYMENT_NAME", "orders",
                            "TEMPORAL_WORKER_BUILD_ID", "build-2")))).join();
            String v2 = lambda.publishVersion(r -> r.functionName("orders-worker")).join().version();
            assertEquals("2", v2);
            lambda.putFunctionEventInvokeConfig(r -> r.functionName(FUNCTION).qualifier("2")
                    .maximumEventAgeInSeconds(120).maximumRetryAttempts(0)).join();
            // moto keeps one event invoke config per function whatever the qualifier, so the case "no config"
            // needs a function of its own.
            lambda.createFunction(r -> r.functionName("billing-worker").runtime(Runtime.PYTHON3_12).role(roleArn)
                    .handler("handler.handle").timeout(60).memorySize(256).code(c -> c.zipFile(code))).join();
            assertEquals("1", lambda.publishVersion(r -> r.functionName("billing-worker")).join().version());
        }
    }

    static byte[] zip() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("handler.py"));
            zip.write("def handle(event, context):\n    return None\n".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    @AfterAll
    static void stopMoto() throws InterruptedException {
        if (provider != null) {
            provider.close();
        }
        if (moto != null) {
            moto.descendants().forEach(ProcessHandle::destroy);
            moto.destroy();
            if (!moto.waitFor(10, TimeUnit.SECONDS)) {
                moto.destroyForcibly();
            }
        }
    }

    static TargetValidation validate(ComputeTarget target, String version) throws Exception {
        return provider.validate(target, DeploymentVersion.parse(version)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    static TargetValidation.Invalid assertInvalid(TargetValidation v, FailureClass c, String fragment) {
        var invalid = assertInstanceOf(TargetValidation.Invalid.class, v, v::toString);
        assertEquals(c, invalid.failure().failureClass(), invalid::toString);
        assertTrue(invalid.failure().message().contains(fragment), invalid.failure()::message);
        return invalid;
    }

    @Test
    void publishedVersionWithMatchingEnvAndAsyncConfigIsValidWithoutWarnings() throws Exception {
        var valid = assertInstanceOf(TargetValidation.Valid.class,
                validate(new ComputeTarget("aws-lambda", FUNCTION + ":2"), "orders:build-2"));

        assertEquals(Duration.ofSeconds(300), valid.facts().timeout());
        assertEquals(1024, valid.facts().memoryMb());
        assertEquals(java.util.List.of(), valid.warnings());
    }

    @Test
    void publishedVersionWithoutAsyncConfigIsValidWithAWarning() throws Exception {
        var valid = assertInstanceOf(TargetValidation.Valid.class, validate(new ComputeTarget("aws-lambda",
                "arn:aws:lambda:us-east-1:" + ACCOUNT + ":function:billing-worker:1"), "billing:build-1"));

        assertEquals(Duration.ofSeconds(60), valid.facts().timeout());
        assertEquals(256, valid.facts().memoryMb());
        assertEquals(1, valid.warnings().size(), valid.warnings()::toString);
        assertTrue(valid.warnings().get(0).contains("MaximumEventAgeInSeconds"), valid.warnings()::toString);
    }

    @Test
    void versionOneKeepsItsOwnFacts() throws Exception {
        var valid = assertInstanceOf(TargetValidation.Valid.class,
                validate(new ComputeTarget("aws-lambda", FUNCTION + ":1"), "orders:build-1"));

        assertEquals(Duration.ofSeconds(120), valid.facts().timeout());
        assertEquals(512, valid.facts().memoryMb());
    }

    @Test
    void versionBuiltForAnotherBuildIdIsInvalid() throws Exception {
        assertInvalid(validate(new ComputeTarget("aws-lambda", FUNCTION + ":1"), "orders:build-2"),
                FailureClass.REJECTED, "endless invoke loop");
    }

    @Test
    void missingVersionIsNotFound() throws Exception {
        assertInvalid(validate(new ComputeTarget("aws-lambda", FUNCTION + ":9"), "orders:build-9"),
                FailureClass.NOT_FOUND, "does not exist");
    }

    @Test
    void unqualifiedTargetIsRejectedUnlessAllowed() throws Exception {
        assertInvalid(validate(new ComputeTarget("aws-lambda", FUNCTION), "orders:build-2"),
                FailureClass.REJECTED, "is unqualified");

        var valid = assertInstanceOf(TargetValidation.Valid.class,
                validate(new ComputeTarget("aws-lambda", FUNCTION, true, Map.of()), "orders:build-2"));
        assertTrue(valid.facts().mutable());
        assertTrue(valid.warnings().get(0).contains("is mutable"), valid.warnings()::toString);
    }

    @Test
    void latestTargetIsRejectedUnlessAllowed() throws Exception {
        assertInvalid(validate(new ComputeTarget("aws-lambda", FUNCTION + ":$LATEST"), "orders:build-2"),
                FailureClass.REJECTED, "names $LATEST");

        TargetValidation v = validate(new ComputeTarget("aws-lambda", FUNCTION + ":$LATEST", true, Map.of()),
                "orders:build-2");
        var valid = assertInstanceOf(TargetValidation.Valid.class, v, v::toString);
        assertEquals(Duration.ofSeconds(300), valid.facts().timeout());
    }

    @Test
    void missingFunctionIsNotFound() throws Exception {
        assertInvalid(validate(new ComputeTarget("aws-lambda",
                        "arn:aws:lambda:us-east-1:" + ACCOUNT + ":function:no-such-worker:1"), "orders:build-1"),
                FailureClass.NOT_FOUND, "no-such-worker");
    }
}
