package dev.wci.lambda.worker;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueResponse;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.api.workflowservice.v1.GetSystemInfoResponse;
import io.temporal.api.workflowservice.v1.PollActivityTaskQueueRequest;
import io.temporal.api.workflowservice.v1.PollActivityTaskQueueResponse;
import io.temporal.api.workflowservice.v1.PollWorkflowTaskQueueRequest;
import io.temporal.api.workflowservice.v1.PollWorkflowTaskQueueResponse;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * A Temporal frontend over in-process gRPC for unit tests: answers {@code GetSystemInfo}, polls and
 * {@code DescribeTaskQueue} as the test says, and records the describe requests. Closed by the test.
 */
final class FakeFrontend extends WorkflowServiceGrpc.WorkflowServiceImplBase implements AutoCloseable {

    /** What {@code DescribeTaskQueue} answers: a response, or null to never answer (a hung server). */
    volatile Function<DescribeTaskQueueRequest, DescribeTaskQueueResponse> describe = r -> {
        throw Status.UNIMPLEMENTED.asRuntimeException();
    };
    volatile PollWorkflowTaskQueueResponse workflowPoll = PollWorkflowTaskQueueResponse.getDefaultInstance();
    volatile PollActivityTaskQueueResponse activityPoll = PollActivityTaskQueueResponse.getDefaultInstance();
    /** When set, workflow polls fail with it (a server that is down, say). */
    volatile Status workflowPollFailure;
    final ConcurrentLinkedQueue<DescribeTaskQueueRequest> describes = new ConcurrentLinkedQueue<>();
    private final String name = "fake-frontend-" + UUID.randomUUID();
    private final Server server;
    private final ManagedChannel channel;

    FakeFrontend() throws IOException {
        server = InProcessServerBuilder.forName(name).directExecutor().addService(this).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    /** Stubs on this frontend, through the given interceptors; the caller shuts them down. */
    WorkflowServiceStubs stubs(List<io.grpc.ClientInterceptor> interceptors) {
        return WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                .setChannel(channel).setGrpcClientInterceptors(interceptors).build());
    }

    @Override
    public void getSystemInfo(GetSystemInfoRequest request, StreamObserver<GetSystemInfoResponse> out) {
        out.onNext(GetSystemInfoResponse.newBuilder().setServerVersion("1.32.0").build());
        out.onCompleted();
    }

    @Override
    public void pollWorkflowTaskQueue(PollWorkflowTaskQueueRequest request,
                                      StreamObserver<PollWorkflowTaskQueueResponse> out) {
        Status failure = workflowPollFailure;
        if (failure != null) {
            out.onError(failure.asRuntimeException());
            return;
        }
        out.onNext(workflowPoll);
        out.onCompleted();
    }

    @Override
    public void pollActivityTaskQueue(PollActivityTaskQueueRequest request,
                                      StreamObserver<PollActivityTaskQueueResponse> out) {
        out.onNext(activityPoll);
        out.onCompleted();
    }

    @Override
    public void describeTaskQueue(DescribeTaskQueueRequest request, StreamObserver<DescribeTaskQueueResponse> out) {
        describes.add(request);
        DescribeTaskQueueResponse response;
        try {
            response = describe.apply(request);
        } catch (io.grpc.StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        if (response != null) {
            out.onNext(response);
            out.onCompleted();
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
        server.shutdownNow();
    }
}
