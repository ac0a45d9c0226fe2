package dev.wci.lambda.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.temporal.api.enums.v1.DescribeTaskQueueMode;
import io.temporal.api.enums.v1.TaskQueueType;
import io.temporal.api.taskqueue.v1.TaskQueueStats;
import io.temporal.api.taskqueue.v1.TaskQueueTypeInfo;
import io.temporal.api.taskqueue.v1.TaskQueueVersionInfo;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueResponse;
import io.temporal.common.WorkerDeploymentVersion;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The backlog check against a fake frontend over in-process gRPC, answering as the 1.32 dev server does
 * (per-version stats keyed {@code deployment:buildId}), or failing.
 */
@SuppressWarnings("deprecation") // the enhanced-mode fields the check uses
class TaskQueueBacklogCheckTest {

    private static final Set<TaskActivity.Kind> POLLED = Set.of(TaskActivity.Kind.WORKFLOW,
            TaskActivity.Kind.ACTIVITY);
    private FakeFrontend frontend;
    private WorkflowServiceStubs stubs;
    private TaskQueueBacklogCheck check;

    @BeforeEach
    void start() throws Exception {
        frontend = new FakeFrontend();
        stubs = frontend.stubs(List.of());
        check = new TaskQueueBacklogCheck(stubs, "ns", "orders", new WorkerDeploymentVersion("orders", "b7"));
    }

    @AfterEach
    void close() {
        stubs.shutdownNow();
        frontend.close();
    }

    private static TaskQueueTypeInfo backlog(long n) {
        return TaskQueueTypeInfo.newBuilder()
                .setStats(TaskQueueStats.newBuilder().setApproximateBacklogCount(n)).build();
    }

    @Test
    void asksOnceForItsVersionAndTheTypesItPollsAndSumsTheBacklog() {
        frontend.describe = r -> DescribeTaskQueueResponse.newBuilder()
                .putVersionsInfo("orders:b7", TaskQueueVersionInfo.newBuilder()
                        .putTypesInfo(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW_VALUE, backlog(4))
                        .putTypesInfo(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY_VALUE, backlog(3)).build())
                .build();
        Backlog b = check.check(POLLED, Duration.ofSeconds(2));
        assertEquals(Backlog.of(7), b);
        assertEquals(1, frontend.describes.size());
        DescribeTaskQueueRequest r = frontend.describes.peek();
        assertEquals("ns", r.getNamespace());
        assertEquals("orders", r.getTaskQueue().getName());
        assertEquals(DescribeTaskQueueMode.DESCRIBE_TASK_QUEUE_MODE_ENHANCED, r.getApiMode());
        assertEquals(List.of("orders:b7"), r.getVersions().getBuildIdsList());
        assertEquals(Set.of(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
                Set.copyOf(r.getTaskQueueTypesList()));
        assertTrue(r.getReportStats());
    }

    @Test
    void anEmptyBacklogIsNoTasksWaiting() {
        frontend.describe = r -> DescribeTaskQueueResponse.newBuilder()
                .putVersionsInfo("orders:b7", TaskQueueVersionInfo.newBuilder()
                        .putTypesInfo(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW_VALUE, backlog(0)).build())
                .build();
        Backlog b = check.check(Set.of(TaskActivity.Kind.WORKFLOW), Duration.ofSeconds(2));
        assertEquals(0, b.tasks());
        assertNull(b.failure());
    }

    @Test
    void aRejectedCallIsAFailureNamingTheStatus() {
        frontend.describe = r -> {
            throw Status.RESOURCE_EXHAUSTED.withDescription("namespace rate limit exceeded").asRuntimeException();
        };
        Backlog b = check.check(POLLED, Duration.ofSeconds(2));
        assertEquals("RESOURCE_EXHAUSTED: namespace rate limit exceeded", b.failure());
        assertEquals(false, b.tasksWaiting());
    }

    @Test
    void aServerThatDoesNotAnswerInTimeIsAFailure() {
        frontend.describe = r -> null;
        Backlog b = check.check(POLLED, Duration.ofMillis(200));
        assertTrue(b.failure().startsWith("DEADLINE_EXCEEDED"), b.failure());
    }

    @Test
    void noStatsForTheVersionIsAFailureNotAnEmptyBacklog() {
        frontend.describe = r -> DescribeTaskQueueResponse.getDefaultInstance();
        Backlog b = check.check(POLLED, Duration.ofSeconds(2));
        assertEquals("the server reported no stats for version orders:b7", b.failure());
    }

    @Test
    void nothingPolledYetIsNotACall() {
        Backlog b = check.check(Set.of(), Duration.ofSeconds(2));
        assertEquals("no task queue polled yet", b.failure());
        assertEquals(0, frontend.describes.size());
    }
}
