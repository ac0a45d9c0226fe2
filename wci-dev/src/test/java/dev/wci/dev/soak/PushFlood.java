package dev.wci.dev.soak;

import dev.wci.server.push.v1.EventResult;
import dev.wci.server.push.v1.ReportRequest;
import dev.wci.server.push.v1.ReportResponse;
import dev.wci.server.push.v1.SignalPushGrpc;
import dev.wci.server.push.v1.SyncMatchOutcome;
import dev.wci.server.push.v1.TaskAddEvent;
import dev.wci.server.push.v1.TaskQueueType;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A push producer that floods WCI: every {@link #PERIOD_MILLIS} a batch of {@link #BATCH} events, almost all of them
 * for task-queue names never seen before (and some for versions WCI does not manage), with
 * {@link #VALID_PER_BATCH} valid sync-match failures of the soak's task queue among them. Counts what WCI accepted
 * and refused. One thread, one channel, a 2 s deadline per call.
 */
final class PushFlood implements AutoCloseable {

    static final int BATCH = 1000;
    static final int VALID_PER_BATCH = 10;
    static final int UNKNOWN_VERSION_PER_BATCH = 90;
    static final long PERIOD_MILLIS = 200;

    final AtomicLong accepted = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong failedCalls = new AtomicLong();
    private final ManagedChannel channel;
    private final SignalPushGrpc.SignalPushBlockingStub stub;
    private final String namespace;
    private final String deployment;
    private final String buildId;
    private final String taskQueue;
    private final Thread thread;
    private volatile boolean stopped;
    private long names;

    PushFlood(int port, String token, String namespace, String deployment, String buildId, String taskQueue) {
        this.namespace = namespace;
        this.deployment = deployment;
        this.buildId = buildId;
        this.taskQueue = taskQueue;
        channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        Metadata bearer = new Metadata();
        bearer.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        stub = SignalPushGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer));
        thread = new Thread(this::run, "soak-push-flood");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (!stopped) {
            ReportRequest.Builder batch = ReportRequest.newBuilder();
            for (int i = 0; i < BATCH; i++) {
                TaskAddEvent.Builder e = TaskAddEvent.newBuilder().setNamespace(namespace).setDeploymentName(deployment)
                        .setTaskQueueType(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW)
                        .setSyncMatchOutcome(SyncMatchOutcome.SYNC_MATCH_OUTCOME_NOT_MATCHED).setCount(1);
                if (i < VALID_PER_BATCH) {
                    e.setBuildId(buildId).setTaskQueue(taskQueue).setCount(5);
                } else if (i < VALID_PER_BATCH + UNKNOWN_VERSION_PER_BATCH) {
                    e.setBuildId("gone-" + (names++)).setTaskQueue(taskQueue);
                } else {
                    e.setBuildId(buildId).setTaskQueue("flood-" + (names++));
                }
                batch.addEvents(e);
            }
            try {
                ReportResponse response = stub.withDeadlineAfter(2, TimeUnit.SECONDS).report(batch.build());
                for (EventResult r : response.getResultsList()) {
                    (r.getStatus() == EventResult.Status.STATUS_ACCEPTED ? accepted : refused).incrementAndGet();
                }
            } catch (StatusRuntimeException e) {
                failedCalls.incrementAndGet();
            }
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.interrupt();
        thread.join(5_000);
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
