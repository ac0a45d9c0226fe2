package dev.wci.server.scrape;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP side against a local WireMock server. */
class HttpMetricsFetcherTest {

    private static final String TEXT_PLAIN = "text/plain; version=0.0.4; charset=utf-8; escaping=underscores";

    private WireMockServer server;
    private URI endpoint;
    private final HttpMetricsFetcher fetcher = new HttpMetricsFetcher(Duration.ofSeconds(60));

    @BeforeEach
    void start() {
        server = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort().gzipDisabled(true));
        server.start();
        endpoint = URI.create("http://127.0.0.1:" + server.port() + "/metrics");
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private static String failure(Throwable t) {
        return MatchingMetricsSource.result(t);
    }

    /** The page as its lines arrive, each with its line feed. */
    private static String read(HttpMetricsFetcher f, URI uri) throws ExecutionException, InterruptedException {
        StringBuilder sb = new StringBuilder();
        f.fetch(uri, line -> sb.append(line).append('\n')).get();
        return sb.toString();
    }

    @Test
    void readsAGzipPageAskingForTheTextFormat() throws Exception {
        String page = Pages.load("temporal-1.32.0-scrape-1.txt");
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(page.getBytes(StandardCharsets.UTF_8));
        }
        server.stubFor(get("/metrics").willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", TEXT_PLAIN).withHeader("Content-Encoding", "gzip")
                .withBody(gz.toByteArray())));
        assertEquals(page, read(fetcher, endpoint));
        server.verify(getRequestedFor(urlEqualTo("/metrics"))
                .withHeader("Accept-Encoding", equalTo("gzip"))
                .withHeader("Accept", equalTo("text/plain;version=0.0.4;q=1.0, text/plain;q=0.5")));
    }

    @Test
    void readsAnUncompressedPage() throws Exception {
        server.stubFor(get("/metrics").willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", TEXT_PLAIN).withBody("m 1\n")));
        assertEquals("m 1\n", read(fetcher, endpoint));
    }

    @Test
    void refusesOtherStatusesAndContentTypes() {
        server.stubFor(get("/metrics").willReturn(aResponse().withStatus(503).withBody("busy")));
        ExecutionException status = assertThrows(ExecutionException.class, () -> read(fetcher, endpoint));
        assertEquals("http_error", failure(status));
        assertTrue(status.getCause().getMessage().contains("HTTP status 503"), status.getCause().getMessage());

        server.stubFor(get("/metrics").willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{}")));
        ExecutionException type = assertThrows(ExecutionException.class, () -> read(fetcher, endpoint));
        assertEquals("http_error", failure(type));
        assertTrue(type.getCause().getMessage().contains("'application/json'"), type.getCause().getMessage());
    }

    @Test
    void stopsReadingBeyondTheSizeLimit() {
        server.stubFor(get("/metrics").willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", TEXT_PLAIN).withBody("x".repeat(100_000))));
        HttpMetricsFetcher small = new HttpMetricsFetcher(HttpClient.newHttpClient(), Duration.ofSeconds(5), 1000);
        ExecutionException e = assertThrows(ExecutionException.class, () -> read(small, endpoint));
        assertEquals("too_large", failure(e));
        assertTrue(e.getCause().getMessage().contains("larger than 1000 bytes"), e.getCause().getMessage());
    }

    @Test
    void limitsTheUncompressedSizeOfAGzipPage() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write("x".repeat(100_000).getBytes(StandardCharsets.UTF_8));
        }
        server.stubFor(get("/metrics").willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", TEXT_PLAIN).withHeader("Content-Encoding", "gzip")
                .withBody(gz.toByteArray())));
        HttpMetricsFetcher small = new HttpMetricsFetcher(HttpClient.newHttpClient(), Duration.ofSeconds(5), 1000);
        ExecutionException e = assertThrows(ExecutionException.class, () -> read(small, endpoint));
        assertEquals("too_large", failure(e));
    }

    @Test
    void aSlowAnswerTimesOut() {
        server.stubFor(get("/metrics").willReturn(aResponse().withStatus(200).withFixedDelay(20_000).withBody("m 1")));
        HttpMetricsFetcher quick = new HttpMetricsFetcher(Duration.ofMillis(200));
        ExecutionException e = assertThrows(ExecutionException.class, () -> read(quick, endpoint));
        assertEquals("timeout", failure(e));
    }

    @Test
    void aLineBeyondTheLineLimitIsRefused() {
        server.stubFor(get("/metrics").willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", TEXT_PLAIN).withBody("m 1\n" + "x".repeat(HttpMetricsFetcher.MAX_LINE_BYTES + 1))));
        ExecutionException e = assertThrows(ExecutionException.class, () -> read(fetcher, endpoint));
        assertEquals("too_large", failure(e));
        assertTrue(e.getCause().getMessage().contains("line 2 is longer than"), e.getCause().getMessage());
    }

    @Test
    void aTricklingBodyIsCancelledAtTheTimeoutAndItsConnectionClosed() throws Exception {
        try (FakeMetricsEndpoint slow = new FakeMetricsEndpoint(FakeMetricsEndpoint.TRICKLE)) {
            HttpMetricsFetcher quick = new HttpMetricsFetcher(Duration.ofMillis(300));
            ExecutionException e = assertThrows(ExecutionException.class, () -> read(quick, slow.uri()));
            assertEquals("timeout", failure(e));
            assertTrue(e.getCause().getMessage().contains("connection closed"), e.getCause().getMessage());
            await().atMost(Duration.ofSeconds(30)).until(() -> slow.open.get() == 0);
            assertEquals(1, slow.accepted.get());
            quick.close();
        }
    }

    @Test
    void noSecondRequestWhileOneIsInFlightAndCancellingClosesTheConnection() throws Exception {
        try (FakeMetricsEndpoint slow = new FakeMetricsEndpoint(FakeMetricsEndpoint.TRICKLE)) {
            HttpMetricsFetcher patient = new HttpMetricsFetcher(Duration.ofMinutes(5));
            CompletableFuture<Void> first = patient.fetch(slow.uri(), line -> { });
            await().atMost(Duration.ofSeconds(30)).until(() -> slow.accepted.get() == 1);

            ExecutionException busy = assertThrows(ExecutionException.class,
                    () -> patient.fetch(slow.uri(), line -> { }).get());
            assertEquals("busy", failure(busy));

            first.cancel(true);
            await().atMost(Duration.ofSeconds(30)).until(() -> slow.open.get() == 0);
            assertEquals(1, slow.accepted.get(), "the refused request never reached the endpoint");
            patient.close();
        }
    }

    @Test
    void aHugePageIsReadOneLineAtATime() throws Exception {
        // 60 MB, generated while it is sent: neither side ever holds it.
        long lines = 200_000;
        String padding = "x".repeat(250);
        try (FakeMetricsEndpoint huge = new FakeMetricsEndpoint(out -> {
            byte[] head = "# TYPE big counter\n".getBytes(StandardCharsets.US_ASCII);
            out.write(head);
            for (long i = 0; i < lines; i++) {
                out.write(("big{i=\"" + i + "\",pad=\"" + padding + "\"} " + i + "\n")
                        .getBytes(StandardCharsets.US_ASCII));
            }
        })) {
            HttpMetricsFetcher patient = new HttpMetricsFetcher(Duration.ofMinutes(5));
            AtomicLong count = new AtomicLong();
            AtomicInteger longest = new AtomicInteger();
            patient.fetch(huge.uri(), line -> {
                count.incrementAndGet();
                longest.accumulateAndGet(line.length(), Math::max);
            }).get();
            assertEquals(lines + 1, count.get());
            assertTrue(longest.get() < 300, "handed over line by line: " + longest.get());
            patient.close();
        }
    }

    @Test
    void aClosedPortIsAConnectError() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        URI nobody = URI.create("http://127.0.0.1:" + port + "/metrics");
        ExecutionException e = assertThrows(ExecutionException.class, () -> read(fetcher, nobody));
        assertEquals("connect_error", failure(e));
    }
}
