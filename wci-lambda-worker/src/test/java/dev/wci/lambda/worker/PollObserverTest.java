package dev.wci.lambda.worker;

import dev.wci.core.testing.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.PollActivityTaskQueueRequest;
import io.temporal.api.workflowservice.v1.PollActivityTaskQueueResponse;
import io.temporal.api.workflowservice.v1.PollWorkflowTaskQueueRequest;
import io.temporal.api.workflowservice.v1.PollWorkflowTaskQueueResponse;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The poll observer on a real gRPC call path (in-process): what it reports to the activity. */
class PollObserverTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final TestClock clock = new TestClock(T0);
    private final TaskActivity activity = new TaskActivity(clock);
    private FakeFrontend frontend;
    private WorkflowServiceStubs stubs;

    private WorkflowServiceStubs stubs() throws Exception {
        frontend = new FakeFrontend();
        stubs = frontend.stubs(List.of(new PollObserver(activity)));
        return stubs;
    }

    @AfterEach
    void close() {
        if (stubs != null) {
            stubs.shutdownNow();
        }
        if (frontend != null) {
            frontend.close();
        }
    }

    private void at(long seconds) {
        clock.advance(Duration.between(clock.instant(), T0.plusSeconds(seconds)));
    }

    private static PollWorkflowTaskQueueRequest workflowPoll() {
        return PollWorkflowTaskQueueRequest.newBuilder().setNamespace("default")
                .setTaskQueue(TaskQueue.newBuilder().setName("q")).build();
    }

    @Test
    void theFirstPollOfEachKindRestartsTheIdleClockAndIsRemembered() throws Exception {
        WorkflowServiceStubs s = stubs();
        activity.pollingStarted();
        at(2);
        s.blockingStub().pollWorkflowTaskQueue(workflowPoll());
        assertEquals(T0.plusSeconds(2), activity.snapshot().idleSince());
        at(4);
        s.blockingStub().pollWorkflowTaskQueue(workflowPoll());
        assertEquals(T0.plusSeconds(2), activity.snapshot().idleSince(), "an empty poll response is no task");
        at(5);
        s.blockingStub().pollActivityTaskQueue(PollActivityTaskQueueRequest.newBuilder().setNamespace("default")
                .setTaskQueue(TaskQueue.newBuilder().setName("q")).build());
        assertEquals(T0.plusSeconds(5), activity.snapshot().idleSince());
        assertEquals(Set.of(TaskActivity.Kind.WORKFLOW, TaskActivity.Kind.ACTIVITY), activity.snapshot().polled());
    }

    @Test
    void aPollResponseWithATaskRestartsTheIdleClockWhenItArrives() throws Exception {
        WorkflowServiceStubs s = stubs();
        activity.pollingStarted();
        s.blockingStub().pollWorkflowTaskQueue(workflowPoll());
        frontend.workflowPoll = PollWorkflowTaskQueueResponse.newBuilder()
                .setTaskToken(ByteString.copyFromUtf8("token")).build();
        at(3);
        s.blockingStub().pollWorkflowTaskQueue(workflowPoll());
        assertEquals(T0.plusSeconds(3), activity.snapshot().idleSince());
        frontend.activityPoll = PollActivityTaskQueueResponse.newBuilder()
                .setTaskToken(ByteString.copyFromUtf8("token")).build();
        s.blockingStub().pollActivityTaskQueue(PollActivityTaskQueueRequest.newBuilder().setNamespace("default")
                .setTaskQueue(TaskQueue.newBuilder().setName("q")).build());
        at(7);
        s.blockingStub().pollActivityTaskQueue(PollActivityTaskQueueRequest.newBuilder().setNamespace("default")
                .setTaskQueue(TaskQueue.newBuilder().setName("q")).build());
        assertEquals(T0.plusSeconds(7), activity.snapshot().idleSince());
        assertEquals(0, activity.snapshot().total(), "tasks are counted when they run, through the slots");
    }

    @Test
    void aPollThatCannotReachTheServerIsNotIdleness() throws Exception {
        WorkflowServiceStubs s = stubs();
        activity.pollingStarted();
        s.blockingStub().pollWorkflowTaskQueue(workflowPoll());
        frontend.workflowPollFailure = Status.UNAVAILABLE.withDescription("connection refused");
        at(4);
        assertThrows(StatusRuntimeException.class, () -> s.blockingStub().pollWorkflowTaskQueue(workflowPoll()));
        assertEquals(T0.plusSeconds(4), activity.snapshot().idleSince(), "the outage restarts the idle clock");
        // Other failures (a bad request, say) are not an outage.
        frontend.workflowPollFailure = Status.INVALID_ARGUMENT;
        at(6);
        assertThrows(StatusRuntimeException.class, () -> s.blockingStub().pollWorkflowTaskQueue(workflowPoll()));
        assertEquals(T0.plusSeconds(4), activity.snapshot().idleSince());
    }

    @Test
    void otherCallsAreNotPolls() throws Exception {
        WorkflowServiceStubs s = stubs();
        activity.pollingStarted();
        at(9);
        s.blockingStub().getSystemInfo(io.temporal.api.workflowservice.v1.GetSystemInfoRequest.getDefaultInstance());
        assertEquals(T0, activity.snapshot().idleSince());
        assertEquals(Set.of(), activity.snapshot().polled());
    }
}
