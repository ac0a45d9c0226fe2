package dev.wci.lambda.worker;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.temporal.api.workflowservice.v1.PollActivityTaskQueueResponse;
import io.temporal.api.workflowservice.v1.PollNexusTaskQueueResponse;
import io.temporal.api.workflowservice.v1.PollWorkflowTaskQueueResponse;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;

/**
 * Watches the worker's poll calls on its gRPC channel: when a poll request goes out and when a poll response
 * carries a task (a non-empty task token). A task is so seen the moment it arrives, not only when the SDK
 * later takes a slot for it; an empty response (a long poll that timed out or was completed at shutdown) is
 * not activity. A poll that fails {@code UNAVAILABLE} (the server is down or restarting) restarts the idle clock
 * too: idleness means the server answered and had nothing, not that it could not be reached; so a worker
 * outlives a Temporal restart (up to its deadline) and serves the backlog the moment the server is back, instead of
 * exiting during the outage and leaving the backlog to a replacement one cold start later.
 */
final class PollObserver implements ClientInterceptor {

    private final TaskActivity activity;

    PollObserver(TaskActivity activity) {
        this.activity = activity;
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        TaskActivity.Kind kind = pollKind(method);
        ClientCall<Q, R> call = next.newCall(method, options);
        if (kind == null) {
            return call;
        }
        return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                activity.pollSent(kind);
                super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                    @Override
                    public void onMessage(R message) {
                        if (carriesTask(message)) {
                            activity.taskArrived();
                        }
                        super.onMessage(message);
                    }

                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        if (status.getCode() == Status.Code.UNAVAILABLE) {
                            activity.serverUnreachable();
                        }
                        super.onClose(status, trailers);
                    }
                }, headers);
            }
        };
    }

    private static TaskActivity.Kind pollKind(MethodDescriptor<?, ?> method) {
        String name = method.getFullMethodName();
        if (name.equals(WorkflowServiceGrpc.getPollWorkflowTaskQueueMethod().getFullMethodName())) {
            return TaskActivity.Kind.WORKFLOW;
        }
        if (name.equals(WorkflowServiceGrpc.getPollActivityTaskQueueMethod().getFullMethodName())) {
            return TaskActivity.Kind.ACTIVITY;
        }
        if (name.equals(WorkflowServiceGrpc.getPollNexusTaskQueueMethod().getFullMethodName())) {
            return TaskActivity.Kind.NEXUS;
        }
        return null;
    }

    static boolean carriesTask(Object response) {
        if (response instanceof PollWorkflowTaskQueueResponse r) {
            return !r.getTaskToken().isEmpty();
        }
        if (response instanceof PollActivityTaskQueueResponse r) {
            return !r.getTaskToken().isEmpty();
        }
        if (response instanceof PollNexusTaskQueueResponse r) {
            return !r.getTaskToken().isEmpty();
        }
        return false;
    }
}
