package dev.wci.local.lambda;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wci.local.lambda.handlers.EchoHandler;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationResponse;
import software.amazon.awssdk.services.lambda.model.GetFunctionResponse;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.ThrottleReason;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

/**
 * Drives the local runtime with the real AWS SDK for Java v2 Lambda client, in both execution modes.
 * The process-mode runtime spawns a JVM per invocation, so its tests measure real cold starts.
 */
class LocalLambdaRuntimeIT {

    private static final String HANDLER = EchoHandler.class.getName();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LocalLambdaRuntime processRuntime;
    private static LocalLambdaRuntime threadRuntime;
    private static LambdaClient processLambda;
    private static LambdaClient threadLambda;

    @BeforeAll
    static void start() {
        String testClasses = Path.of("target", "test-classes").toAbsolutePath().toString();
        LocalFunction echo = new LocalFunction("echo", null, new EventInvokeConfig(0, 60), List.of(
                new LocalFunctionVersion("1", HANDLER, List.of(testClasses), 30, 256, Map.of("GREETING", "one"), null),
                new LocalFunctionVersion("2", HANDLER, List.of(testClasses), 30, 256, Map.of("GREETING", "two"), null)));
        // Version 2's timeout is long enough for a handler JVM to start on a loaded machine, and far shorter than
        // the sleep the timeout test asks for.
        LocalFunction slow = new LocalFunction("slow", null, null, List.of(
                new LocalFunctionVersion("1", HANDLER, List.of(testClasses), 1, 128, Map.of(), null),
                new LocalFunctionVersion("2", HANDLER, List.of(testClasses), 20, 128, Map.of(), null)));
        processRuntime = LocalLambdaRuntime.start(
                new LocalLambdaConfig(null, "123456789012", 10, ExecutionMode.PROCESS, List.of(echo, slow)), 0);
        threadRuntime = LocalLambdaRuntime.start(
                new LocalLambdaConfig(null, "123456789012", 3, ExecutionMode.THREAD, List.of(echo, slow)), 0);
        processLambda = client(processRuntime.endpoint());
        threadLambda = client(threadRuntime.endpoint());
    }

    private static LambdaClient client(URI endpoint) {
        return LambdaClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                // Throttles must reach the test as they would reach WCI, not be retried away.
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {processLambda, threadLambda, processRuntime, threadRuntime}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    private static JsonNode json(SdkBytes bytes) throws Exception {
        return JSON.readTree(bytes.asByteArray());
    }

    @Test
    void invokeByQualifiedArnRunsThatVersionInItsOwnProcess() throws Exception {
        String arn = processRuntime.functionArn("echo", "2");
        InvokeResponse r = processLambda.invoke(b -> b.functionName(arn)
                .payload(SdkBytes.fromUtf8String("{\"hello\":\"world\"}")));
        assertEquals(200, r.statusCode());
        assertNull(r.functionError());
        assertEquals("2", r.executedVersion());
        JsonNode body = json(r.payload());
        assertEquals("world", body.at("/input/hello").asText());
        assertEquals(arn, body.get("functionArn").asText());
        assertEquals("two", body.get("greeting").asText(), "the version's environment reaches the handler");
        assertEquals(r.responseMetadata().requestId(), body.get("requestId").asText());
        int remaining = body.get("remainingMillis").asInt();
        assertTrue(remaining > 0 && remaining <= 30_000, "remaining time counts down from the timeout: " + remaining);
        assertTrue(body.get("pid").asLong() != ProcessHandle.current().pid(), "ran in a separate JVM");
    }

    @Test
    void qualifierQueryParameterAndUrlEncodedArnAreAccepted() throws Exception {
        InvokeResponse r = processLambda.invoke(b -> b.functionName("echo").qualifier("1")
                .payload(SdkBytes.fromUtf8String("{}")));
        assertEquals("1", r.executedVersion());
        assertEquals("one", json(r.payload()).get("greeting").asText());

        // The raw HTTP form, with the ARN URL-encoded into the path, as other SDKs send it.
        String encoded = URLEncoder.encode(processRuntime.functionArn("echo", "1"), StandardCharsets.UTF_8);
        HttpResponse<String> raw = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        processRuntime.endpoint().resolve("/2015-03-31/functions/" + encoded + "/invocations"))
                .header("X-Amz-Invocation-Type", "Event")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, raw.statusCode());
        String requestId = raw.headers().firstValue("x-amzn-RequestId").orElseThrow();
        await().atMost(Duration.ofSeconds(30)).until(() -> processRuntime.invocations().stream()
                .anyMatch(i -> i.requestId().equals(requestId) && i.outcome() == InvocationOutcome.SUCCESS));
    }

    /**
     * The request id an asynchronous invoke returns is the one the handler's Context sees: the worker puts it in its
     * identity, and WCI finds its invocation in the worker census by it.
     */
    @Test
    void anAsyncInvokeReturnsTheRequestIdTheHandlerSees(@TempDir Path dir) throws Exception {
        for (LambdaClient lambda : List.of(processLambda, threadLambda)) {
            LocalLambdaRuntime runtime = lambda == processLambda ? processRuntime : threadRuntime;
            Path file = dir.resolve((lambda == processLambda ? "process" : "thread") + "-request-id");
            String payload = JSON.writeValueAsString(Map.of("requestIdFile", file.toString()));
            InvokeResponse r = lambda.invoke(b -> b.functionName(runtime.functionArn("echo", "1"))
                    .invocationType(InvocationType.EVENT).payload(SdkBytes.fromUtf8String(payload)));
            assertEquals(202, r.statusCode());
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(file));
            assertEquals(r.responseMetadata().requestId(), Files.readString(file));
        }
    }

    @Test
    void wrongVersionIsResourceNotFound() {
        ResourceNotFoundException e = assertThrows(ResourceNotFoundException.class,
                () -> processLambda.invoke(b -> b.functionName(processRuntime.functionArn("echo", "9"))));
        assertEquals(404, e.statusCode());
        assertTrue(e.awsErrorDetails().errorMessage().contains("function:echo:9"), e.getMessage());
        assertThrows(ResourceNotFoundException.class,
                () -> processLambda.invoke(b -> b.functionName("nope")));
    }

    @Test
    void handlerExceptionIsAFunctionError() throws Exception {
        InvokeResponse r = threadLambda.invoke(b -> b.functionName("echo:1")
                .payload(SdkBytes.fromUtf8String("{\"fail\":\"boom\"}")));
        assertEquals(200, r.statusCode());
        assertEquals("Unhandled", r.functionError());
        JsonNode body = json(r.payload());
        assertEquals(IllegalArgumentException.class.getName(), body.get("errorType").asText());
        assertEquals("asked to fail: boom", body.get("errorMessage").asText());
    }

    @Test
    void configurationReads() {
        GetFunctionConfigurationResponse c = processLambda.getFunctionConfiguration(
                b -> b.functionName(processRuntime.functionArn("echo", "2")));
        assertEquals("2", c.version());
        assertEquals(30, c.timeout());
        assertEquals(256, c.memorySize());
        assertEquals(Map.of("GREETING", "two"), c.environment().variables());
        assertEquals(HANDLER, c.handler());
        assertEquals(processRuntime.functionArn("echo", "2"), c.functionArn());

        GetFunctionResponse f = processLambda.getFunction(b -> b.functionName("echo").qualifier("1"));
        assertEquals("1", f.configuration().version());

        var eic = processLambda.getFunctionEventInvokeConfig(b -> b.functionName("echo").qualifier("1"));
        assertEquals(0, eic.maximumRetryAttempts());
        assertEquals(60, eic.maximumEventAgeInSeconds());
        assertThrows(ResourceNotFoundException.class,
                () -> processLambda.getFunctionEventInvokeConfig(b -> b.functionName("slow").qualifier("1")));
        assertThrows(ResourceNotFoundException.class,
                () -> processLambda.getFunctionConfiguration(b -> b.functionName("echo").qualifier("3")));
    }

    @Test
    void timeoutKillsTheProcess(@TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("handler.pid");
        String payload = JSON.writeValueAsString(Map.of("sleepMs", 600_000, "pidFile", pidFile.toString()));
        long t0 = System.nanoTime();
        InvokeResponse r = processLambda.invoke(b -> b.functionName(processRuntime.functionArn("slow", "2"))
                .payload(SdkBytes.fromUtf8String(payload)));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertEquals("Unhandled", r.functionError());
        JsonNode body = json(r.payload());
        assertEquals("Sandbox.Timedout", body.get("errorType").asText());
        assertTrue(body.get("errorMessage").asText().contains("Task timed out after 20.00 seconds"));
        // Not a speed bound: the handler sleeps 600 s, so an answer before that means it was not waited for.
        assertTrue(took.compareTo(Duration.ofSeconds(600)) < 0, "killed at the timeout, took " + took);
        InvocationRecord rec = processRuntime.invocations().stream()
                .filter(i -> i.requestId().equals(r.responseMetadata().requestId())).findFirst().orElseThrow();
        assertEquals(InvocationOutcome.TIMEOUT, rec.outcome());
        assertTrue(Duration.between(rec.startedAt(), rec.endedAt()).toMillis() >= 20_000);
        // The timeout outcome alone does not show the kill: an abandoned handler would sleep on for a minute.
        assertTrue(Files.exists(pidFile), "the handler started and recorded its pid before the timeout");
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        assertTrue(pid != ProcessHandle.current().pid(), "ran in a separate JVM");
        await("handler process " + pid + " ended after the timeout").atMost(Duration.ofSeconds(60))
                .until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    }

    @Test
    void threadModeTimeoutInterruptsTheHandler() throws Exception {
        InvokeResponse r = threadLambda.invoke(b -> b.functionName("slow:1")
                .payload(SdkBytes.fromUtf8String("{\"sleepMs\":60000}")));
        assertEquals("Unhandled", r.functionError());
        assertEquals("Sandbox.Timedout", json(r.payload()).get("errorType").asText());
        await().atMost(Duration.ofSeconds(60)).until(() -> threadRuntime.invocations().stream()
                .anyMatch(i -> i.requestId().equals(r.responseMetadata().requestId())
                        && i.outcome() == InvocationOutcome.TIMEOUT));
    }

    @Test
    void concurrencyLimitsThrottleWithTheirReason() {
        // Thread-mode runtime, account limit 3: three slow Event invocations fill it.
        for (int i = 0; i < 3; i++) {
            InvokeResponse r = threadLambda.invoke(b -> b.functionName("echo:1").invocationType(InvocationType.EVENT)
                    .payload(SdkBytes.fromUtf8String("{\"sleepMs\":3000}")));
            assertEquals(202, r.statusCode());
        }
        assertEquals(3, threadRuntime.inFlight());
        TooManyRequestsException e = assertThrows(TooManyRequestsException.class,
                () -> threadLambda.invoke(b -> b.functionName("echo:1").invocationType(InvocationType.EVENT)));
        assertEquals(429, e.statusCode());
        assertEquals(ThrottleReason.CONCURRENT_INVOCATION_LIMIT_EXCEEDED, e.reason());
        assertEquals("1", e.retryAfterSeconds());

        // Reserved concurrency 0 on one function: its own reason, whatever the account has left.
        threadRuntime.setReservedConcurrency("slow", 0);
        TooManyRequestsException reserved = assertThrows(TooManyRequestsException.class,
                () -> threadLambda.invoke(b -> b.functionName("slow:1")));
        assertEquals(ThrottleReason.RESERVED_FUNCTION_CONCURRENT_INVOCATION_LIMIT_EXCEEDED, reserved.reason());
        threadRuntime.setReservedConcurrency("slow", null);

        // Once the slots free up invocations pass again; with limit 0 nothing passes.
        await().atMost(Duration.ofSeconds(20)).until(() -> threadRuntime.inFlight() == 0);
        assertEquals(200, threadLambda.invoke(b -> b.functionName("echo:1")).statusCode());
        threadRuntime.setAccountConcurrencyLimit(0);
        try {
            assertThrows(TooManyRequestsException.class, () -> threadLambda.invoke(b -> b.functionName("echo:1")));
        } finally {
            threadRuntime.setAccountConcurrencyLimit(3);
        }
        assertTrue(threadRuntime.invocations().stream().filter(i -> i.outcome() == InvocationOutcome.THROTTLED)
                .count() >= 3);
    }

    @Test
    void deletedVersionIsNotFoundAndInvocationsAreServedAsJson() throws Exception {
        LocalFunction f = new LocalFunction("temp", null, null, List.of(
                new LocalFunctionVersion("1", HANDLER, List.of(), 5, 128, null, null),
                new LocalFunctionVersion("2", HANDLER, List.of(), 5, 128, null, null)));
        try (LocalLambdaRuntime rt = LocalLambdaRuntime.start(
                new LocalLambdaConfig(null, null, 5, ExecutionMode.THREAD, List.of(f)), 0);
             LambdaClient lambda = client(rt.endpoint())) {
            assertEquals("1", lambda.invoke(b -> b.functionName("temp:1")).executedVersion());
            rt.deleteVersion("temp", "1");
            assertThrows(ResourceNotFoundException.class, () -> lambda.invoke(b -> b.functionName("temp:1")));
            // Published again (a fix): invocable again.
            rt.publishVersion("temp", new LocalFunctionVersion("1", HANDLER, List.of(), 5, 128, null, null));
            assertEquals("1", lambda.invoke(b -> b.functionName("temp:1")).executedVersion());
            rt.deleteVersion("temp", "1");
            lambda.deleteFunction(b -> b.functionName("temp").qualifier("2"));
            assertThrows(ResourceNotFoundException.class,
                    () -> lambda.getFunctionConfiguration(b -> b.functionName("temp:2")));

            HttpResponse<String> list = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(rt.endpoint().resolve("/_local/invocations")).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode records = JSON.readTree(list.body());
            assertEquals(2, records.size(), list.body());
            JsonNode rec = records.get(0);
            assertEquals("temp", rec.get("function").asText());
            assertEquals("1", rec.get("version").asText());
            assertEquals("SUCCESS", rec.get("outcome").asText());
            assertTrue(rec.hasNonNull("receivedAt") && rec.hasNonNull("startedAt") && rec.hasNonNull("endedAt"));
        }
    }
}
