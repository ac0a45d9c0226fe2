package dev.wci.dev.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.local.lambda.ExecutionMode;
import dev.wci.lambda.worker.it.DevServerExtension;
import dev.wci.server.prometheus.PrometheusServer;
import dev.wci.server.push.v1.EventResult;
import dev.wci.server.push.v1.ReportRequest;
import dev.wci.server.push.v1.ReportResponse;
import dev.wci.server.push.v1.SignalPushGrpc;
import dev.wci.server.push.v1.SyncMatchOutcome;
import dev.wci.server.push.v1.TaskAddEvent;
import dev.wci.server.push.v1.TaskQueueType;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue #5, e2e 3: with the stats source off, task-add events pushed over gRPC make WCI invoke the version's
 * Lambda workers; bad events are rejected with a reason and counted; a wrong token is refused. Issue #14: both raise
 * their alerts in a real Prometheus.
 */
@ExtendWith(DevServerExtension.class)
class PushSourceIT {

    static final String TOKEN = "e2e-push-token-0123456789abcdef";

    @Test
    void pushedFailuresInvokeAndBadEventsAreRejectedAndCounted(DevServerExtension.DevServer server) throws Exception {
        String signals = """
                signals:
                  temporalStats:
                    enabled: false
                  push:
                    enabled: true
                    listen: 127.0.0.1:0
                    token: %s
                """.formatted(TOKEN);
        try (WciTestBed bed = new WciTestBed(server, 1, ExecutionMode.PROCESS, signals, "")) {
            PrometheusServer prometheus = bed.startPrometheus();
            await().atMost(Duration.ofSeconds(60)).until(() -> bed.invocations(1).size() >= 1);
            // The push source accepts events for versions Temporal lists as managed: wait for the bootstrap poll.
            await().atMost(Duration.ofSeconds(60)).until(() -> "MANAGED".equals(
                    bed.status().at("/deployments/0/versions/0/management").asText()));
            await().atMost(Duration.ofSeconds(60)).until(() -> bed.runtime.inFlight() == 0
                    && bed.wci.scaler().live(new dev.wci.core.version.DeploymentVersion(bed.deployment, "v1")) == 0);
            int before = bed.invocations(1).size();

            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", bed.wci.pushPort()).usePlaintext()
                    .build();
            try {
                SignalPushGrpc.SignalPushBlockingStub push = SignalPushGrpc.newBlockingStub(channel)
                        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(TOKEN)));
                ReportResponse response = push.report(ReportRequest.newBuilder()
                        .addEvents(event(bed, "v1").setCount(3))
                        .addEvents(event(bed, "v9").setCount(1))
                        .addEvents(event(bed, "v1").setCount(0))
                        .build());
                assertEquals(EventResult.Status.STATUS_ACCEPTED, response.getResults(0).getStatus());
                assertEquals(EventResult.Reason.REASON_UNKNOWN_VERSION, response.getResults(1).getReason());
                assertEquals(EventResult.Reason.REASON_INVALID_COUNT, response.getResults(2).getReason());

                await().atMost(Duration.ofSeconds(60)).until(() -> bed.invocations(1).size() > before);
                assertEquals("SCALE_FROM_ZERO", bed.status().at("/recentDecisions/0/reason").asText());
                assertTrue(bed.metric("wci_signals_total", "source=\"push\"") >= 1);
                assertEquals(2, bed.metric("wci_push_events_total", "result=\"rejected\""), 0.0);

                SignalPushGrpc.SignalPushBlockingStub wrong = SignalPushGrpc.newBlockingStub(channel)
                        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer("not-the-token-at-all-0000")));
                StatusRuntimeException denied = assertThrows(StatusRuntimeException.class,
                        () -> wrong.report(ReportRequest.newBuilder().addEvents(event(bed, "v1")).build()));
                assertEquals(Status.Code.UNAUTHENTICATED, denied.getStatus().getCode());

                // One rejected event and one refused call are enough to raise their alerts in Prometheus.
                FaultsIT.awaitAlert(prometheus, "WciPushEventsRejected", FaultsIT.FIRING,
                        Map.of("result", "rejected", "reason", "invalid_count"));
                FaultsIT.awaitAlert(prometheus, "WciPushAuthFailures", FaultsIT.FIRING, Map.of("reason", "wrong"));
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    static TaskAddEvent.Builder event(WciTestBed bed, String buildId) {
        return TaskAddEvent.newBuilder().setNamespace(bed.namespace).setDeploymentName(bed.deployment)
                .setBuildId(buildId).setTaskQueue(bed.taskQueue).setTaskQueueType(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW)
                .setSyncMatchOutcome(SyncMatchOutcome.SYNC_MATCH_OUTCOME_NOT_MATCHED).setCount(1);
    }

    static Metadata bearer(String token) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return m;
    }
}
