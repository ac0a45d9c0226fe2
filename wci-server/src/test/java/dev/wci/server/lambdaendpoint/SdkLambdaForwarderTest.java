package dev.wci.server.lambdaendpoint;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.lambda.LambdaProviderSettings;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Forwarding of read calls: re-signed with WCI's own credentials, Lambda's answer relayed, failures bounded. */
class SdkLambdaForwarderTest {

    private static final ComputeTarget TARGET = new ComputeTarget("aws-lambda", SignedRequests.ARN);
    private WireMockServer lambda;

    @BeforeEach
    void start() {
        lambda = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        lambda.start();
    }

    @AfterEach
    void stop() {
        lambda.stop();
    }

    private SdkLambdaForwarder forwarder(URI endpoint) {
        return new SdkLambdaForwarder(LambdaProviderSettings.builder().lambdaEndpoint(endpoint).build(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDWCIOWN", "wci-own-secret")),
                Duration.ofSeconds(5));
    }

    private static LambdaApiRequest getFunction() {
        return SignedRequests.sign("GET", "/2015-03-31/functions/" + SigV4Verifier.encode(SignedRequests.ARN, true),
                "", Map.of(), new byte[0], SignedRequests.KEY_ID, SignedRequests.SECRET, Clock.systemUTC());
    }

    @Test
    void aReadCallIsSignedAnewWithWcisCredentialsAndLambdasAnswerRelayed() {
        lambda.stubFor(get(urlPathMatching("/2015-03-31/functions/.*")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"Configuration\":{\"Version\":\"5\"}}")));
        try (SdkLambdaForwarder f = forwarder(URI.create(lambda.baseUrl()))) {
            LambdaApiReply reply = f.forward(getFunction(), TARGET);
            assertEquals(200, reply.status(), reply.text());
            assertEquals("{\"Configuration\":{\"Version\":\"5\"}}", reply.text());
        }
        lambda.verify(getRequestedFor(urlPathMatching("/2015-03-31/functions/arn%3Aaws%3Alambda.*"))
                .withHeader("Authorization", matching("AWS4-HMAC-SHA256 Credential=AKIDWCIOWN/.*/us-east-1/lambda/.*")));
    }

    @Test
    void lambdasErrorsAreRelayedWithTheirType() {
        lambda.stubFor(get(urlPathMatching("/2015-03-31/functions/.*")).willReturn(aResponse().withStatus(404)
                .withHeader("X-Amzn-ErrorType", "ResourceNotFoundException")
                .withBody("{\"Type\":\"User\",\"Message\":\"Function not found\"}")));
        try (SdkLambdaForwarder f = forwarder(URI.create(lambda.baseUrl()))) {
            LambdaApiReply reply = f.forward(getFunction(), TARGET);
            assertEquals(404, reply.status());
            assertEquals(Optional.of("ResourceNotFoundException"), reply.errorType());
        }
    }

    @Test
    void anUnreachableLambdaIsA502NamingWhy() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        try (SdkLambdaForwarder f = forwarder(URI.create("http://127.0.0.1:" + closed))) {
            LambdaApiReply reply = f.forward(getFunction(), TARGET);
            assertEquals(502, reply.status());
            assertEquals(Optional.of("ServiceException"), reply.errorType());
            assertTrue(reply.text().contains("could not reach the Lambda API"), reply.text());
        }
    }

    @Test
    void anOversizedAnswerIsNotRelayed() {
        lambda.stubFor(get(urlPathMatching("/2015-03-31/functions/.*")).willReturn(aResponse().withStatus(200)
                .withBody(new byte[SdkLambdaForwarder.MAX_ANSWER_BYTES + 1])));
        try (SdkLambdaForwarder f = forwarder(URI.create(lambda.baseUrl()))) {
            LambdaApiReply reply = f.forward(getFunction(), TARGET);
            assertEquals(502, reply.status());
        }
    }
}
