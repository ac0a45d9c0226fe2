package dev.wci.lambda.credentials;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.wci.core.compute.ComputeFailure;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.InvocationRequest;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroupId;
import dev.wci.lambda.LambdaComputeProvider;
import dev.wci.lambda.LambdaProviderSettings;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Assume-role through WireMock as the STS endpoint (and Lambda): caching, external ID, secrecy. */
class AssumeRoleTest {

    static final String ARN = "arn:aws:lambda:us-east-1:210987654321:function:my-worker:5";
    static final String ROLE = "arn:aws:iam::210987654321:role/wci-invoker";
    static final String EXTERNAL_ID = "ext-Secr3t-7f9a";
    static final String BASE_SECRET = "baseSecretKeyEXAMPLE0000000000000000000000";
    static final String SESSION_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
    static final String SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLEtokenAQoDYXdzEJr";
    static final DeploymentVersion VERSION = new DeploymentVersion("orders", "build-42");

    WireMockServer wm;
    LambdaComputeProvider provider;
    ListAppender<ILoggingEvent> logs;
    Logger wciLogger;

    @BeforeEach
    void start() {
        wm = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        wm.stubFor(post(urlPathMatching("/2015-03-31/functions/.*/invocations")).willReturn(aResponse().withStatus(202)));
        wciLogger = (Logger) LoggerFactory.getLogger("dev.wci");
        wciLogger.setLevel(Level.DEBUG);
        logs = new ListAppender<>();
        logs.start();
        wciLogger.addAppender(logs);
    }

    @AfterEach
    void stop() {
        wciLogger.detachAppender(logs);
        wciLogger.setLevel(null);
        if (provider != null) {
            provider.close();
        }
        wm.stop();
    }

    LambdaComputeProvider provider(AssumeRoleSettings global) {
        URI endpoint = URI.create("http://127.0.0.1:" + wm.port());
        return new LambdaComputeProvider(LambdaProviderSettings.builder()
                .lambdaEndpoint(endpoint).stsEndpoint(endpoint).assumeRole(global).maxRetries(0).build(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDBASE", BASE_SECRET)),
                Clock.systemUTC());
    }

    static String assumeRoleResponse(Instant expiration) {
        return """
                <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <AssumeRoleResult>
                    <AssumedRoleUser>
                      <Arn>arn:aws:sts::210987654321:assumed-role/wci-invoker/wci-test</Arn>
                      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:wci-test</AssumedRoleId>
                    </AssumedRoleUser>
                    <Credentials>
                      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
                      <SecretAccessKey>%s</SecretAccessKey>
                      <SessionToken>%s</SessionToken>
                      <Expiration>%s</Expiration>
                    </Credentials>
                    <PackedPolicySize>6</PackedPolicySize>
                  </AssumeRoleResult>
                  <ResponseMetadata>
                    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
                  </ResponseMetadata>
                </AssumeRoleResponse>""".formatted(SESSION_SECRET, SESSION_TOKEN, expiration.truncatedTo(ChronoUnit.SECONDS));
    }

    void stubSts(Instant expiration) {
        wm.stubFor(post(urlEqualTo("/")).withRequestBody(containing("Action=AssumeRole"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/xml")
                        .withHeader("x-amzn-RequestId", "c6104cbe-af31-11e0-8154-cbc7ccf896c7")
                        .withBody(assumeRoleResponse(expiration))));
    }

    List<InvocationResult> invokeMany(ComputeTarget target, int requests, int perRequest) throws Exception {
        List<CompletableFuture<List<InvocationResult>>> all = new ArrayList<>();
        for (int r = 0; r < requests; r++) {
            int base = r * perRequest;
            List<String> ids = IntStream.range(base, base + perRequest).mapToObj(i -> "inv-" + i).toList();
            all.add(provider.invoke(new InvocationRequest(ScalingGroupId.defaultFor(VERSION), target, ids, "SCALE",
                    Instant.now())).toCompletableFuture());
        }
        List<InvocationResult> results = new ArrayList<>();
        for (var f : all) {
            results.addAll(f.get(60, TimeUnit.SECONDS));
        }
        return results;
    }

    @Test
    void thousandInvokesWithGlobalAssumeRoleMakeOneStsCall() throws Exception {
        stubSts(Instant.now().plus(Duration.ofDays(3650)));
        provider = provider(new AssumeRoleSettings(ROLE, EXTERNAL_ID, "wci-test", null));

        List<InvocationResult> results = invokeMany(new ComputeTarget("aws-lambda", ARN), 10, 100);

        assertEquals(1000, results.size());
        results.forEach(r -> assertInstanceOf(InvocationResult.Accepted.class, r, r::toString));
        wm.verify(1, postRequestedFor(urlEqualTo("/"))
                .withRequestBody(containing("Action=AssumeRole"))
                .withRequestBody(containing("RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2Fwci-invoker"))
                .withRequestBody(containing("RoleSessionName=wci-test"))
                .withRequestBody(containing("ExternalId=" + EXTERNAL_ID))
                .withRequestBody(containing("DurationSeconds=3600"))
                .withHeader("Authorization", matching("AWS4-HMAC-SHA256 Credential=AKIDBASE/\\d{8}/us-east-1/sts/.*")));
        // Lambda is called with the assumed role's session credentials.
        wm.verify(1000, postRequestedFor(urlPathMatching(".*/invocations"))
                .withHeader("Authorization", matching("AWS4-HMAC-SHA256 Credential=ASIAIOSFODNN7EXAMPLE/.*/lambda/.*"))
                .withHeader("X-Amz-Security-Token", equalTo(SESSION_TOKEN)));
    }

    @Test
    void perTargetRoleFromSettingsWinsOverNone() throws Exception {
        stubSts(Instant.now().plus(Duration.ofDays(3650)));
        provider = provider(null);
        ComputeTarget target = new ComputeTarget("aws-lambda", ARN, false,
                Map.of("roleArn", ROLE, "externalId", EXTERNAL_ID, "sessionName", "per-target"));

        List<InvocationResult> results = invokeMany(target, 2, 50);

        results.forEach(r -> assertInstanceOf(InvocationResult.Accepted.class, r, r::toString));
        wm.verify(1, postRequestedFor(urlEqualTo("/")).withRequestBody(containing("RoleSessionName=per-target")));
        assertFalse(target.toString().contains(EXTERNAL_ID));
    }

    @Test
    void credentialsNearExpiryAreRefreshed() throws Exception {
        // Inside the SDK's 1-minute stale window, the next use refreshes before it signs. (The 5-minute
        // prefetch window refreshes from a jittered background task: no deterministic moment to test.)
        stubSts(Instant.now().plus(Duration.ofSeconds(30)));
        provider = provider(AssumeRoleSettings.of(ROLE));
        ComputeTarget target = new ComputeTarget("aws-lambda", ARN);

        invokeMany(target, 1, 1);
        // The SDK holds an already-stale value for a short, version-dependent moment before the next use
        // refreshes it, so keep using the provider until it does (bounded).
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
            invokeMany(target, 1, 1);
            return wm.findAll(postRequestedFor(urlEqualTo("/"))).size() >= 2;
        });
    }

    @Test
    void deniedAssumeRoleIsAccessDeniedAndLeaksNoSecret() throws Exception {
        wm.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(403).withHeader("Content-Type", "text/xml")
                .withBody("""
                        <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                          <Error>
                            <Type>Sender</Type>
                            <Code>AccessDenied</Code>
                            <Message>User: arn:aws:iam::123456789012:user/wci is not authorized to perform: sts:AssumeRole on resource: %s</Message>
                          </Error>
                          <RequestId>4c4c1a8f-0000-4000-8000-0123456789ab</RequestId>
                        </ErrorResponse>""".formatted(ROLE))));
        provider = provider(new AssumeRoleSettings(ROLE, EXTERNAL_ID, null, null));

        List<InvocationResult> results = invokeMany(new ComputeTarget("aws-lambda", ARN), 1, 3);

        for (InvocationResult r : results) {
            ComputeFailure f = assertInstanceOf(InvocationResult.Failed.class, r).failure();
            assertEquals(FailureClass.ACCESS_DENIED, f.failureClass(), f::toString);
            assertTrue(f.message().contains("sts:AssumeRole"), f::message);
            assertNoSecret(f.toString());
        }
        wm.verify(0, postRequestedFor(urlPathMatching(".*/invocations")));
        for (ILoggingEvent e : logs.list) {
            assertNoSecret(e.getFormattedMessage());
        }
        assertNoSecret(provider.toString());
        assertNoSecret(provider.settings().toString());
    }

    @Test
    void settingsParseAndNeverPrintTheExternalId() {
        var role = AssumeRoleSettings.fromTargetSettings(Map.of("roleArn", ROLE, "externalId", EXTERNAL_ID,
                "sessionDurationSeconds", "900")).orElseThrow();
        assertEquals(Duration.ofMinutes(15), role.sessionDuration());
        assertEquals(AssumeRoleSettings.DEFAULT_SESSION_NAME, role.sessionName());
        assertTrue(role.toString().contains("externalId=***"), role::toString);
        assertNoSecret(role.toString());
        assertNoSecret(LambdaProviderSettings.builder().assumeRole(role).build().toString());

        var bad = assertThrows(IllegalArgumentException.class, () -> AssumeRoleSettings.fromTargetSettings(
                Map.of("roleArn", ROLE, "externalId", "bad id with spaces " + EXTERNAL_ID)));
        assertNoSecret(bad.getMessage());
        assertTrue(bad.getMessage().contains("external ID"), bad::getMessage);
        assertThrows(IllegalArgumentException.class,
                () -> AssumeRoleSettings.fromTargetSettings(Map.of("externalId", EXTERNAL_ID)));
        assertThrows(IllegalArgumentException.class,
                () -> AssumeRoleSettings.fromTargetSettings(Map.of("roleArn", ROLE, "sessionDurationSeconds", "60")));
        assertTrue(AssumeRoleSettings.fromTargetSettings(Map.of()).isEmpty());
    }

    static void assertNoSecret(String text) {
        for (String secret : List.of(EXTERNAL_ID, BASE_SECRET, SESSION_SECRET, SESSION_TOKEN)) {
            assertFalse(text.contains(secret), () -> "secret leaked in: " + text);
        }
    }
}
