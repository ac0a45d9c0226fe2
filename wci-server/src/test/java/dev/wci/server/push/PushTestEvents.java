package dev.wci.server.push;

import com.google.protobuf.Timestamp;
import dev.wci.server.push.v1.SyncMatchOutcome;
import dev.wci.server.push.v1.TaskAddEvent;
import dev.wci.server.push.v1.TaskQueueType;
import java.time.Instant;

/** Event builders shared by the push tests. */
final class PushTestEvents {

    static final String NAMESPACE = "orders-prod";
    static final String TOKEN = "s3cr3t-push-token-0123456789";

    private PushTestEvents() {
    }

    /** A valid NOT_MATCHED event of 3 tasks for orders:b1's workflow queue, without observed_at. */
    static TaskAddEvent.Builder event() {
        return TaskAddEvent.newBuilder()
                .setNamespace(NAMESPACE)
                .setDeploymentName("orders")
                .setBuildId("b1")
                .setTaskQueue("orders-tq")
                .setTaskQueueType(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW)
                .setSyncMatchOutcome(SyncMatchOutcome.SYNC_MATCH_OUTCOME_NOT_MATCHED)
                .setCount(3);
    }

    static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }
}
