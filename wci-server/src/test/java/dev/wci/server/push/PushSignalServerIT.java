package dev.wci.server.push;

import static dev.wci.server.push.PushTestEvents.NAMESPACE;
import static dev.wci.server.push.PushTestEvents.TOKEN;
import static dev.wci.server.push.PushTestEvents.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.signal.MatchingSignal;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.testing.FixedVersionLookup;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.TaskQueueType;
import dev.wci.server.config.Secret;
import dev.wci.server.config.SignalsConfig;
import dev.wci.server.push.v1.EventResult;
import dev.wci.server.push.v1.ReportRequest;
import dev.wci.server.push.v1.ReportResponse;
import dev.wci.server.push.v1.SignalPushGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The push server on a real socket (Netty, 127.0.0.1, ephemeral port) with a real gRPC channel. */
class PushSignalServerIT {

    private static final DeploymentVersion B1 = new DeploymentVersion("orders", "b1");

    private final List<MatchingSignal> delivered = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private PushSignalServer push;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws IOException {
        push = newServer(0);
        push.start();
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", push.port(), InsecureChannelCredentials.create())
                .build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        push.close();
    }

    @Test
    void eventsWithTheTokenBecomeSignals() {
        assertTrue(push.port() > 0);

        ReportResponse response = stub(TOKEN).report(ReportRequest.newBuilder()
                .addEvents(event().setCount(6))
                .addEvents(event().setBuildId("b9"))
                .build());

        assertEquals(EventResult.Status.STATUS_ACCEPTED, response.getResults(0).getStatus());
        assertEquals(EventResult.Reason.REASON_UNKNOWN_VERSION, response.getResults(1).getReason());
        assertEquals(1, delivered.size());
        SyncMatchFailure signal = (SyncMatchFailure) delivered.get(0);
        assertEquals(B1, signal.version());
        assertEquals(TaskQueueType.WORKFLOW, signal.type());
        assertEquals(6, signal.notMatchedCount());
        assertEquals(1.0, meters.get(PushMetrics.REQUESTS).tag("code", "OK").counter().count());
    }

    @Test
    void aWrongTokenIsRefused() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub("not-the-token")
                .report(ReportRequest.newBuilder().addEvents(event()).build()));

        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        assertTrue(delivered.isEmpty());
        assertEquals(1.0, meters.get(PushMetrics.AUTH_FAILURES).tag("reason", "wrong").counter().count());
    }

    @Test
    void aMessageOverTheSizeLimitIsRefused() {
        String huge = "q".repeat(PushSignalServer.MAX_MESSAGE_BYTES);

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub(TOKEN)
                .report(ReportRequest.newBuilder().addEvents(event().setTaskQueue(huge)).build()));

        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertTrue(delivered.isEmpty());
    }

    @Test
    void aTakenPortIsAClearError() {
        PushSignalServer second = newServer(push.port());

        IOException e = assertThrows(IOException.class, second::start);

        assertTrue(e.getMessage().startsWith("the push signal server cannot listen on 127.0.0.1:" + push.port()),
                e.getMessage());
        second.close();
    }

    @Test
    void afterCloseNothingListens() {
        int port = push.port();
        push.close();
        push.close();

        ManagedChannel fresh = Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create())
                .build();
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> SignalPushGrpc
                    .newBlockingStub(fresh).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .report(ReportRequest.newBuilder().addEvents(event()).build()));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
            assertThrows(IllegalStateException.class, push::port);
        } finally {
            fresh.shutdownNow();
        }
    }

    private PushSignalServer newServer(int port) {
        return new PushSignalServer(new SignalsConfig.Push(true, "127.0.0.1", port, Optional.of(new Secret(TOKEN))),
                NAMESPACE, new FixedVersionLookup(Set.of(B1), Map.of()),
                (v, q) -> q.name().equals("orders-tq"), delivered::add, meters, Clock.systemUTC());
    }

    private SignalPushGrpc.SignalPushBlockingStub stub(String token) {
        Metadata md = new Metadata();
        md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return SignalPushGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    }
}
