package dev.wci.server.temporal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Counts and times WCI's calls to Temporal: {@code wci_temporal_rpc_requests_total{method, code}} and
 * {@code wci_temporal_rpc_seconds{method, code}} in Prometheus terms. {@code code} is the gRPC status code
 * ({@code OK}, {@code RESOURCE_EXHAUSTED}, ...); the describe calls per second of a method are
 * {@code sum by (method) (rate(wci_temporal_rpc_requests_total[1m]))}.
 */
public final class TemporalRpcMetrics {

    /** Micrometer name of the request counter. */
    public static final String REQUESTS = "wci.temporal.rpc.requests";
    /** Micrometer name of the latency timer. */
    public static final String LATENCY = "wci.temporal.rpc";

    private final MeterRegistry registry;

    public TemporalRpcMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Runs one call and records it under {@code method}. A gRPC failure is recorded with its status code and
     * rethrown; any other exception is recorded as {@code UNKNOWN}.
     */
    public <T> T call(String method, Supplier<T> call) {
        long start = System.nanoTime();
        String code = Status.Code.UNKNOWN.name();
        try {
            T result = call.get();
            code = Status.Code.OK.name();
            return result;
        } catch (StatusRuntimeException e) {
            code = e.getStatus().getCode().name();
            throw e;
        } finally {
            // Latency is real elapsed time, not the injected clock: it measures the network, not the schedule.
            Timer.builder(LATENCY).description("Latency of calls to Temporal")
                    .tags("method", method, "code", code).register(registry)
                    .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            Counter.builder(REQUESTS).description("Calls to Temporal by method and gRPC status code")
                    .tags("method", method, "code", code).register(registry).increment();
        }
    }

    /** How many calls of {@code method} ended with {@code code} (for tests and status pages). */
    public double count(String method, Status.Code code) {
        Counter c = registry.find(REQUESTS).tags("method", method, "code", code.name()).counter();
        return c == null ? 0 : c.count();
    }
}
