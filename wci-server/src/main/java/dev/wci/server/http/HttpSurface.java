package dev.wci.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP surface: {@code /metrics} (Prometheus text), {@code /healthz}, {@code /readyz} and {@code /status}
 * (JSON). GET and HEAD only.
 *
 * <p>Served by Jetty (core API, no servlets) so that a client that sends half a request and waits costs a socket,
 * not a thread: requests are read by a selector and handed to the small bounded pool only when complete. See
 * {@link Limits} for the bounds; docs/operations.md says what they mean for an operator.
 */
public final class HttpSurface implements AutoCloseable {

    /** What the endpoints serve. Implementations are thread-safe. */
    public interface Endpoints {
        /** The Prometheus exposition text. */
        String metrics();

        /** Whether Temporal is reachable and the configuration loaded, with what is not ready. */
        Readiness readiness();

        /** The status document, serialized as JSON. */
        Object status();
    }

    /** Readiness and, when not ready, why. */
    public record Readiness(boolean ready, List<String> problems) {
        public Readiness {
            problems = List.copyOf(problems);
        }
    }

    /**
     * What a client can hold of the server.
     *
     * @param idleTimeout    a connection with no byte read or written for this long is closed (a stalled request
     *                       too, so this is the request read timeout)
     * @param busyIdleTimeout the idle timeout while {@code maxConnections} are open, to make room sooner
     * @param maxConnections open connections at most; beyond, new ones wait in the accept queue
     * @param maxThreads     threads of the pool, the selector and acceptor included
     */
    public record Limits(Duration idleTimeout, Duration busyIdleTimeout, int maxConnections, int maxThreads) {

        /** 10 s idle (1 s when full), 64 connections, 8 threads. */
        public static final Limits DEFAULT = new Limits(Duration.ofSeconds(10), Duration.ofSeconds(1), 64, 8);

        public Limits {
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            Objects.requireNonNull(busyIdleTimeout, "busyIdleTimeout");
            if (idleTimeout.isNegative() || idleTimeout.isZero() || busyIdleTimeout.isNegative()
                    || busyIdleTimeout.isZero()) {
                throw new IllegalArgumentException("idle timeouts must be positive");
            }
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1, got " + maxConnections);
            }
            // One acceptor and one selector run on the pool; the rest serve requests.
            if (maxThreads < 4) {
                throw new IllegalArgumentException("maxThreads must be at least 4, got " + maxThreads);
            }
        }
    }

    private static final Logger log = LoggerFactory.getLogger(HttpSurface.class);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";

    private final BoundedHttpServer listener;
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);
    private final Endpoints endpoints;

    /** With the {@link Limits#DEFAULT default limits}. */
    public HttpSurface(String host, int port, Endpoints endpoints) {
        this(host, port, endpoints, Limits.DEFAULT);
    }

    /**
     * Binds at once (so a port conflict fails start-up) and serves after {@link #start()}.
     *
     * @throws UncheckedIOException when the address cannot be bound
     */
    public HttpSurface(String host, int port, Endpoints endpoints, Limits limits) {
        this.endpoints = endpoints;
        listener = new BoundedHttpServer("the HTTP server", "wci-http", host, port, limits, 8 * 1024, this::handle);
    }

    public void start() {
        listener.start();
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return listener.port();
    }

    private void handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        Reply reply;
        try {
            reply = respond(request.getMethod(), path == null ? "" : path);
        } catch (RuntimeException | JsonProcessingException e) {
            log.warn("HTTP {} failed: {}", path, e.toString());
            reply = new Reply(500, TEXT, "internal error\n", null);
        }
        byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
        response.setStatus(reply.code());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
        if (reply.allow() != null) {
            response.getHeaders().put(new HttpField(HttpHeader.ALLOW, reply.allow()));
        }
        if ("HEAD".equals(request.getMethod())) {
            response.write(true, null, callback);
        } else {
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
            response.write(true, ByteBuffer.wrap(bytes), callback);
        }
    }

    private record Reply(int code, String contentType, String body, String allow) {
    }

    private Reply respond(String method, String path) throws JsonProcessingException {
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            return new Reply(405, TEXT, "method not allowed\n", "GET, HEAD");
        }
        return switch (path) {
            case "/metrics" -> new Reply(200, PROMETHEUS_TEXT, endpoints.metrics(), null);
            case "/healthz" -> new Reply(200, TEXT, "ok\n", null);
            case "/readyz" -> {
                Readiness r = endpoints.readiness();
                yield new Reply(r.ready() ? 200 : 503, "application/json",
                        json.writeValueAsString(Map.of("ready", r.ready(), "problems", r.problems())), null);
            }
            case "/status" -> new Reply(200, "application/json", json.writeValueAsString(endpoints.status()), null);
            default -> new Reply(404, TEXT, "not found; endpoints: /metrics /healthz /readyz /status\n", null);
        };
    }

    @Override
    public void close() {
        listener.close();
    }
}
