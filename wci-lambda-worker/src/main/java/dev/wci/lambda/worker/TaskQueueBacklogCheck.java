package dev.wci.lambda.worker;

import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.DescribeTaskQueueMode;
import io.temporal.api.enums.v1.TaskQueueType;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.taskqueue.v1.TaskQueueTypeInfo;
import io.temporal.api.taskqueue.v1.TaskQueueVersionInfo;
import io.temporal.api.taskqueue.v1.TaskQueueVersionSelection;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueResponse;
import io.temporal.common.WorkerDeploymentVersion;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The backlog of one Worker Deployment Version on one task queue, from one {@code DescribeTaskQueue} call with
 * stats for the version and the polled types. The call uses the (deprecated) enhanced mode because it is the one
 * form of {@code DescribeTaskQueue} that reports a single version's backlog: the default mode reports the whole
 * queue's, all versions together. The version is selected as {@code deployment:buildId}, the form the 1.32 server
 * reports it under. A server without that mode answers an error or no stats for the version: the check then
 * fails and the worker exits idle as it would without the check.
 */
final class TaskQueueBacklogCheck implements BacklogCheck {

    private final WorkflowServiceStubs stubs;
    private final String namespace;
    private final String taskQueue;
    private final String version;

    TaskQueueBacklogCheck(WorkflowServiceStubs stubs, String namespace, String taskQueue,
                          WorkerDeploymentVersion version) {
        this.stubs = stubs;
        this.namespace = namespace;
        this.taskQueue = taskQueue;
        this.version = version.getDeploymentName() + ":" + version.getBuildId();
    }

    @Override
    @SuppressWarnings("deprecation") // api_mode, versions and task_queue_types: see the type description
    public Backlog check(Set<TaskActivity.Kind> polled, Duration timeout) {
        DescribeTaskQueueRequest.Builder request = DescribeTaskQueueRequest.newBuilder()
                .setNamespace(namespace)
                .setTaskQueue(TaskQueue.newBuilder().setName(taskQueue))
                .setApiMode(DescribeTaskQueueMode.DESCRIBE_TASK_QUEUE_MODE_ENHANCED)
                .setVersions(TaskQueueVersionSelection.newBuilder().addBuildIds(version))
                .setReportStats(true);
        for (TaskActivity.Kind kind : polled) {
            TaskQueueType type = type(kind);
            if (type != null) {
                request.addTaskQueueTypes(type);
            }
        }
        if (request.getTaskQueueTypesCount() == 0) {
            return Backlog.failed("no task queue polled yet");
        }
        DescribeTaskQueueResponse response;
        try {
            response = stubs.blockingStub()
                    .withDeadlineAfter(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)
                    .describeTaskQueue(request.build());
        } catch (StatusRuntimeException e) {
            return Backlog.failed(e.getStatus().getCode() + (e.getStatus().getDescription() == null ? ""
                    : ": " + e.getStatus().getDescription()));
        } catch (RuntimeException e) {
            // Whatever else the client throws, the worker exits idle as it would without the check.
            return Backlog.failed(e.toString());
        }
        if (response.getVersionsInfoCount() == 0) {
            return Backlog.failed("the server reported no stats for version " + version);
        }
        // Only this version was selected; summing all entries does not depend on the key's spelling.
        long tasks = 0;
        for (TaskQueueVersionInfo info : response.getVersionsInfoMap().values()) {
            for (TaskQueueTypeInfo typeInfo : info.getTypesInfoMap().values()) {
                tasks += Math.max(0, typeInfo.getStats().getApproximateBacklogCount());
            }
        }
        return Backlog.of(tasks);
    }

    private static TaskQueueType type(TaskActivity.Kind kind) {
        return switch (kind) {
            case WORKFLOW -> TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW;
            case ACTIVITY -> TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY;
            case NEXUS -> TaskQueueType.TASK_QUEUE_TYPE_NEXUS;
            case LOCAL_ACTIVITY -> null;
        };
    }
}
