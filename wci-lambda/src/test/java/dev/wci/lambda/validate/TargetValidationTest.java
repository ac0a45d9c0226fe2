package dev.wci.lambda.validate;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.InvocationRequest;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroupId;
import dev.wci.lambda.LambdaComputeProvider;
import dev.wci.lambda.LambdaProviderSettings;
import dev.wci.lambda.MutableClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Validation against WireMock as the Lambda control plane, and its caching on a mutable clock. */
class TargetValidationTest {

    static final String UNQUALIFIED = "arn:aws:lambda:us-east-1:123456789012:function:my-worker";
    static final String ARN = UNQUALIFIED + ":5";
    static final String ENC_UNQUALIFIED = "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy-worker";
    static final String CONFIG_PATH = "/2015-03-31/functions/" + ENC_UNQUALIFIED + "%3A5/configuration";
    static final String EIC_PATH = "/2019-09-25/functions/" + ENC_UNQUALIFIED + "/event-invoke-config";
    static final DeploymentVersion VERSION = new DeploymentVersion("orders", "build-42");
    static final Instant START = Instant.parse("2025-01-02T03:04:05Z");

    WireMockServer wm;
    MutableClock clock;
    LambdaComputeProvider provider;

    @BeforeEach
    void start() {
        wm = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        clock = new MutableClock(START);
        provider = new LambdaComputeProvider(LambdaProviderSettings.builder()
                .lambdaEndpoint(URI.create("http://127.0.0.1:" + wm.port()))
                .maxRetries(0)
                .revalidationInterval(Duration.ofMinutes(5))
                .minRevalidationInterval(Duration.ofSeconds(30))
                .build(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")), clock);
    }

    @AfterEach
    void stop() {
        provider.close();
        wm.stop();
    }

    static String config(String version, int timeout, int memory, String envJson) {
        return """
                {"FunctionName":"my-worker","FunctionArn":"%s:%s","Runtime":"java21",
                 "Role":"arn:aws:iam::123456789012:role/worker","Handler":"dev.wci.Handler::handleRequest",
                 "CodeSize":1234567,"Description":"","Timeout":%d,"MemorySize":%d,
                 "LastModified":"2025-01-01T10:00:00.000+0000","CodeSha256":"abc=","Version":"%s",
                 %s"TracingConfig":{"Mode":"PassThrough"},"State":"Active","LastUpdateStatus":"Successful",
                 "PackageType":"Zip","Architectures":["arm64"]}"""
                .formatted(UNQUALIFIED, version, timeout, memory, version,
                        envJson == null ? "" : "\"Environment\":{\"Variables\":" + envJson + "},");
    }

    static ResponseDefinitionBuilder eventInvokeConfig(Integer age, Integer retries) {
        return okJson("{\"LastModified\":1.7356896E9,\"FunctionArn\":\"" + ARN + "\""
                + (retries == null ? "" : ",\"MaximumRetryAttempts\":" + retries)
                + (age == null ? "" : ",\"MaximumEventAgeInSeconds\":" + age)
                + ",\"DestinationConfig\":{\"OnSuccess\":{},\"OnFailure\":{}}}");
    }

    static ResponseDefinitionBuilder notFound(String message) {
        return aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                .withHeader("x-amzn-ErrorType", "ResourceNotFoundException")
                .withHeader("x-amzn-RequestId", "11111111-2222-4333-8444-555555555555")
                .withBody("{\"Type\":\"User\",\"Message\":\"" + message + "\"}");
    }

    void stubGood(String envJson) {
        wm.stubFor(get(urlPathEqualTo(CONFIG_PATH)).willReturn(okJson(config("5", 900, 2048, envJson))));
        wm.stubFor(get(urlPathEqualTo(EIC_PATH)).withQueryParam("Qualifier", equalTo("5"))
                .willReturn(eventInvokeConfig(120, 0)));
    }

    TargetValidation validate(ComputeTarget target) throws Exception {
        return provider.validate(target, VERSION).toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    TargetValidation validate() throws Exception {
        return validate(new ComputeTarget("aws-lambda", ARN));
    }

    static TargetValidation.Invalid invalid(TargetValidation v, FailureClass expected, String... fragments) {
        TargetValidation.Invalid inv = assertInstanceOf(TargetValidation.Invalid.class, v);
        assertEquals(expected, inv.failure().failureClass(), inv::toString);
        for (String f : fragments) {
            assertTrue(inv.failure().message().contains(f), () -> "'" + inv.failure().message() + "' lacks '" + f + "'");
        }
        return inv;
    }

    @Test
    void validPublishedVersionReadsTimeoutAndMemory() throws Exception {
        stubGood("{\"TEMPORAL_DEPLOYMENT_NAME\":\"orders\",\"TEMPORAL_WORKER_BUILD_ID\":\"build-42\",\"OTHER\":\"x\"}");

        var valid = assertInstanceOf(TargetValidation.Valid.class, validate());

        assertEquals(Duration.ofSeconds(900), valid.facts().timeout());
        assertEquals(2048, valid.facts().memoryMb());
        assertEquals(false, valid.facts().mutable());
        assertEquals(List.of(), valid.warnings());
        assertEquals(START, valid.checkedAt());
        wm.verify(1, getRequestedFor(urlPathEqualTo(CONFIG_PATH)));
        wm.verify(1, getRequestedFor(urlPathEqualTo(EIC_PATH)).withQueryParam("Qualifier", equalTo("5")));
    }

    @Test
    void functionWithoutTheVariablesIsValid() throws Exception {
        stubGood(null);
        assertInstanceOf(TargetValidation.Valid.class, validate());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
            "TEMPORAL_WORKER_BUILD_ID, build-41, TEMPORAL_WORKER_BUILD_ID=build-41 (expected build-42), orders:build-41",
            "TEMPORAL_DEPLOYMENT_NAME, payments, TEMPORAL_DEPLOYMENT_NAME=payments (expected orders), payments:build-42"})
    void envMismatchIsInvalidAndExplainsTheLoop(String name, String value, String said, String polled) throws Exception {
        stubGood("{\"" + name + "\":\"" + value + "\"}");

        invalid(validate(), FailureClass.REJECTED, said, "would poll version " + polled, "endless invoke loop", ARN);
    }

    @Test
    void versionDifferentFromQualifierIsInvalid() throws Exception {
        wm.stubFor(get(urlPathEqualTo(CONFIG_PATH)).willReturn(okJson(config("6", 900, 2048, null))));
        wm.stubFor(get(urlPathEqualTo(EIC_PATH)).willReturn(eventInvokeConfig(120, 0)));

        invalid(validate(), FailureClass.REJECTED, "returned version '6'");
    }

    @Test
    void missingVersionIsNotFound() throws Exception {
        wm.stubFor(get(urlPathEqualTo(CONFIG_PATH)).willReturn(notFound("Function not found: " + ARN)));
        wm.stubFor(get(urlPathEqualTo(EIC_PATH)).willReturn(notFound("The function " + ARN + " doesn't exist.")));

        invalid(validate(), FailureClass.NOT_FOUND, "function version " + ARN, "publish it or fix the ARN",
                "ResourceNotFoundException");
    }

    @Test
    void accessDeniedOnConfigurationIsAccessDenied() throws Exception {
        wm.stubFor(get(urlPathEqualTo(CONFIG_PATH)).willReturn(aResponse().withStatus(403)
                .withHeader("x-amzn-ErrorType", "AccessDeniedException")
                .withBody("{\"Message\":\"User: arn:aws:iam::123456789012:user/wci is not authorized to perform: "
                        + "lambda:GetFunctionConfiguration on resource: " + ARN + "\"}")));
        wm.stubFor(get(urlPathEqualTo(EIC_PATH)).willReturn(eventInvokeConfig(120, 0)));

        invalid(validate(), FailureClass.ACCESS_DENIED, "lambda:GetFunctionConfiguration");
    }

    @Test
    void missingEventInvokeConfigWarnsWithTheSettingsToUse() throws Exception {
        wm.stubFor(get(urlPathEqualTo(CONFIG_PATH)).willReturn(okJson(config("5", 300, 512, null))));
        wm.stubFor(get(urlPathEqualTo(EIC_PATH)).willReturn(
                notFound("The function " + ARN + " doesn't have an EventInvokeConfig")));

        var valid = assertInstanceOf(TargetValidation.Valid.class, validate());

        assertEquals(1, valid.warnings().size(), valid.warnings()::toString);
        String w = valid.warnings().get(0);
        assertTrue(w.contains("up to 6 hours") && w.contains("MaximumEventAgeInSeconds to 60..300")
                && w.contains("MaximumRetryAttempts to 0") && w.contains("--qualifier 5"), w);
    }

    @Test
    void defaultishEventInvokeConfigWarnsPerSetting() throws Exception {
        wm.stubFor(get(urlPathEqualTo(CONFIG_PATH)).willReturn(okJson(config("5", 300, 512, null))));
        wm.stubFor(get(urlPathEqualTo(EIC_PATH)).willReturn(eventInvokeConfig(21600, 2)));

        var valid = assertInstanceOf(TargetValidation.Valid.class, validate());

        assertEquals(2, valid.warnings().size(), valid.warnings()::toString);
        assertTrue(valid.warnings().get(0).contains("21600 s"), valid.warnings()::toString);
        assertTrue(valid.warnings().get(1).contains("retries failed invocations 2 times"), valid.warnings()::toString);
    }

    @Test
    void unreadableEventInvokeConfigIsOnlyAWarning() throws Exception {
        wm.stubFor(get(urlPathEqualTo(CONFIG_PATH)).willReturn(okJson(config("5", 300, 512, null))));
        wm.stubFor(get(urlPathEqualTo(EIC_PATH)).willReturn(aResponse().withStatus(403)
                .withHeader("x-amzn-ErrorType", "AccessDeniedException").withBody("{\"Message\":\"denied\"}")));

        var valid = assertInstanceOf(TargetValidation.Valid.class, validate());

        assertTrue(valid.warnings().get(0).contains("grant lambda:GetFunctionEventInvokeConfig"), valid.warnings()::toString);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            UNQUALIFIED + "|is unqualified, so Lambda runs $LATEST",
            UNQUALIFIED + ":$LATEST|names $LATEST",
            UNQUALIFIED + ":live|names the alias 'live', which can be repointed"})
    void mutableTargetsAreRejectedWithoutCallingLambda(String address, String why) throws Exception {
        invalid(validate(new ComputeTarget("aws-lambda", address)), FailureClass.REJECTED, why,
                "allowMutableTarget: true", "publish-version");
        wm.verify(0, anyRequestedFor(urlPathMatching(".*")));
    }

    @Test
    void mutableTargetAllowedIsValidWithAWarning() throws Exception {
        String latest = UNQUALIFIED + ":$LATEST";
        wm.stubFor(get(urlPathEqualTo("/2015-03-31/functions/" + ENC_UNQUALIFIED + "/configuration"))
                .willReturn(okJson(config("$LATEST", 60, 1024, null))));
        wm.stubFor(get(urlPathEqualTo(EIC_PATH)).withQueryParam("Qualifier", equalTo("$LATEST"))
                .willReturn(eventInvokeConfig(60, 0)));

        var valid = assertInstanceOf(TargetValidation.Valid.class,
                validate(new ComputeTarget("aws-lambda", latest, true, Map.of())));

        assertTrue(valid.facts().mutable());
        assertEquals(Duration.ofSeconds(60), valid.facts().timeout());
        assertEquals(1, valid.warnings().size());
        assertTrue(valid.warnings().get(0).contains("is mutable"), valid.warnings()::toString);
    }

    @Test
    void malformedArnAndBadSettingsAreRejectedWithSpecificMessages() throws Exception {
        invalid(validate(new ComputeTarget("aws-lambda", "my-worker:5")), FailureClass.REJECTED,
                "is not a Lambda function ARN");
        invalid(validate(new ComputeTarget("aws-lambda", ARN, false, Map.of("rolearn", "x"))), FailureClass.REJECTED,
                "unknown aws-lambda target setting(s) [rolearn]", "roleArn");
        invalid(validate(new ComputeTarget("aws-lambda", ARN, false, Map.of("roleArn", "arn:aws:iam::1:role/x"))),
                FailureClass.REJECTED, "is not an IAM role ARN");
        invalid(validate(new ComputeTarget("docker", ARN)), FailureClass.REJECTED, "provider 'docker'");
        wm.verify(0, anyRequestedFor(urlPathMatching(".*")));
    }

    @Test
    void validResultIsCachedUntilTheRevalidationInterval() throws Exception {
        stubGood(null);

        TargetValidation first = validate();
        clock.advance(Duration.ofMinutes(4));
        TargetValidation second = validate();
        assertSame(first, second);
        wm.verify(1, getRequestedFor(urlPathEqualTo(CONFIG_PATH)));

        clock.advance(Duration.ofMinutes(1));
        TargetValidation third = validate();
        wm.verify(2, getRequestedFor(urlPathEqualTo(CONFIG_PATH)));
        assertEquals(START.plus(Duration.ofMinutes(5)), third.checkedAt());
    }

    @Test
    void invalidResultIsRecheckedAfterTheMinimumInterval() throws Exception {
        wm.stubFor(get(urlPathEqualTo(CONFIG_PATH)).willReturn(notFound("Function not found: " + ARN)));
        wm.stubFor(get(urlPathEqualTo(EIC_PATH)).willReturn(eventInvokeConfig(120, 0)));

        invalid(validate(), FailureClass.NOT_FOUND);
        clock.advance(Duration.ofSeconds(29));
        invalid(validate(), FailureClass.NOT_FOUND);
        wm.verify(1, getRequestedFor(urlPathEqualTo(CONFIG_PATH)));

        stubGood(null); // someone published the version
        clock.advance(Duration.ofSeconds(1));
        assertInstanceOf(TargetValidation.Valid.class, validate());
        wm.verify(2, getRequestedFor(urlPathEqualTo(CONFIG_PATH)));
    }

    @Test
    void invokeNotFoundMakesTheCachedValidResultStale() throws Exception {
        stubGood(null);
        assertInstanceOf(TargetValidation.Valid.class, validate());
        wm.stubFor(post(urlPathMatching(".*/invocations")).willReturn(notFound("Function not found: " + ARN)));
        wm.stubFor(get(urlPathEqualTo(CONFIG_PATH)).willReturn(notFound("Function not found: " + ARN)));

        provider.invoke(new InvocationRequest(ScalingGroupId.defaultFor(VERSION), new ComputeTarget("aws-lambda", ARN),
                List.of("a"), "SCALE", START)).toCompletableFuture().get(60, TimeUnit.SECONDS);
        clock.advance(Duration.ofSeconds(10));
        assertInstanceOf(TargetValidation.Valid.class, validate(), "still within the minimum interval");
        clock.advance(Duration.ofSeconds(20));

        invalid(validate(), FailureClass.NOT_FOUND);
        wm.verify(2, getRequestedFor(urlPathEqualTo(CONFIG_PATH)));
    }

    @Test
    void concurrentValidationsShareOneCheck() throws Exception {
        wm.stubFor(get(urlPathEqualTo(CONFIG_PATH)).willReturn(okJson(config("5", 900, 2048, null)).withFixedDelay(300)));
        wm.stubFor(get(urlPathEqualTo(EIC_PATH)).willReturn(eventInvokeConfig(120, 0)));
        ComputeTarget target = new ComputeTarget("aws-lambda", ARN);

        List<CompletableFuture<TargetValidation>> all = IntStream.range(0, 10)
                .mapToObj(i -> provider.validate(target, VERSION).toCompletableFuture()).toList();

        for (CompletableFuture<TargetValidation> f : all) {
            assertInstanceOf(TargetValidation.Valid.class, f.get(60, TimeUnit.SECONDS));
        }
        wm.verify(1, getRequestedFor(urlPathEqualTo(CONFIG_PATH)));
    }

    @Test
    void differentVersionsOfTheSameTargetAreCachedSeparately() throws Exception {
        stubGood("{\"TEMPORAL_WORKER_BUILD_ID\":\"build-42\"}");
        ComputeTarget target = new ComputeTarget("aws-lambda", ARN);

        assertInstanceOf(TargetValidation.Valid.class, validate(target));
        TargetValidation other = provider.validate(target, new DeploymentVersion("orders", "build-43"))
                .toCompletableFuture().get(60, TimeUnit.SECONDS);

        invalid(other, FailureClass.REJECTED, "endless invoke loop");
    }
}
