package dev.wci.server.lambdaendpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.registry.RegisteredTaskQueue;
import dev.wci.core.signal.MatchingSignal;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.signal.SyncMatchFailure.Origin;
import dev.wci.core.testing.TestClock;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.TaskQueueType;
import dev.wci.server.lambdaendpoint.FunctionMap.MappedFunction;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LambdaEndpointHandlerTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);
    private static final DeploymentVersion ORDERS = new DeploymentVersion("orders", "b5");
    private static final ComputeTarget TARGET = new ComputeTarget("aws-lambda", SignedRequests.ARN);

    private final Map<String, MappedFunction> functions = new HashMap<>();
    private final List<MatchingSignal> signals = new ArrayList<>();
    private final List<LambdaApiRequest> forwarded = new ArrayList<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private RuntimeException sinkFailure;
    private int refreshes;
    private final LambdaEndpointHandler handler = new LambdaEndpointHandler(
            new SigV4Verifier(SignedRequests.KEY_ID, SignedRequests.SECRET, CLOCK),
            arn -> Optional.ofNullable(functions.get(arn)),
            (request, target) -> {
                forwarded.add(request);
                return new LambdaApiReply(200, Optional.empty(), "application/json",
                        ("{\"Configuration\":{\"FunctionArn\":\"" + target.address() + "\"}}")
                                .getBytes(StandardCharsets.UTF_8));
            },
            signal -> {
                if (sinkFailure != null) {
                    throw sinkFailure;
                }
                signals.add(signal);
            },
            () -> refreshes++,
            new LambdaEndpointMetrics(meters), CLOCK);

    private void map(boolean managed, RegisteredTaskQueue... queues) {
        functions.put(SignedRequests.ARN, new MappedFunction(ORDERS, TARGET, managed, List.of(queues)));
    }

    private double invokes(String result) {
        return meters.counter(LambdaEndpointMetrics.INVOKES, "result", result).count();
    }

    @Test
    void anEventInvokeOfAMappedVersionIsASyncMatchFailureOnItsWorkflowQueueAnswered202() {
        map(true, new RegisteredTaskQueue("orders-tq", TaskQueueType.ACTIVITY),
                new RegisteredTaskQueue("orders-tq", TaskQueueType.WORKFLOW));
        LambdaApiReply reply = handler.handle(SignedRequests.invoke(SignedRequests.ARN, "Event", CLOCK));
        assertEquals(202, reply.status(), reply.text());
        assertEquals(0, reply.body().length);
        assertEquals(List.of(new SyncMatchFailure(ORDERS, "orders-tq", TaskQueueType.WORKFLOW, 1, 0,
                CLOCK.instant(), Origin.PUSH)), signals);
        assertEquals(1, invokes("signal"));
        assertEquals(1, meters.counter(LambdaEndpointMetrics.REQUESTS, "operation", "invoke", "status", "202")
                .count());
    }

    @Test
    void aVersionNoWorkerPolledYetIsAnswered202WithoutASignalForWcisBootstrapStartsIt() {
        map(true);
        assertEquals(202, handler.handle(SignedRequests.invoke(SignedRequests.ARN, "Event", CLOCK)).status());
        assertTrue(signals.isEmpty());
        assertEquals(1, invokes("no_task_queue"));
        assertEquals(1, refreshes, "the server knows the version better than WCI's registry: sync it soon");
    }

    @Test
    void aVersionWciDoesNotManageNowGetsNoSignal() {
        map(false, new RegisteredTaskQueue("orders-tq", TaskQueueType.WORKFLOW));
        assertEquals(202, handler.handle(SignedRequests.invoke(SignedRequests.ARN, "Event", CLOCK)).status());
        assertTrue(signals.isEmpty());
        assertEquals(1, invokes("unmanaged"));
        assertEquals(1, refreshes);
    }

    @Test
    void registryRefreshesAreAskedForAtMostOncePerInterval() {
        TestClock clock = new TestClock();
        int[] asked = {0};
        LambdaEndpointHandler h = new LambdaEndpointHandler(new SigV4Verifier(SignedRequests.KEY_ID,
                SignedRequests.SECRET, clock), arn -> Optional.ofNullable(functions.get(arn)), (r, t) -> null,
                signals::add, () -> asked[0]++, new LambdaEndpointMetrics(meters), clock);
        map(false);
        for (int i = 0; i < 5; i++) {
            assertEquals(202, h.handle(SignedRequests.invoke(SignedRequests.ARN, "Event", clock)).status());
        }
        assertEquals(1, asked[0]);
        clock.advance(LambdaEndpointHandler.REFRESH_EVERY);
        h.handle(SignedRequests.invoke(SignedRequests.ARN, "Event", clock));
        assertEquals(2, asked[0]);
        map(true, new RegisteredTaskQueue("orders-tq", TaskQueueType.WORKFLOW));
        clock.advance(LambdaEndpointHandler.REFRESH_EVERY);
        h.handle(SignedRequests.invoke(SignedRequests.ARN, "Event", clock));
        assertEquals(2, asked[0], "a version WCI manages with listed queues needs no refresh");
    }

    @Test
    void aFunctionWciDoesNotMapIsNotFoundAsLambdaWouldSay() {
        LambdaApiReply reply = handler.handle(SignedRequests.invoke(SignedRequests.ARN, "Event", CLOCK));
        assertEquals(404, reply.status());
        assertEquals(Optional.of("ResourceNotFoundException"), reply.errorType());
        assertTrue(reply.text().contains("Function not found: " + SignedRequests.ARN), reply.text());
        LambdaApiReply name = handler.handle(SignedRequests.invoke("orders", "Event", CLOCK));
        assertEquals(404, name.status());
        assertTrue(name.text().contains("full function ARNs"), name.text());
        assertTrue(signals.isEmpty());
    }

    @Test
    void aQualifierParameterCompletesAnUnqualifiedArn() {
        map(true, new RegisteredTaskQueue("orders-tq", TaskQueueType.WORKFLOW));
        String unqualified = SignedRequests.ARN.substring(0, SignedRequests.ARN.lastIndexOf(':'));
        LambdaApiReply reply = handler.handle(SignedRequests.sign("GET", "/2015-03-31/functions/"
                + SigV4Verifier.encode(unqualified, true), "Qualifier=5", Map.of(), new byte[0],
                SignedRequests.KEY_ID, SignedRequests.SECRET, CLOCK));
        assertEquals(200, reply.status(), reply.text());
        assertEquals(1, forwarded.size());
    }

    @Test
    void onlyAsynchronousInvokesAreTaken() {
        map(true, new RegisteredTaskQueue("orders-tq", TaskQueueType.WORKFLOW));
        LambdaApiReply reply = handler.handle(SignedRequests.invoke(SignedRequests.ARN, "RequestResponse", CLOCK));
        assertEquals(400, reply.status());
        assertEquals(Optional.of("InvalidParameterValueException"), reply.errorType());
        assertEquals(204, handler.handle(SignedRequests.invoke(SignedRequests.ARN, "DryRun", CLOCK)).status());
        assertTrue(signals.isEmpty());
    }

    @Test
    void readCallsOfMappedFunctionsAreForwardedAndOtherCallsRefused() {
        map(true);
        String path = "/2015-03-31/functions/" + SigV4Verifier.encode(SignedRequests.ARN, true);
        LambdaApiReply get = handler.handle(SignedRequests.sign("GET", path, "", Map.of(), new byte[0],
                SignedRequests.KEY_ID, SignedRequests.SECRET, CLOCK));
        assertEquals(200, get.status());
        assertTrue(get.text().contains(SignedRequests.ARN), get.text());
        LambdaApiReply delete = handler.handle(SignedRequests.sign("DELETE", path, "", Map.of(), new byte[0],
                SignedRequests.KEY_ID, SignedRequests.SECRET, CLOCK));
        assertEquals(403, delete.status());
        assertEquals(Optional.of("AccessDeniedException"), delete.errorType());
        LambdaApiReply list = handler.handle(SignedRequests.sign("GET", "/2015-03-31/functions/", "", Map.of(),
                new byte[0], SignedRequests.KEY_ID, SignedRequests.SECRET, CLOCK));
        assertEquals(403, list.status());
        assertEquals(1, forwarded.size(), "only the GetFunction was forwarded");
    }

    @Test
    void anUnsignedOrWronglySignedRequestIsRefusedBeforeAnythingElse() {
        map(true, new RegisteredTaskQueue("orders-tq", TaskQueueType.WORKFLOW));
        LambdaApiRequest signed = SignedRequests.invoke(SignedRequests.ARN, "Event", CLOCK);
        Map<String, List<String>> headers = new HashMap<>(signed.headers());
        headers.remove("authorization");
        LambdaApiReply unsigned = handler.handle(new LambdaApiRequest("POST", signed.rawPath(), "", headers,
                new byte[0]));
        assertEquals(403, unsigned.status());
        assertEquals(Optional.of("MissingAuthenticationTokenException"), unsigned.errorType());
        LambdaApiReply wrong = handler.handle(SignedRequests.sign("POST", signed.rawPath(), "",
                Map.of("X-Amz-Invocation-Type", "Event"), new byte[0], SignedRequests.KEY_ID, "not-the-secret", CLOCK));
        assertEquals(403, wrong.status());
        assertTrue(signals.isEmpty());
        assertEquals(1, meters.counter(LambdaEndpointMetrics.AUTH_FAILURES, "reason", "invalidsignatureexception")
                .count());
    }

    @Test
    void aFailingSinkIsA500WithoutDetailsOfTheFailure() {
        map(true, new RegisteredTaskQueue("orders-tq", TaskQueueType.WORKFLOW));
        sinkFailure = new IllegalStateException("scaler exploded at line 42");
        LambdaApiReply reply = handler.handle(SignedRequests.invoke(SignedRequests.ARN, "Event", CLOCK));
        assertEquals(500, reply.status());
        assertEquals(Optional.of("ServiceException"), reply.errorType());
        assertFalse(reply.text().contains("exploded"), reply.text());
    }
}
