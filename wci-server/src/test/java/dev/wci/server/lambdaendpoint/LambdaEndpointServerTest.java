package dev.wci.server.lambdaendpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.registry.RegisteredTaskQueue;
import dev.wci.core.signal.MatchingSignal;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.TaskQueueType;
import dev.wci.server.config.Secret;
import dev.wci.server.config.SignalsConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * The endpoint on a real socket, called by the AWS SDK's own Lambda client: what Temporal's controller (Go SDK)
 * sends and reads has the same wire format and signature.
 */
class LambdaEndpointServerTest {

    private static final DeploymentVersion ORDERS = new DeploymentVersion("orders", "b5");

    private final List<MatchingSignal> signals = new CopyOnWriteArrayList<>();
    private LambdaEndpointServer server;

    @BeforeEach
    void start() {
        FunctionMap functions = arn -> arn.equals(SignedRequests.ARN)
                ? Optional.of(new FunctionMap.MappedFunction(ORDERS, new ComputeTarget("aws-lambda", arn), true,
                List.of(new RegisteredTaskQueue("orders-tq", TaskQueueType.WORKFLOW))))
                : Optional.empty();
        LambdaForwarder forwarder = (request, target) -> new LambdaApiReply(200, Optional.empty(),
                "application/json", ("{\"Configuration\":{\"FunctionArn\":\"" + target.address()
                + "\",\"Version\":\"5\",\"Timeout\":300}}").getBytes(StandardCharsets.UTF_8));
        server = new LambdaEndpointServer(new SignalsConfig.LambdaEndpoint(true, "127.0.0.1", 0,
                Optional.of(SignedRequests.KEY_ID), Optional.of(new Secret(SignedRequests.SECRET))), functions,
                forwarder, signals::add, () -> { }, new SimpleMeterRegistry(), Clock.systemUTC());
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private LambdaClient client(String secret) {
        return LambdaClient.builder().region(Region.US_EAST_1)
                .endpointOverride(URI.create("http://127.0.0.1:" + server.port()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(SignedRequests.KEY_ID, secret)))
                .build();
    }

    @Test
    void theAwsSdkInvokesAsynchronouslyAndTheVersionGetsASignal() {
        try (LambdaClient lambda = client(SignedRequests.SECRET)) {
            InvokeResponse r = lambda.invoke(b -> b.functionName(SignedRequests.ARN)
                    .invocationType(InvocationType.EVENT));
            assertEquals(202, r.statusCode());
            assertEquals(1, signals.size());
            SyncMatchFailure s = (SyncMatchFailure) signals.get(0);
            assertEquals(ORDERS, s.version());
            assertEquals("orders-tq", s.taskQueue());
        }
    }

    @Test
    void theAwsSdkReadsTheForwardedGetFunctionAndUnderstandsLambdasErrors() {
        try (LambdaClient lambda = client(SignedRequests.SECRET)) {
            assertEquals(SignedRequests.ARN, lambda.getFunction(b -> b.functionName(SignedRequests.ARN))
                    .configuration().functionArn());
            ResourceNotFoundException missing = assertThrows(ResourceNotFoundException.class, () -> lambda.invoke(b ->
                    b.functionName(SignedRequests.ARN.replace(":5", ":6")).invocationType(InvocationType.EVENT)));
            assertTrue(missing.getMessage().contains("Function not found"), missing.getMessage());
        }
        try (LambdaClient wrong = client("not-the-secret")) {
            SdkServiceException e = assertThrows(SdkServiceException.class, () -> wrong.invoke(b ->
                    b.functionName(SignedRequests.ARN).invocationType(InvocationType.EVENT)
                            .payload(SdkBytes.fromUtf8String("{}"))));
            assertEquals(403, e.statusCode());
        }
        assertTrue(signals.isEmpty());
    }

    @Test
    void aBodyAboveTheLimitIsRefusedUnread() throws Exception {
        // Only the head is sent: the server must answer from the declared length, never waiting for the body. (A
        // client streaming the body meanwhile can have the answer reset by the close that follows it on a loaded
        // host, "header parser received no bytes": that is the client's race, not what this test is about.)
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(60_000); // a refusal that never comes fails the test instead of hanging it
            String head = "POST " + SignedRequests.invokePath(SignedRequests.ARN) + " HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + (LambdaEndpointServer.MAX_BODY_BYTES + 1) + "\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            String status = in.readLine();
            assertTrue(status != null && status.startsWith("HTTP/1.1 413 "), "status line: " + status);
            List<String> headers = new ArrayList<>();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                headers.add(line.toLowerCase(Locale.ROOT));
            }
            assertTrue(headers.contains("x-amzn-errortype: requesttoolargeexception"), headers.toString());
        }
        assertTrue(signals.isEmpty());
    }

    @Test
    void aSectionWithoutItsKeyPairIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LambdaEndpointServer(
                new SignalsConfig.LambdaEndpoint(true, "127.0.0.1", 0, Optional.of("AKID"), Optional.empty()),
                arn -> Optional.empty(), (r, t) -> null, signals::add, () -> { }, new SimpleMeterRegistry(),
                Clock.systemUTC()));
        assertTrue(e.getMessage().contains("signals.lambdaEndpoint.secretAccessKey"), e.getMessage());
    }
}
