package dev.wci.server.push;

import dev.wci.core.registry.VersionLookup;
import dev.wci.core.signal.SignalSink;
import dev.wci.server.config.Secret;
import dev.wci.server.config.SignalsConfig;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code push} signal source: a gRPC server ({@code wci.push.v1.SignalPush}, see docs/push.md) that takes
 * task-add events from producers authenticated by a bearer token and delivers sync-match failures of managed
 * versions to the signal sink.
 *
 * <p>Plaintext HTTP/2: bind it to loopback or a private network (the default host is 127.0.0.1).
 */
public final class PushSignalServer implements AutoCloseable {

    /**
     * Largest request accepted: 1000 events with every name at its maximum length still fit. Larger messages
     * end with RESOURCE_EXHAUSTED before they are read.
     */
    static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
    /** Room for the authorization header and the usual gRPC metadata; bigger headers are refused. */
    static final int MAX_METADATA_BYTES = 16 * 1024;
    /** How long close() lets calls in flight finish before cancelling them. */
    static final Duration GRACE = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(PushSignalServer.class);

    private final SignalsConfig.Push config;
    private final ServerServiceDefinition service;
    private Server server;
    private boolean closed;

    /**
     * @param config    the enabled push section, with a token
     * @param namespace the Temporal namespace this WCI serves; events for others are rejected
     * @param versions  which versions are managed, and who receives unpinned tasks
     * @param listed    the task queues Temporal lists per version; events for other queues are refused beyond a
     *                  small allowance (see {@link TaskQueueGate})
     * @param sink      where sync-match failures go
     * @param meters    registry for the {@code wci.push.*} meters
     * @param clock     time of receipt for events without observed_at, and for staleness checks
     * @throws IllegalArgumentException when the section is disabled or has no token
     */
    public PushSignalServer(SignalsConfig.Push config, String namespace, VersionLookup versions,
                            ListedTaskQueues listed, SignalSink sink, MeterRegistry meters, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(clock, "clock");
        if (!config.enabled()) {
            throw new IllegalArgumentException("the push signal source is disabled (signals.push.enabled: false)");
        }
        String token = config.token().map(Secret::value).filter(t -> !t.isBlank())
                .orElseThrow(() -> new IllegalArgumentException(
                        "the push signal source needs a token (signals.push.token)"));
        PushMetrics metrics = new PushMetrics(meters);
        PushReportHandler handler = new PushReportHandler(new TaskAddEventReader(namespace, versions,
                new TaskQueueGate(listed)), sink,
                metrics, clock);
        // The last interceptor runs first: count every call, then check its token, then serve it.
        this.service = ServerInterceptors.intercept(handler.service(),
                new BearerTokenInterceptor(token, metrics, clock), new RequestCountingInterceptor(metrics));
    }

    /** The service with its interceptors, for serving on another transport (tests use the in-process one). */
    ServerServiceDefinition service() {
        return service;
    }

    /**
     * Starts listening on the configured host and port (port 0: any free port, see {@link #port()}).
     *
     * @throws IOException when the address cannot be bound, with host and port in the message
     */
    public synchronized void start() throws IOException {
        if (server != null || closed) {
            throw new IllegalStateException("the push signal server was already " + (closed ? "closed" : "started"));
        }
        Server s = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()))
                .addService(service)
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .maxInboundMetadataSize(MAX_METADATA_BYTES)
                .build();
        try {
            s.start();
        } catch (IOException e) {
            throw new IOException("the push signal server cannot listen on " + config.host() + ":" + config.port()
                    + ": " + rootMessage(e), e);
        }
        server = s;
        log.info("push: listening on {}:{}", config.host(), s.getPort());
    }

    /** The bound port; differs from the configured one when that was 0. */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("the push signal server is not running");
        }
        return server.getPort();
    }

    /** Stops accepting calls, lets calls in flight finish for up to {@link #GRACE}, then cancels the rest. */
    @Override
    public synchronized void close() {
        closed = true;
        if (server == null) {
            return;
        }
        Server s = server;
        server = null;
        s.shutdown();
        try {
            if (!s.awaitTermination(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("push: calls still running after {} s, cancelling them", GRACE.toSeconds());
                s.shutdownNow();
                s.awaitTermination(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            s.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
