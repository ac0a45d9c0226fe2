package dev.wci.lambda.invoke;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.wci.core.compute.ComputeFailure;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.InvocationRequest;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroupId;
import dev.wci.lambda.LambdaComputeProvider;
import dev.wci.lambda.LambdaProviderSettings;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** The provider's Invoke path against WireMock as the Lambda endpoint: exact request, error mapping, timeouts. */
class LambdaInvokeTest {

    static final String ARN = "arn:aws:lambda:us-east-1:123456789012:function:my-worker:5";
    static final String ENCODED_PATH =
            "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy-worker%3A5/invocations";
    static final DeploymentVersion VERSION = new DeploymentVersion("orders", "build-42");
    static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");
    static final String SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    WireMockServer wm;
    LambdaComputeProvider provider;

    @BeforeEach
    void start() {
        wm = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        provider = provider(LambdaProviderSettings.builder()
                .lambdaEndpoint(URI.create("http://127.0.0.1:" + wm.port()))
                .apiCallAttemptTimeout(Duration.ofMillis(500))
                .apiCallTimeout(Duration.ofSeconds(3))
                .maxRetries(2)
                .build());
    }

    @AfterEach
    void stop() {
        provider.close();
        wm.stop();
    }

    static LambdaComputeProvider provider(LambdaProviderSettings settings) {
        return new LambdaComputeProvider(settings,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", SECRET_KEY)),
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    static InvocationRequest request(String... ids) {
        return new InvocationRequest(ScalingGroupId.defaultFor(VERSION), new ComputeTarget("aws-lambda", ARN),
                List.of(ids), "SCALE_FROM_ZERO", Instant.parse("2025-01-02T03:04:00Z"));
    }

    List<InvocationResult> invoke(InvocationRequest request) throws Exception {
        return provider.invoke(request).toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    ComputeFailure invokeOneFailure() throws Exception {
        List<InvocationResult> results = invoke(request("inv-1"));
        assertEquals(1, results.size());
        return assertInstanceOf(InvocationResult.Failed.class, results.get(0)).failure();
    }

    @Test
    void sendsEventInvokeWithQualifiedArnPayloadAndSignature() throws Exception {
        wm.stubFor(post(urlPathEqualTo(ENCODED_PATH)).willReturn(aResponse().withStatus(202)
                .withHeader("x-amzn-RequestId", "c0ffee00-0000-4000-8000-000000000001")));

        List<InvocationResult> results = invoke(request("inv-1"));

        InvocationResult.Accepted accepted = assertInstanceOf(InvocationResult.Accepted.class, results.get(0));
        assertEquals("inv-1", accepted.invocationId());
        assertEquals(NOW, accepted.acceptedAt());
        assertEquals("c0ffee00-0000-4000-8000-000000000001", accepted.providerRequestId(),
                "Lambda's request id, which the worker's identity carries");
        wm.verify(1, postRequestedFor(urlPathEqualTo(ENCODED_PATH))
                .withHeader("X-Amz-Invocation-Type", equalTo("Event"))
                .withHeader("Authorization", matching(
                        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\\d{8}/us-east-1/lambda/aws4_request, "
                                + "SignedHeaders=.*, Signature=[0-9a-f]{64}"))
                .withHeader("X-Amz-Date", matching("\\d{8}T\\d{6}Z"))
                .withRequestBody(equalToJson("""
                        {"deploymentName":"orders","buildId":"build-42","reason":"SCALE_FROM_ZERO",
                         "invocationId":"inv-1","requestedAt":"2025-01-02T03:04:00Z"}""")));
        // No Qualifier query parameter: the version travels inside the ARN.
        assertFalse(wm.getAllServeEvents().get(0).getRequest().getUrl().contains("Qualifier"));
    }

    @Test
    void invokesManyConcurrentlyOneCallPerIdInRequestOrder() throws Exception {
        wm.stubFor(post(urlPathEqualTo(ENCODED_PATH)).willReturn(aResponse().withStatus(202)));
        String[] ids = IntStream.range(0, 50).mapToObj(i -> "inv-" + i).toArray(String[]::new);

        List<InvocationResult> results = invoke(request(ids));

        assertEquals(50, results.size());
        for (int i = 0; i < 50; i++) {
            InvocationResult.Accepted accepted = assertInstanceOf(InvocationResult.Accepted.class, results.get(i));
            assertEquals("inv-" + i, accepted.invocationId());
            assertNull(accepted.providerRequestId(), "no x-amzn-RequestId header: no request id");
        }
        wm.verify(50, postRequestedFor(urlPathEqualTo(ENCODED_PATH)));
        wm.verify(1, postRequestedFor(urlPathEqualTo(ENCODED_PATH))
                .withRequestBody(matching(".*\"invocationId\":\"inv-17\".*")));
    }

    @Test
    void boundsInFlightInvokes() throws Exception {
        provider.close();
        provider = provider(LambdaProviderSettings.builder()
                .lambdaEndpoint(URI.create("http://127.0.0.1:" + wm.port()))
                .maxConcurrentInvokes(4)
                .build());
        wm.stubFor(post(urlPathEqualTo(ENCODED_PATH)).willReturn(aResponse().withStatus(202).withFixedDelay(400)));
        String[] ids = IntStream.range(0, 12).mapToObj(i -> "inv-" + i).toArray(String[]::new);

        var pending = provider.invoke(request(ids)).toCompletableFuture();

        await().atMost(Duration.ofSeconds(5)).until(() -> provider.invokesInFlight() == 4 && provider.invokesQueued() == 8);
        List<InvocationResult> results = pending.get(20, TimeUnit.SECONDS);
        assertTrue(results.stream().allMatch(r -> r instanceof InvocationResult.Accepted));
        assertEquals(0, provider.invokesInFlight());
        assertEquals(0, provider.invokesQueued());
    }

    static ResponseDefinitionBuilder awsError(int status, String errorType, String body) {
        return aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withHeader("x-amzn-RequestId", "8f4d3b0e-1111-4222-8333-444455556666")
                .withHeader("x-amzn-ErrorType", errorType)
                .withBody(body);
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                // status, x-amzn-ErrorType, body, expected class, expected requests (1 = not retried)
                Arguments.of(404, "ResourceNotFoundException",
                        "{\"Type\":\"User\",\"message\":\"Function not found: " + ARN + "\"}", FailureClass.NOT_FOUND, 1),
                Arguments.of(403, "AccessDeniedException",
                        "{\"Message\":\"User: arn:aws:sts::123456789012:assumed-role/wci/wci is not authorized to "
                                + "perform: lambda:InvokeFunction on resource: " + ARN + "\"}", FailureClass.ACCESS_DENIED, 1),
                Arguments.of(403, "UnrecognizedClientException",
                        "{\"message\":\"The security token included in the request is invalid.\"}",
                        FailureClass.ACCESS_DENIED, 1),
                Arguments.of(502, "KMSAccessDeniedException",
                        "{\"Type\":\"User\",\"message\":\"Lambda was unable to decrypt the environment variables "
                                + "because KMS access was denied.\"}", FailureClass.ACCESS_DENIED, 1),
                Arguments.of(502, "KMSDisabledException",
                        "{\"Type\":\"User\",\"message\":\"Lambda was unable to decrypt the environment variables "
                                + "because the KMS key used is disabled.\"}", FailureClass.REJECTED, 1),
                Arguments.of(400, "InvalidRequestContentException",
                        "{\"Type\":\"User\",\"message\":\"Could not parse request body into json\"}",
                        FailureClass.REJECTED, 1),
                Arguments.of(413, "RequestTooLargeException",
                        "{\"Type\":\"User\",\"message\":\"Request must be smaller than 262144 bytes for the "
                                + "InvokeAsync operation\"}", FailureClass.REJECTED, 1),
                Arguments.of(400, "InvalidParameterValueException",
                        "{\"Type\":\"User\",\"message\":\"Invalid function name\"}", FailureClass.REJECTED, 1),
                Arguments.of(500, "ServiceException",
                        "{\"Type\":\"Service\",\"message\":\"Internal failure\"}", FailureClass.UNAVAILABLE, 3),
                Arguments.of(502, "ResourceNotReadyException",
                        "{\"Type\":\"User\",\"message\":\"The function is inactive\"}", FailureClass.UNAVAILABLE, 3),
                Arguments.of(409, "ResourceConflictException",
                        "{\"Type\":\"User\",\"message\":\"The operation cannot be performed at this time. The "
                                + "function is currently in the following state: Pending\"}", FailureClass.UNAVAILABLE, 3));
    }

    @ParameterizedTest(name = "{0} {1} -> {3}")
    @MethodSource("errors")
    void mapsAwsErrors(int status, String errorType, String body, FailureClass expected, int requests) throws Exception {
        wm.stubFor(post(urlPathEqualTo(ENCODED_PATH)).willReturn(awsError(status, errorType, body)));

        ComputeFailure failure = invokeOneFailure();

        assertEquals(expected, failure.failureClass(), failure::toString);
        assertTrue(failure.message().contains(errorType), failure::message);
        assertTrue(failure.message().contains("HTTP " + status), failure::message);
        assertTrue(failure.message().contains(ARN), failure::message);
        assertTrue(failure.message().contains("requestId=8f4d3b0e-1111-4222-8333-444455556666"), failure::message);
        assertFalse(failure.message().contains(SECRET_KEY));
        wm.verify(requests, postRequestedFor(urlPathEqualTo(ENCODED_PATH)));
    }

    @Test
    void throttleWithRetryAfterHeaderIsThrottledAndNotRetried() throws Exception {
        wm.stubFor(post(urlPathEqualTo(ENCODED_PATH)).willReturn(awsError(429, "TooManyRequestsException",
                "{\"Reason\":\"ReservedFunctionConcurrentInvocationLimitExceeded\",\"Type\":\"User\","
                        + "\"message\":\"Rate Exceeded.\"}")
                .withHeader("Retry-After", "2")));

        ComputeFailure failure = invokeOneFailure();

        assertEquals(FailureClass.THROTTLED, failure.failureClass());
        assertEquals("ReservedFunctionConcurrentInvocationLimitExceeded", failure.reason());
        assertEquals(Duration.ofSeconds(2), failure.retryAfter());
        assertTrue(failure.message().contains("Rate Exceeded."), failure::message);
        wm.verify(1, postRequestedFor(urlPathEqualTo(ENCODED_PATH)));
    }

    @Test
    void throttleWithRetryAfterInBodyIsThrottledAndNotRetried() throws Exception {
        wm.stubFor(post(urlPathEqualTo(ENCODED_PATH)).willReturn(awsError(429, "TooManyRequestsException",
                "{\"Reason\":\"ConcurrentInvocationLimitExceeded\",\"retryAfterSeconds\":\"1\","
                        + "\"Type\":\"User\",\"message\":\"Rate Exceeded.\"}")));

        ComputeFailure failure = invokeOneFailure();

        assertEquals(FailureClass.THROTTLED, failure.failureClass());
        assertEquals("ConcurrentInvocationLimitExceeded", failure.reason());
        assertEquals(Duration.ofSeconds(1), failure.retryAfter());
        wm.verify(1, postRequestedFor(urlPathEqualTo(ENCODED_PATH)));
    }

    @Test
    void callerRateLimitThrottleWithoutRetryAfter() throws Exception {
        wm.stubFor(post(urlPathEqualTo(ENCODED_PATH)).willReturn(awsError(429, "TooManyRequestsException",
                "{\"Reason\":\"CallerRateLimitExceeded\",\"Type\":\"User\",\"message\":\"Rate Exceeded.\"}")));

        ComputeFailure failure = invokeOneFailure();

        assertEquals(FailureClass.THROTTLED, failure.failureClass());
        assertEquals("CallerRateLimitExceeded", failure.reason());
        assertNull(failure.retryAfter());
        wm.verify(1, postRequestedFor(urlPathEqualTo(ENCODED_PATH)));
    }

    @Test
    void bare503WithoutBodyIsUnavailableAndRetried() throws Exception {
        wm.stubFor(post(urlPathEqualTo(ENCODED_PATH)).willReturn(aResponse().withStatus(503)));

        ComputeFailure failure = invokeOneFailure();

        assertEquals(FailureClass.UNAVAILABLE, failure.failureClass(), failure::toString);
        wm.verify(3, postRequestedFor(urlPathEqualTo(ENCODED_PATH)));
    }

    @Test
    void transientErrorThenSuccessIsAccepted() throws Exception {
        wm.stubFor(post(urlPathEqualTo(ENCODED_PATH)).inScenario("flaky").whenScenarioStateIs("Started")
                .willReturn(awsError(500, "ServiceException", "{\"message\":\"Internal failure\"}"))
                .willSetStateTo("ok"));
        wm.stubFor(post(urlPathEqualTo(ENCODED_PATH)).inScenario("flaky").whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(202)));

        List<InvocationResult> results = invoke(request("inv-1"));

        assertInstanceOf(InvocationResult.Accepted.class, results.get(0));
        wm.verify(2, postRequestedFor(urlPathEqualTo(ENCODED_PATH)));
    }

    @Test
    void slowEndpointTimesOutAsUnavailableAfterBoundedRetries() throws Exception {
        wm.stubFor(post(urlPathEqualTo(ENCODED_PATH)).willReturn(aResponse().withStatus(202).withFixedDelay(2_000)));
        long start = System.nanoTime();

        ComputeFailure failure = invokeOneFailure();

        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(FailureClass.UNAVAILABLE, failure.failureClass(), failure::toString);
        assertTrue(failure.message().contains("timed out") || failure.message().contains("failed to connect or read"),
                failure::message);
        // 3 attempts of 500 ms plus short backoff, bounded well below the 3 s call timeout.
        assertTrue(tookMs < 3_500, "took " + tookMs + " ms");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertEquals(3, wm.findAll(postRequestedFor(urlPathEqualTo(ENCODED_PATH))).size()));
    }

    @Test
    void connectionRefusedIsUnavailable() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        provider.close();
        provider = provider(LambdaProviderSettings.builder()
                .lambdaEndpoint(URI.create("http://127.0.0.1:" + closedPort)).maxRetries(1).build());

        ComputeFailure failure = invokeOneFailure();

        assertEquals(FailureClass.UNAVAILABLE, failure.failureClass(), failure::toString);
    }

    @Test
    void malformedTargetFailsEveryIdAsRejectedWithoutCallingLambda() throws Exception {
        var bad = new InvocationRequest(ScalingGroupId.defaultFor(VERSION),
                new ComputeTarget("aws-lambda", "arn:aws:lambda:us-east-1:123:function:w:1"),
                List.of("a", "b"), "SCALE", NOW);

        List<InvocationResult> results = provider.invoke(bad).toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertEquals(2, results.size());
        for (InvocationResult r : results) {
            ComputeFailure f = assertInstanceOf(InvocationResult.Failed.class, r).failure();
            assertEquals(FailureClass.REJECTED, f.failureClass());
            assertTrue(f.message().contains("is not 12 digits"), f::message);
        }
        wm.verify(0, postRequestedFor(urlPathMatching(".*")));
    }

    @Test
    void mutableTargetIsNotInvokedUnlessAllowed() throws Exception {
        String latest = "arn:aws:lambda:us-east-1:123456789012:function:my-worker:$LATEST";
        wm.stubFor(post(urlPathMatching("/2015-03-31/functions/.*/invocations")).willReturn(aResponse().withStatus(202)));
        var refused = new InvocationRequest(ScalingGroupId.defaultFor(VERSION),
                new ComputeTarget("aws-lambda", latest), List.of("a"), "SCALE", NOW);
        var allowed = new InvocationRequest(ScalingGroupId.defaultFor(VERSION),
                new ComputeTarget("aws-lambda", latest, true, java.util.Map.of()), List.of("a"), "SCALE", NOW);

        var r1 = provider.invoke(refused).toCompletableFuture().get(5, TimeUnit.SECONDS).get(0);
        var r2 = provider.invoke(allowed).toCompletableFuture().get(5, TimeUnit.SECONDS).get(0);

        assertEquals(FailureClass.REJECTED, assertInstanceOf(InvocationResult.Failed.class, r1).failure().failureClass());
        assertInstanceOf(InvocationResult.Accepted.class, r2);
        wm.verify(1, postRequestedFor(urlPathEqualTo(
                "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy-worker%3A%24LATEST/invocations")));
    }

    @Test
    void oneClientPerRegionAndCredentials() throws Exception {
        wm.stubFor(post(urlPathMatching("/2015-03-31/functions/.*/invocations")).willReturn(aResponse().withStatus(202)));
        assertEquals(0, provider.lambdaClients(), "clients are built on first use");

        // Two functions in us-east-1 with the base credentials, invoked repeatedly: they share one client.
        for (int round = 0; round < 5; round++) {
            for (String arn : List.of(ARN, "arn:aws:lambda:us-east-1:123456789012:function:other:3")) {
                invokeAllAccepted(arn);
                assertEquals(1, provider.lambdaClients(), "after invoking " + arn + " in round " + round);
            }
        }

        // Another region needs its own client (the region is part of the SigV4 scope), built once.
        for (int round = 0; round < 3; round++) {
            invokeAllAccepted("arn:aws:lambda:eu-west-1:123456789012:function:my-worker:5");
            assertEquals(2, provider.lambdaClients());
        }
        wm.verify(20, postRequestedFor(urlPathMatching(".*/invocations"))
                .withHeader("Authorization", matching(".*/us-east-1/lambda/aws4_request.*")));
        wm.verify(6, postRequestedFor(urlPathMatching(".*/invocations"))
                .withHeader("Authorization", matching(".*/eu-west-1/lambda/aws4_request.*")));
    }

    private void invokeAllAccepted(String arn) throws Exception {
        var req = new InvocationRequest(ScalingGroupId.defaultFor(VERSION), new ComputeTarget("aws-lambda", arn),
                List.of("a", "b"), "SCALE", NOW);
        invoke(req).forEach(r -> assertInstanceOf(InvocationResult.Accepted.class, r));
    }

    @Test
    void invokeNeverCallsTheValidationApis() throws Exception {
        wm.stubFor(post(urlPathMatching("/2015-03-31/functions/.*/invocations")).willReturn(aResponse().withStatus(202)));
        // The paths the SDK uses for GetFunctionConfiguration and GetFunctionEventInvokeConfig.
        var getConfiguration = getRequestedFor(urlPathMatching("/2015-03-31/functions/[^/]+/configuration"));
        var getEventInvokeConfig = getRequestedFor(urlPathMatching("/2019-09-25/functions/[^/]+/event-invoke-config"));

        for (int i = 0; i < 3; i++) {
            invoke(request("inv-" + i)).forEach(r -> assertInstanceOf(InvocationResult.Accepted.class, r));
        }

        // Validation is the scaler's job, cached and rate-limited; on the invoke path it would add control-plane
        // calls (and their throttles) to every scale-up.
        wm.verify(3, postRequestedFor(urlPathEqualTo(ENCODED_PATH)));
        wm.verify(0, getConfiguration);
        wm.verify(0, getEventInvokeConfig);
        assertEquals(3, wm.getAllServeEvents().size(), "only the three Invoke calls reached the endpoint");

        // Control: the same matchers do catch a validation, so the zeros above are not vacuous.
        provider.validate(new ComputeTarget("aws-lambda", ARN), VERSION).toCompletableFuture().get(20, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertFalse(wm.findAll(getConfiguration).isEmpty());
            assertFalse(wm.findAll(getEventInvokeConfig).isEmpty());
        });
    }
}
