package dev.wci.server.push;

import static dev.wci.server.push.PushTestEvents.NAMESPACE;
import static dev.wci.server.push.PushTestEvents.TOKEN;
import static dev.wci.server.push.PushTestEvents.event;
import static dev.wci.server.push.PushTestEvents.timestamp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.Timestamp;
import dev.wci.core.registry.RegisteredTaskQueue;
import dev.wci.core.registry.VersionLookup;
import dev.wci.core.signal.MatchingSignal;
import dev.wci.core.signal.SignalSink;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.signal.SyncMatchFailure.Origin;
import dev.wci.core.testing.FixedVersionLookup;
import dev.wci.core.testing.TestClock;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.TaskQueueType;
import dev.wci.server.config.Secret;
import dev.wci.server.config.SignalsConfig;
import dev.wci.server.push.v1.EventResult.Reason;
import dev.wci.server.push.v1.EventResult;
import dev.wci.server.push.v1.ReportRequest;
import dev.wci.server.push.v1.ReportResponse;
import dev.wci.server.push.v1.SignalPushGrpc;
import dev.wci.server.push.v1.SyncMatchOutcome;
import dev.wci.server.push.v1.TaskAddEvent;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/** The push endpoint over gRPC's in-process transport: auth, event checks, signals, limits and meters. */
class PushSignalServerTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final DeploymentVersion B1 = new DeploymentVersion("orders", "b1");
    private static final DeploymentVersion B2 = new DeploymentVersion("orders", "b2");
    /** orders:b1 and orders:b2 are managed; unpinned orders tasks go 90 % to b1 (Current), 10 % to b2 (Ramping). */
    private static final VersionLookup VERSIONS = new FixedVersionLookup(Set.of(B1, B2),
            Map.of("orders", Map.of(B1, 90, B2, 10), "billing", Map.of()));
    /** Temporal lists orders-tq (workflow and Nexus) and orders-act (activity) for both versions. */
    private static final Set<RegisteredTaskQueue> QUEUES = Set.of(
            new RegisteredTaskQueue("orders-tq", TaskQueueType.WORKFLOW),
            new RegisteredTaskQueue("orders-tq", TaskQueueType.NEXUS),
            new RegisteredTaskQueue("orders-act", TaskQueueType.ACTIVITY));
    private static final ListedTaskQueues LISTED = (v, q) -> (v.equals(B1) || v.equals(B2)) && QUEUES.contains(q);

    private final TestClock clock = new TestClock(NOW);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<MatchingSignal> delivered = new CopyOnWriteArrayList<>();
    private Server server;
    private ManagedChannel channel;

    @AfterEach
    void stop() {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (server != null) {
            server.shutdownNow();
        }
    }

    // ---- authentication ----

    /**
     * Present at 0 before any failure or rejection, so Prometheus's increase() sees the first one
     * (WciPushAuthFailures, WciPushEventsRejected).
     */
    @Test
    void refusalCountersExistAtZeroBeforeTheFirstRefusal() {
        new PushMetrics(meters);
        for (String reason : List.of("missing", "wrong")) {
            Counter c = meters.find(PushMetrics.AUTH_FAILURES).tag("reason", reason).counter();
            assertNotNull(c, reason);
            assertEquals(0.0, c.count());
        }
        for (String reason : List.of("invalid_count", "stale", "unknown_version", "unknown_task_queue")) {
            Counter c = meters.find(PushMetrics.EVENTS).tags("result", "rejected", "reason", reason).counter();
            assertNotNull(c, reason);
            assertEquals(0.0, c.count());
        }
        assertNotNull(meters.find(PushMetrics.EVENTS).tags("result", "failed", "reason", "internal").counter());
    }

    @Test
    void aCallWithTheTokenIsServed() {
        ReportResponse response = client(TOKEN).report(batch(event()));

        assertEquals(EventResult.Status.STATUS_ACCEPTED, response.getResults(0).getStatus());
        assertEquals(1, delivered.size());
        assertEquals(1.0, counter(PushMetrics.REQUESTS, "code", "OK"));
    }

    @Test
    void theSchemeIsCaseInsensitive() {
        SignalPushGrpc.SignalPushBlockingStub stub = client(null).withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(authorization("bearer " + TOKEN)));

        assertEquals(EventResult.Status.STATUS_ACCEPTED, stub.report(batch(event())).getResults(0).getStatus());
    }

    @Test
    void aCallWithoutTokenIsUnauthenticatedAndCounted() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> client(null).report(batch(event())));

        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        assertTrue(delivered.isEmpty());
        assertEquals(1.0, counter(PushMetrics.REQUESTS, "code", "UNAUTHENTICATED"));
        assertEquals(1.0, counter(PushMetrics.AUTH_FAILURES, "reason", "missing"));
        assertEquals(0.0, counter(PushMetrics.EVENTS, "result", "accepted", "reason", "none"));
    }

    @Test
    void anotherSchemeCountsAsMissing() {
        SignalPushGrpc.SignalPushBlockingStub stub = client(null).withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(authorization("Basic " + TOKEN)));

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.report(batch(event())));

        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        assertEquals(1.0, counter(PushMetrics.AUTH_FAILURES, "reason", "missing"));
    }

    @Test
    void aWrongTokenIsUnauthenticatedCountedAndNeverLogged() {
        Logger logger = (Logger) LoggerFactory.getLogger("dev.wci.server.push");
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try {
            String nearMiss = TOKEN + "x";
            for (int i = 0; i < 3; i++) {
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                        () -> client(nearMiss).report(batch(event())));
                assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
                assertFalse(String.valueOf(e.getStatus().getDescription()).contains(TOKEN));
            }
            clock.advance(Duration.ofMinutes(2));
            assertThrows(StatusRuntimeException.class, () -> client("").report(batch(event())));

            assertTrue(delivered.isEmpty());
            assertEquals(4.0, counter(PushMetrics.AUTH_FAILURES, "reason", "wrong"));
            assertEquals(4.0, counter(PushMetrics.REQUESTS, "code", "UNAUTHENTICATED"));
            // One warning per minute, whatever the rate of refusals; none of them carries a token.
            assertEquals(2, logs.list.size(), () -> logs.list.toString());
            for (ILoggingEvent event : logs.list) {
                assertFalse(event.getFormattedMessage().contains(TOKEN), event.getFormattedMessage());
            }
        } finally {
            logger.detachAppender(logs);
        }
    }

    @Test
    void theServerNeedsAnEnabledSectionWithAToken() {
        IllegalArgumentException noToken = assertThrows(IllegalArgumentException.class,
                () -> server(new SignalsConfig.Push(true, "127.0.0.1", 0, Optional.empty()), delivered::add, VERSIONS));
        assertTrue(noToken.getMessage().contains("signals.push.token"), noToken.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> server(new SignalsConfig.Push(true, "127.0.0.1", 0, Optional.of(new Secret(" "))),
                        delivered::add, VERSIONS));
        IllegalArgumentException disabled = assertThrows(IllegalArgumentException.class,
                () -> server(new SignalsConfig.Push(false, "127.0.0.1", 0, Optional.of(new Secret(TOKEN))),
                        delivered::add, VERSIONS));
        assertTrue(disabled.getMessage().contains("disabled"), disabled.getMessage());
    }

    // ---- events to signals ----

    @Test
    void notMatchedAndRateLimitedTasksBecomeSyncMatchFailures() {
        Instant seen = NOW.minusSeconds(2);
        ReportResponse response = client(TOKEN).report(batch(
                event().setCount(7).setObservedAt(timestamp(seen)),
                event().setBuildId("b2").setTaskQueue("orders-act").setCount(4)
                        .setTaskQueueType(dev.wci.server.push.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)
                        .setSyncMatchOutcome(SyncMatchOutcome.SYNC_MATCH_OUTCOME_RATE_LIMITED)));

        assertAllAccepted(response, 2);
        assertEquals(List.of(
                new SyncMatchFailure(B1, "orders-tq", TaskQueueType.WORKFLOW, 7, 0, seen, Origin.PUSH),
                new SyncMatchFailure(B2, "orders-act", TaskQueueType.ACTIVITY, 0, 4, NOW, Origin.PUSH)), delivered);
        assertEquals(2.0, counter(PushMetrics.EVENTS, "result", "accepted", "reason", "none"));
        assertEquals(7.0, counter(PushMetrics.TASKS, "outcome", "not_matched"));
        assertEquals(4.0, counter(PushMetrics.TASKS, "outcome", "rate_limited"));
    }

    @Test
    void nexusQueuesAreSignalledToo() {
        client(TOKEN).report(batch(event()
                .setTaskQueueType(dev.wci.server.push.v1.TaskQueueType.TASK_QUEUE_TYPE_NEXUS)));

        assertEquals(TaskQueueType.NEXUS, delivered.get(0).type());
    }

    @Test
    void syncMatchSuccessIsCountedButRaisesNoSignal() {
        ReportResponse response = client(TOKEN).report(batch(
                event().setCount(5).setSyncMatchOutcome(SyncMatchOutcome.SYNC_MATCH_OUTCOME_SUCCESS)));

        assertAllAccepted(response, 1);
        assertTrue(delivered.isEmpty());
        assertEquals(5.0, counter(PushMetrics.TASKS, "outcome", "success"));
    }

    @Test
    void unpinnedTasksAreSplitBetweenTheVersionsThatReceiveThem() {
        ReportResponse response = client(TOKEN).report(batch(event().clearBuildId().setCount(20)));

        assertAllAccepted(response, 1);
        assertEquals(List.of(
                new SyncMatchFailure(B1, "orders-tq", TaskQueueType.WORKFLOW, 18, 0, NOW, Origin.PUSH),
                new SyncMatchFailure(B2, "orders-tq", TaskQueueType.WORKFLOW, 2, 0, NOW, Origin.PUSH)), delivered);
    }

    @Test
    void anUnpinnedShareOfZeroRaisesNoSignal() {
        client(TOKEN).report(batch(event().clearBuildId().setCount(5)
                .setSyncMatchOutcome(SyncMatchOutcome.SYNC_MATCH_OUTCOME_RATE_LIMITED)));

        assertEquals(List.of(new SyncMatchFailure(B1, "orders-tq", TaskQueueType.WORKFLOW, 0, 4, NOW, Origin.PUSH)),
                delivered);
    }

    @Test
    void observedAtSlightlyAheadIsClampedToNow() {
        client(TOKEN).report(batch(event().setObservedAt(timestamp(NOW.plusSeconds(20)))));

        assertEquals(NOW, delivered.get(0).observedAt());
    }

    @Test
    void observedAtAtTheAgeLimitIsKept() {
        Instant old = NOW.minus(TaskAddEventReader.MAX_AGE);
        client(TOKEN).report(batch(event().setObservedAt(timestamp(old))));

        assertEquals(old, delivered.get(0).observedAt());
    }

    // ---- rejections ----

    static Stream<Arguments> malformedEvents() {
        return Stream.of(
                bad("empty namespace", e -> e.clearNamespace(), Reason.REASON_MISSING_FIELD),
                bad("other namespace", e -> e.setNamespace("orders-staging"), Reason.REASON_NAMESPACE_MISMATCH),
                bad("huge namespace", e -> e.setNamespace("n".repeat(256)), Reason.REASON_FIELD_TOO_LONG),
                bad("empty deployment", e -> e.clearDeploymentName(), Reason.REASON_MISSING_FIELD),
                bad("blank deployment", e -> e.setDeploymentName("  "), Reason.REASON_MISSING_FIELD),
                bad("huge deployment", e -> e.setDeploymentName("d".repeat(256)), Reason.REASON_FIELD_TOO_LONG),
                bad("blank build id", e -> e.setBuildId(" "), Reason.REASON_MISSING_FIELD),
                bad("huge build id", e -> e.setBuildId("b".repeat(256)), Reason.REASON_FIELD_TOO_LONG),
                bad("empty task queue", e -> e.clearTaskQueue(), Reason.REASON_MISSING_FIELD),
                bad("huge task queue", e -> e.setTaskQueue("q".repeat(1001)), Reason.REASON_FIELD_TOO_LONG),
                bad("no queue type", e -> e.clearTaskQueueType(), Reason.REASON_INVALID_TASK_QUEUE_TYPE),
                bad("unknown queue type", e -> e.setTaskQueueTypeValue(9), Reason.REASON_INVALID_TASK_QUEUE_TYPE),
                bad("no outcome", e -> e.clearSyncMatchOutcome(), Reason.REASON_INVALID_OUTCOME),
                bad("unknown outcome", e -> e.setSyncMatchOutcomeValue(7), Reason.REASON_INVALID_OUTCOME),
                bad("zero count", e -> e.setCount(0), Reason.REASON_INVALID_COUNT),
                bad("negative count", e -> e.setCount(-5), Reason.REASON_INVALID_COUNT),
                bad("absurd count", e -> e.setCount(TaskAddEventReader.MAX_COUNT + 1), Reason.REASON_INVALID_COUNT),
                bad("negative nanos", e -> e.setObservedAt(Timestamp.newBuilder().setSeconds(NOW.getEpochSecond())
                        .setNanos(-1)), Reason.REASON_INVALID_OBSERVED_AT),
                bad("year 10000", e -> e.setObservedAt(Timestamp.newBuilder().setSeconds(253_402_300_800L)),
                        Reason.REASON_INVALID_OBSERVED_AT),
                bad("31 s ahead", e -> e.setObservedAt(timestamp(NOW.plusSeconds(31))),
                        Reason.REASON_INVALID_OBSERVED_AT),
                bad("stale", e -> e.setObservedAt(timestamp(NOW.minus(TaskAddEventReader.MAX_AGE).minusSeconds(1))),
                        Reason.REASON_STALE),
                bad("epoch", e -> e.setObservedAt(Timestamp.getDefaultInstance()), Reason.REASON_STALE),
                bad("unmanaged version", e -> e.setBuildId("b9"), Reason.REASON_UNKNOWN_VERSION),
                bad("unmanaged deployment", e -> e.setDeploymentName("billing").setBuildId("b1"),
                        Reason.REASON_UNKNOWN_VERSION),
                bad("unpinned, nobody receives", e -> e.setDeploymentName("billing").clearBuildId(),
                        Reason.REASON_NO_UNPINNED_VERSION),
                bad("unpinned, unknown deployment", e -> e.setDeploymentName("nope").clearBuildId(),
                        Reason.REASON_NO_UNPINNED_VERSION));
    }

    private static Arguments bad(String name, UnaryOperator<TaskAddEvent.Builder> change, Reason reason) {
        return Arguments.of(name, change, reason);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedEvents")
    void aBadEventIsRejectedWithItsReasonAndTheGoodOnesStillCount(String name,
                                                                  UnaryOperator<TaskAddEvent.Builder> change,
                                                                  Reason reason) {
        ReportResponse response = client(TOKEN).report(batch(event().setCount(2), change.apply(event()),
                event().setCount(3)));

        assertEquals(3, response.getResultsCount());
        EventResult rejected = response.getResults(1);
        assertEquals(EventResult.Status.STATUS_REJECTED, rejected.getStatus());
        assertEquals(reason, rejected.getReason(), rejected.getDetail());
        assertFalse(rejected.getDetail().isBlank());
        assertEquals(EventResult.Status.STATUS_ACCEPTED, response.getResults(0).getStatus());
        assertEquals(EventResult.Status.STATUS_ACCEPTED, response.getResults(2).getStatus());
        assertEquals(List.of(2L, 3L), delivered.stream().map(s -> ((SyncMatchFailure) s).notMatchedCount()).toList());
        assertEquals(1.0, counter(PushMetrics.EVENTS, "result", "rejected", "reason", PushMetrics.reasonTag(reason)));
        assertEquals(2.0, counter(PushMetrics.EVENTS, "result", "accepted", "reason", "none"));
        assertEquals(1.0, counter(PushMetrics.REQUESTS, "code", "OK"));
    }

    @Test
    void detailsNameTheFieldAndWhatWasFound() {
        ReportResponse response = client(TOKEN).report(batch(
                event().setNamespace("orders-staging"),
                event().setCount(-5),
                event().setTaskQueueTypeValue(9),
                event().setBuildId("b9")));

        assertEquals("namespace 'orders-staging' is not 'orders-prod', the namespace this WCI serves",
                response.getResults(0).getDetail());
        assertEquals("count must be 1 to 1000000000, found -5", response.getResults(1).getDetail());
        assertEquals("task_queue_type must be WORKFLOW, ACTIVITY or NEXUS, found unknown value 9",
                response.getResults(2).getDetail());
        assertEquals("version 'orders:b9' is not managed by this WCI", response.getResults(3).getDetail());
    }

    // ---- failures inside WCI ----

    @Test
    void aThrowingSinkFailsOnlyItsEventsAndTheServerKeepsServing() {
        SignalSink sink = signal -> {
            if (signal.version().equals(B2)) {
                throw new IllegalStateException("scaler queue full");
            }
            delivered.add(signal);
        };
        connect(sink, VERSIONS);

        ReportResponse first = client(TOKEN).report(batch(event(), event().setBuildId("b2"), event().setCount(4)));
        ReportResponse second = client(TOKEN).report(batch(event().setCount(5)));

        assertEquals(List.of(EventResult.Status.STATUS_ACCEPTED, EventResult.Status.STATUS_INTERNAL,
                EventResult.Status.STATUS_ACCEPTED),
                        first.getResultsList().stream().map(EventResult::getStatus).toList());
        assertEquals(Reason.REASON_INTERNAL, first.getResults(1).getReason());
        assertEquals(EventResult.Status.STATUS_ACCEPTED, second.getResults(0).getStatus());
        assertEquals(3, delivered.size());
        assertEquals(1.0, counter(PushMetrics.EVENTS, "result", "failed", "reason", "internal"));
        assertEquals(3.0, counter(PushMetrics.EVENTS, "result", "accepted", "reason", "none"));
        assertEquals(2.0, counter(PushMetrics.REQUESTS, "code", "OK"));
    }

    @Test
    void aThrowingVersionLookupFailsTheEventNotTheCall() {
        VersionLookup broken = new VersionLookup() {
            @Override
            public boolean isManaged(DeploymentVersion version) {
                throw new IllegalStateException("registry not loaded");
            }

            @Override
            public Map<DeploymentVersion, Long> attributeUnpinned(String deploymentName, long count) {
                return VERSIONS.attributeUnpinned(deploymentName, count);
            }
        };
        connect(delivered::add, broken);

        ReportResponse response = client(TOKEN).report(batch(event(), event().clearBuildId()));

        assertEquals(EventResult.Status.STATUS_INTERNAL, response.getResults(0).getStatus());
        assertEquals(EventResult.Status.STATUS_ACCEPTED, response.getResults(1).getStatus());
        assertEquals(1.0, counter(PushMetrics.EVENTS, "result", "failed", "reason", "internal"));
    }

    // ---- whole-request errors ----

    // ---- task queues ----

    @Test
    void aFloodOfUnlistedTaskQueuesIsRefusedAndCountedWhileListedOnesStillScale() {
        int names = 30_000;
        int batches = names / PushReportHandler.MAX_EVENTS;
        for (int b = 0; b < batches; b++) {
            int first = b * PushReportHandler.MAX_EVENTS;
            ReportResponse response = client(TOKEN).report(batch(IntStream.range(first, first
                    + PushReportHandler.MAX_EVENTS).mapToObj(i -> event().setTaskQueue("flood-" + i))
                    .toArray(TaskAddEvent.Builder[]::new)));
            for (int i = 0; i < response.getResultsCount(); i++) {
                EventResult r = response.getResults(i);
                if (first + i < TaskQueueGate.MAX_UNLISTED_PER_VERSION) {
                    assertEquals(EventResult.Status.STATUS_ACCEPTED, r.getStatus(), r.getDetail());
                } else {
                    assertEquals(Reason.REASON_UNKNOWN_TASK_QUEUE, r.getReason(), r.getDetail());
                }
            }
        }

        // The scaler learns task queues only from signals: the flood reached it with the allowance, no more.
        Set<String> queuesSignalled = new HashSet<>();
        delivered.forEach(s -> queuesSignalled.add(((SyncMatchFailure) s).taskQueue()));
        assertEquals(TaskQueueGate.MAX_UNLISTED_PER_VERSION, queuesSignalled.size());
        assertEquals(names - TaskQueueGate.MAX_UNLISTED_PER_VERSION,
                counter(PushMetrics.EVENTS, "result", "rejected", "reason", "unknown_task_queue"));

        delivered.clear();
        assertAllAccepted(client(TOKEN).report(batch(event())), 1);
        assertEquals(List.of(new SyncMatchFailure(B1, "orders-tq", TaskQueueType.WORKFLOW, 3, 0, NOW, Origin.PUSH)),
                delivered);
    }

    @Test
    void aRefusedTaskQueueIsNamedWithTheVersionAndTheType() {
        for (int i = 0; i < TaskQueueGate.MAX_UNLISTED_PER_VERSION; i++) {
            client(TOKEN).report(batch(event().setTaskQueue("new-" + i)));
        }

        EventResult r = client(TOKEN).report(batch(event().setTaskQueue("one-too-many"))).getResults(0);

        assertEquals(EventResult.Status.STATUS_REJECTED, r.getStatus());
        assertEquals("task queue 'one-too-many' (WORKFLOW) is not listed by Temporal for version 'orders:b1', and 16"
                + " unlisted task queues are already admitted there", r.getDetail());
    }

    @Test
    void theTaskQueueTypeMustBeListedToo() {
        for (int i = 0; i < TaskQueueGate.MAX_UNLISTED_PER_VERSION; i++) {
            client(TOKEN).report(batch(event().setTaskQueue("new-" + i)));
        }

        EventResult r = client(TOKEN).report(batch(event().setTaskQueue("orders-act"))).getResults(0);

        assertEquals(Reason.REASON_UNKNOWN_TASK_QUEUE, r.getReason(), "orders-act is listed as an activity queue only");
    }

    @Test
    void anUnpinnedShareGoesOnlyToTheVersionsThatListTheQueue() {
        ListedTaskQueues onlyB2 = (v, q) -> v.equals(B2) && QUEUES.contains(q);
        PushSignalServer push = new PushSignalServer(new SignalsConfig.Push(true, "127.0.0.1", 0,
                Optional.of(new Secret(TOKEN))), NAMESPACE, VERSIONS, onlyB2, delivered::add, meters, clock);
        connect(push);
        for (int i = 0; i < TaskQueueGate.MAX_UNLISTED_PER_VERSION; i++) {
            client(TOKEN).report(batch(event().setTaskQueue("new-" + i)));
        }
        delivered.clear();

        assertAllAccepted(client(TOKEN).report(batch(event().clearBuildId().setCount(10))), 1);

        assertEquals(List.of(new SyncMatchFailure(B2, "orders-tq", TaskQueueType.WORKFLOW, 1, 0, NOW, Origin.PUSH)),
                delivered);
    }

    @Test
    void aFullBatchIsServed() {
        ReportResponse response = client(TOKEN).report(batch(
                IntStream.range(0,
                        PushReportHandler.MAX_EVENTS).mapToObj(i -> event()).toArray(TaskAddEvent.Builder[]::new)));

        assertAllAccepted(response, PushReportHandler.MAX_EVENTS);
    }

    @Test
    void aBatchOverTheLimitIsInvalid() {
        TaskAddEvent.Builder[] events = IntStream.range(0, PushReportHandler.MAX_EVENTS + 1)
                .mapToObj(i -> event()).toArray(TaskAddEvent.Builder[]::new);

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> client(TOKEN).report(batch(events)));

        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("the request has 1001 events, at most 1000 are accepted per call; split the batch",
                e.getStatus().getDescription());
        assertTrue(delivered.isEmpty());
        assertEquals(1.0, counter(PushMetrics.REQUESTS, "code", "INVALID_ARGUMENT"));
    }

    @Test
    void anEmptyBatchIsInvalid() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> client(TOKEN).report(ReportRequest.getDefaultInstance()));

        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("the request has no events", e.getStatus().getDescription());
    }

    @Test
    void bytesThatAreNoReportRequestAreInvalidAndCounted() {
        connect(delivered::add, VERSIONS);
        MethodDescriptor<byte[],
                byte[]> raw = SignalPushGrpc.getReportMethod().toBuilder(PushReportHandler.RawBytes.INSTANCE,
                PushReportHandler.RawBytes.INSTANCE)
                .build();
        byte[] garbage = {0x0A, (byte) 0xFF, 0x01};
        Metadata headers = authorization("Bearer " + TOKEN);

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
                io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers)),
                raw, CallOptions.DEFAULT, garbage));

        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith("the request is not a wci.push.v1.ReportRequest"),
                e.getStatus().getDescription());
        assertEquals(1.0, counter(PushMetrics.REQUESTS, "code", "INVALID_ARGUMENT"));
    }

    // ---- helpers ----

    private static void assertAllAccepted(ReportResponse response, int n) {
        assertEquals(n, response.getResultsCount());
        for (EventResult r : response.getResultsList()) {
            assertEquals(EventResult.Status.STATUS_ACCEPTED, r.getStatus(), r.getDetail());
        }
    }

    private static ReportRequest batch(TaskAddEvent.Builder... events) {
        ReportRequest.Builder b = ReportRequest.newBuilder();
        for (TaskAddEvent.Builder e : events) {
            b.addEvents(e);
        }
        return b.build();
    }

    private PushSignalServer server(SignalsConfig.Push config, SignalSink sink, VersionLookup versions) {
        return new PushSignalServer(config, NAMESPACE, versions, LISTED, sink, meters, clock);
    }

    private void connect(SignalSink sink, VersionLookup versions) {
        connect(server(new SignalsConfig.Push(true, "127.0.0.1", 0, Optional.of(new Secret(TOKEN))), sink, versions));
    }

    private void connect(PushSignalServer push) {
        String name = InProcessServerBuilder.generateName();
        try {
            server = InProcessServerBuilder.forName(name).directExecutor().addService(push.service()).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    /** A stub on the in-process server (connecting with the default sink and versions if not yet connected). */
    private SignalPushGrpc.SignalPushBlockingStub client(String token) {
        if (channel == null) {
            connect(delivered::add, VERSIONS);
        }
        SignalPushGrpc.SignalPushBlockingStub stub = SignalPushGrpc.newBlockingStub(channel);
        return token == null ? stub
                : stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(authorization("Bearer " + token)));
    }

    private static Metadata authorization(String value) {
        Metadata md = new Metadata();
        md.put(BearerTokenInterceptor.AUTHORIZATION, value);
        return md;
    }

    private double counter(String name, String... tags) {
        Counter c = meters.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }
}
