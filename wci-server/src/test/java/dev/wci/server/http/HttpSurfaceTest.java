package dev.wci.server.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpSurfaceTest {

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    /** A value of the status document with the types it holds: instants, durations, nulls. */
    record Doc(Instant generatedAt, Duration retryIn, String absent, double backlog) {
    }

    private volatile String metrics = "# HELP wci_signals_total\nwci_signals_total{source=\"push\"} 3.0\n";
    private volatile HttpSurface.Readiness readiness = new HttpSurface.Readiness(true, List.of());
    private volatile Supplier<Object> status = () -> new Doc(Instant.parse("2026-01-01T00:00:00Z"),
            Duration.ofSeconds(30), null, 1.5);

    private final HttpClient client = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private HttpSurface surface;

    @BeforeEach
    void start() {
        surface = new HttpSurface("127.0.0.1", 0, surfaceEndpoints());
        surface.start();
    }

    private HttpSurface.Endpoints surfaceEndpoints() {
        return new HttpSurface.Endpoints() {
            @Override
            public String metrics() {
                return metrics;
            }

            @Override
            public HttpSurface.Readiness readiness() {
                return readiness;
            }

            @Override
            public Object status() {
                return status.get();
            }
        };
    }

    @AfterEach
    void stop() {
        surface.close();
    }

    @Test
    void metricsAreServedAsPrometheusText() throws Exception {
        HttpResponse<String> r = get("/metrics");

        assertEquals(200, r.statusCode());
        assertEquals(PROMETHEUS_TEXT, contentType(r));
        assertEquals(metrics, r.body());
    }

    @Test
    void queryStringDoesNotChangeThePath() throws Exception {
        assertEquals(200, get("/metrics?name[]=wci_signals_total").statusCode());
    }

    @Test
    void healthzIsAlwaysOk() throws Exception {
        readiness = new HttpSurface.Readiness(false, List.of("Temporal is not reachable"));

        HttpResponse<String> r = get("/healthz");

        assertEquals(200, r.statusCode());
        assertEquals("text/plain; charset=utf-8", contentType(r));
        assertEquals("ok\n", r.body());
    }

    @Test
    void readyzIs200WhenReady() throws Exception {
        HttpResponse<String> r = get("/readyz");

        assertEquals(200, r.statusCode());
        assertEquals("application/json", contentType(r));
        JsonNode body = json.readTree(r.body());
        assertTrue(body.get("ready").asBoolean());
        assertEquals(0, body.get("problems").size());
    }

    @Test
    void readyzIs503WithTheProblemsWhenNotReady() throws Exception {
        readiness = new HttpSurface.Readiness(false, List.of("Temporal at localhost:7233 is not reachable: refused",
                "deployment orders not read from Temporal yet"));

        HttpResponse<String> r = get("/readyz");

        assertEquals(503, r.statusCode());
        assertEquals("application/json", contentType(r));
        JsonNode body = json.readTree(r.body());
        assertEquals(false, body.get("ready").asBoolean());
        assertEquals("Temporal at localhost:7233 is not reachable: refused", body.get("problems").get(0).asText());
        assertEquals("deployment orders not read from Temporal yet", body.get("problems").get(1).asText());
    }

    @Test
    void statusIsJsonWithIsoInstantsAndDurations() throws Exception {
        HttpResponse<String> r = get("/status");

        assertEquals(200, r.statusCode());
        assertEquals("application/json", contentType(r));
        JsonNode body = json.readTree(r.body());
        assertEquals("2026-01-01T00:00:00Z", body.get("generatedAt").asText());
        assertEquals("PT30S", body.get("retryIn").asText());
        assertTrue(body.get("absent").isNull());
        assertEquals(1.5, body.get("backlog").asDouble());
    }

    @Test
    void unknownPathIs404AndNamesTheEndpoints() throws Exception {
        HttpResponse<String> r = get("/status/");

        assertEquals(404, r.statusCode());
        assertEquals("text/plain; charset=utf-8", contentType(r));
        assertTrue(r.body().contains("/metrics /healthz /readyz /status"), r.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH"})
    void otherMethodsAre405WithAllow(String method) throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/metrics"))
                .method(method, HttpRequest.BodyPublishers.ofString("x")).build());

        assertEquals(405, r.statusCode());
        assertEquals("GET, HEAD", r.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void headAnswersLikeGetWithoutABody() throws Exception {
        readiness = new HttpSurface.Readiness(false, List.of("not yet"));

        HttpResponse<String> status = send(HttpRequest.newBuilder(uri("/status"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        HttpResponse<String> ready = send(HttpRequest.newBuilder(uri("/readyz"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());

        assertEquals(200, status.statusCode());
        assertEquals("application/json", contentType(status));
        assertEquals("", status.body());
        assertEquals(503, ready.statusCode());
        assertEquals("", ready.body());
    }

    @Test
    void endpointThatFailsIs500() throws Exception {
        status = () -> {
            throw new IllegalStateException("status broke");
        };

        HttpResponse<String> r = get("/status");

        assertEquals(500, r.statusCode());
        assertEquals("internal error\n", r.body());
        assertEquals(200, get("/healthz").statusCode(), "the server keeps serving");
    }

    @Test
    void statusThatCannotBeSerializedIs500() throws Exception {
        status = Object::new; // Jackson refuses a bean without properties

        HttpResponse<String> r = get("/status");

        assertEquals(500, r.statusCode());
        assertEquals("internal error\n", r.body());
    }

    @Test
    void takenPortFailsAtConstructionWithTheAddress() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> new HttpSurface("127.0.0.1", taken.getLocalPort(), null));
            assertTrue(e.getMessage().startsWith("the HTTP server cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": "),
                    e.getMessage());
        }
    }

    @Test
    void portIsTheBoundOne() throws Exception {
        assertTrue(surface.port() > 0);
        assertEquals(200, get("/healthz").statusCode());
    }

    @Test
    void probesAreAnsweredWhileStalledClientsHoldMoreConnectionsThanThreadsAndTheStalledAreClosed() throws Exception {
        // More stalled clients than the pool has threads: with a thread per connection, /healthz would wait.
        HttpSurface.Limits limits = new HttpSurface.Limits(Duration.ofMillis(500), Duration.ofMillis(200), 64, 4);
        try (HttpSurface tight = new HttpSurface("127.0.0.1", 0, surfaceEndpoints(), limits)) {
            tight.start();
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 12; i++) {
                    Socket s = new Socket("127.0.0.1", tight.port());
                    // Half a request: the request line and one header, never the blank line that ends it.
                    s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    stalled.add(s);
                }

                HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + tight.port() + "/healthz"))
                        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertEquals("ok\n", r.body());

                // The server closes each stalled connection after its read timeout: the client reads to the end.
                for (Socket s : stalled) {
                    s.setSoTimeout(120_000);
                    InputStream in = s.getInputStream();
                    await().atMost(Duration.ofMinutes(2)).until(() -> in.read() < 0);
                }
            } finally {
                for (Socket s : stalled) {
                    s.close();
                }
            }
        }
    }

    @Test
    void limitsAreChecked() {
        assertThrows(IllegalArgumentException.class,
                () -> new HttpSurface.Limits(Duration.ZERO, Duration.ofSeconds(1), 64, 8));
        assertThrows(IllegalArgumentException.class,
                () -> new HttpSurface.Limits(Duration.ofSeconds(1), Duration.ofSeconds(1), 0, 8));
        assertThrows(IllegalArgumentException.class,
                () -> new HttpSurface.Limits(Duration.ofSeconds(1), Duration.ofSeconds(1), 64, 3));
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + surface.port() + path);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).build());
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String contentType(HttpResponse<?> r) {
        return r.headers().firstValue("Content-Type").orElseThrow();
    }
}
