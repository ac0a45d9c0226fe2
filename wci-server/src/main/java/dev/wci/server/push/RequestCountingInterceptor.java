package dev.wci.server.push;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/** Counts every call by the status it ends with; outermost, so refused calls (bad token) are counted too. */
final class RequestCountingInterceptor implements ServerInterceptor {

    private final PushMetrics metrics;

    RequestCountingInterceptor(PushMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                                                                 ServerCallHandler<ReqT, RespT> next) {
        return next.startCall(new SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                metrics.request(status.getCode());
                super.close(status, trailers);
            }
        }, headers);
    }
}
