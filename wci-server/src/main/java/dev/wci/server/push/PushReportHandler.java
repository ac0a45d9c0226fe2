package dev.wci.server.push;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.wci.core.signal.SignalSink;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.server.push.TaskAddEventReader.Accepted;
import dev.wci.server.push.TaskAddEventReader.Rejected;
import dev.wci.server.push.TaskAddEventReader.Verdict;
import dev.wci.server.push.v1.EventResult;
import dev.wci.server.push.v1.ReportRequest;
import dev.wci.server.push.v1.ReportResponse;
import dev.wci.server.push.v1.SignalPushGrpc;
import dev.wci.server.push.v1.TaskAddEvent;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code wci.push.v1.SignalPush/Report}: reads each event of a batch, delivers the signals of the valid
 * ones to the sink, and answers with one result per event.
 *
 * <p>The request arrives as bytes and is parsed here rather than by gRPC's protobuf marshaller, because gRPC
 * answers a parse failure with UNKNOWN ("Application error") and without passing through interceptors; parsed
 * here, garbage gets INVALID_ARGUMENT and is counted like every other call.
 */
final class PushReportHandler {

    /** Most events in one Report call. A hook sending every 100-500 ms per version stays far below. */
    static final int MAX_EVENTS = 1000;

    private static final Logger log = LoggerFactory.getLogger(PushReportHandler.class);

    private final TaskAddEventReader reader;
    private final SignalSink sink;
    private final PushMetrics metrics;
    private final Clock clock;

    PushReportHandler(TaskAddEventReader reader, SignalSink sink, PushMetrics metrics, Clock clock) {
        this.reader = Objects.requireNonNull(reader, "reader");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The service, with the generated method's name and schema but a request marshaller that keeps the bytes. */
    ServerServiceDefinition service() {
        MethodDescriptor<byte[], ReportResponse> report = SignalPushGrpc.getReportMethod()
                .toBuilder(RawBytes.INSTANCE, ProtoUtils.marshaller(ReportResponse.getDefaultInstance()))
                .build();
        ServiceDescriptor descriptor = ServiceDescriptor.newBuilder(SignalPushGrpc.SERVICE_NAME)
                .setSchemaDescriptor(SignalPushGrpc.getServiceDescriptor().getSchemaDescriptor())
                .addMethod(report)
                .build();
        return ServerServiceDefinition.builder(descriptor)
                .addMethod(report, ServerCalls.asyncUnaryCall(this::report))
                .build();
    }

    void report(byte[] body, StreamObserver<ReportResponse> response) {
        ReportRequest request;
        try {
            request = ReportRequest.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            response.onError(Status.INVALID_ARGUMENT
                    .withDescription("the request is not a wci.push.v1.ReportRequest: " + e.getMessage())
                    .asRuntimeException());
            return;
        }
        int n = request.getEventsCount();
        if (n == 0) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("the request has no events").asRuntimeException());
            return;
        }
        if (n > MAX_EVENTS) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("the request has " + n
                    + " events, at most " + MAX_EVENTS + " are accepted per call; split the batch")
                    .asRuntimeException());
            return;
        }
        Instant now = clock.instant();
        ReportResponse.Builder out = ReportResponse.newBuilder();
        for (TaskAddEvent event : request.getEventsList()) {
            out.addResults(handle(event, now));
        }
        response.onNext(out.build());
        response.onCompleted();
    }

    private EventResult handle(TaskAddEvent event, Instant now) {
        Verdict verdict;
        try {
            verdict = reader.read(event, now);
        } catch (RuntimeException e) {
            // Only the version lookup can throw here; it is ours, not the producer's, to fix.
            return failed("version lookup failed for deployment '" + event.getDeploymentName() + "'", e);
        }
        if (verdict instanceof Rejected rejected) {
            metrics.rejected(rejected.reason());
            log.debug("push: rejected an event: {}", rejected.detail());
            return EventResult.newBuilder()
                    .setStatus(EventResult.Status.STATUS_REJECTED)
                    .setReason(rejected.reason())
                    .setDetail(rejected.detail())
                    .build();
        }
        Accepted accepted = (Accepted) verdict;
        for (SyncMatchFailure signal : accepted.signals()) {
            try {
                sink.accept(signal);
            } catch (RuntimeException e) {
                return failed("signal sink failed for " + signal.version() + " task queue '" + signal.taskQueue()
                        + "'", e);
            }
        }
        metrics.accepted(accepted.outcome(), accepted.count());
        return EventResult.newBuilder().setStatus(EventResult.Status.STATUS_ACCEPTED).build();
    }

    private EventResult failed(String what, RuntimeException e) {
        metrics.failed();
        log.warn("push: {}", what, e);
        return EventResult.newBuilder()
                .setStatus(EventResult.Status.STATUS_INTERNAL)
                .setReason(EventResult.Reason.REASON_INTERNAL)
                .setDetail("WCI could not process this event; see its log")
                .build();
    }

    /** Passes the request bytes through; read fully here because gRPC closes the stream after parsing. */
    enum RawBytes implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw Status.INTERNAL.withDescription("could not read the request").withCause(e).asRuntimeException();
            }
        }
    }
}
