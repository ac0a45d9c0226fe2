package dev.wci.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP surface: {@code /metrics} (Prometheus text), {@code /healthz}, {@code /readyz} and {@code /status}
 * (JSON). GET only. Served by the JDK's HTTP server on two daemon threads: it is scraped, not browsed.
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

    private static final Logger log = LoggerFactory.getLogger(HttpSurface.class);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService threads;
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);
    private final Endpoints endpoints;

    /**
     * Binds at once (so a port conflict fails start-up) and serves after {@link #start()}.
     *
     * @throws UncheckedIOException when the address cannot be bound
     */
    public HttpSurface(String host, int port, Endpoints endpoints) {
        this.endpoints = endpoints;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        threads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "wci-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", this::handle);
    }

    public void start() {
        server.start();
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        // The exchange is closed only after the error response: a try-with-resources closes before its catch runs.
        try (exchange) {
            try {
                respond(exchange);
            } catch (RuntimeException | JsonProcessingException e) {
                log.warn("HTTP {} failed: {}", exchange.getRequestURI().getPath(), e.toString());
                try {
                    send(exchange, 500, "text/plain; charset=utf-8", "internal error\n");
                } catch (IOException | RuntimeException ignored) {
                    // the response may already be committed
                }
            }
        }
    }

    private void respond(HttpExchange exchange) throws IOException {
        if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            send(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
            return;
        }
        switch (exchange.getRequestURI().getPath()) {
            case "/metrics" -> send(exchange, 200, PROMETHEUS_TEXT, endpoints.metrics());
            case "/healthz" -> send(exchange, 200, "text/plain; charset=utf-8", "ok\n");
            case "/readyz" -> {
                Readiness r = endpoints.readiness();
                send(exchange, r.ready() ? 200 : 503, "application/json",
                        json.writeValueAsString(Map.of("ready", r.ready(), "problems", r.problems())));
            }
            case "/status" -> send(exchange, 200, "application/json", json.writeValueAsString(endpoints.status()));
            default -> send(exchange, 404, "text/plain; charset=utf-8",
                    "not found; endpoints: /metrics /healthz /readyz /status\n");
        }
    }

    private static void send(HttpExchange exchange, int code, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(code, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdown();
        try {
            threads.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
