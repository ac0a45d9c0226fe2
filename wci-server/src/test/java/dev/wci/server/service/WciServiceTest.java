package dev.wci.server.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wci.core.limits.LimitKind;
import dev.wci.core.scaling.ScaleDecision;
import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.testing.TestClock;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.TaskQueueType;
import dev.wci.lambda.LambdaComputeProvider;
import dev.wci.server.config.ConfigLoader;
import dev.wci.server.config.WciConfig;
import dev.wci.server.http.HttpSurface;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's wiring without Temporal: a configuration's versions reach the scaler through validation with
 * their deployment's policy, and the HTTP surface reports why the service is not ready. Temporal is a closed port.
 */
class WciServiceTest {

    private static final DeploymentVersion ORDERS = new DeploymentVersion("orders", "v1");
    private static final DeploymentVersion BILLING = new DeploymentVersion("billing", "b1");

    private final TestClock clock = new TestClock();
    private final FakeComputeProvider lambda = new FakeComputeProvider(clock, LambdaComputeProvider.TYPE);
    private final HttpClient http = HttpClient.newHttpClient();
    private WciService service;

    @AfterEach
    void close() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void configuredVersionsAreRegisteredWithTheirDeploymentsPolicyAndTheServiceSaysWhyItIsNotReady(
            @TempDir Path dir) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
        Path file = dir.resolve("wci.yaml");
        Files.writeString(file, """
                temporal:
                  address: 127.0.0.1:%d
                http:
                  listen: 127.0.0.1:0
                signals:
                  temporalStats:
                    enabled: false
                deployments:
                  - name: orders
                    versions:
                      - buildId: v1
                        target: arn:aws:lambda:us-east-1:000000000000:function:orders-worker:1
                  - name: billing
                    scaling:
                      maxWorkersPerVersion: 1
                    versions:
                      - buildId: b1
                        target: arn:aws:lambda:us-east-1:000000000000:function:billing-worker:3
                """.formatted(closedPort));
        WciConfig config = new ConfigLoader(Map.<String, String>of()::get).load(file);
        service = new WciService(config, Map.of(LambdaComputeProvider.TYPE, lambda), clock);

        service.start();

        // Not read from Temporal yet, the versions are NOT_IN_TEMPORAL: validated and registered, never bootstrapped.
        await().atMost(Duration.ofSeconds(60)).until(() -> service.scaler().status().size() == 2);
        assertEquals(2, lambda.validations().size());
        assertTrue(lambda.invocations().isEmpty(), "no bootstrap before the first sync");

        ScaleDecision free = service.scaler().onSignal(backlog(ORDERS)).orElseThrow();
        ScaleDecision capped = service.scaler().onSignal(backlog(BILLING)).orElseThrow();
        assertTrue(free.count() > 1, "the global policy allows a scale-out, got " + free.count());
        assertEquals(1, capped.count(), "billing's maxWorkersPerVersion: 1");
        assertEquals(LimitKind.VERSION_CAP, capped.trims().get(0).limit());

        await().atMost(Duration.ofSeconds(60)).until(() -> service.readiness().problems().stream()
                .anyMatch(p -> p.startsWith("Temporal at 127.0.0.1:" + closedPort + " is not reachable")));
        HttpSurface.Readiness readiness = service.readiness();
        assertFalse(readiness.ready());
        assertTrue(readiness.problems().contains("deployment orders not read from Temporal yet"), readiness.problems()
                .toString());
        assertTrue(readiness.problems().contains("deployment billing not read from Temporal yet"));

        HttpResponse<String> ready = get("/readyz");
        assertEquals(503, ready.statusCode());
        assertTrue(ready.body().contains("deployment billing not read from Temporal yet"), ready.body());

        String metrics = get("/metrics").body();
        assertTrue(metrics.contains("wci_target_valid{build_id=\"b1\",deployment=\"billing\"} 1.0"), metrics);
        assertTrue(metrics.contains("wci_workers{build_id=\"b1\",deployment=\"billing\",group=\"default\",state=\"starting\"} 1.0"),
                "gauges are refreshed on scrape:\n" + metrics);

        JsonNode status = new ObjectMapper().readTree(get("/status").body());
        assertFalse(status.get("ready").asBoolean());
        assertEquals(2, status.get("deployments").size());
        JsonNode b1 = status.get("deployments").get(1).get("versions").get(0);
        assertEquals("NOT_IN_TEMPORAL", b1.get("management").asText());
        assertEquals("valid", b1.get("validation").get("state").asText());
    }

    @Test
    void aStartThatFailsStopsWhatAlreadyRuns(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Path file = dir.resolve("wci.yaml");
            Files.writeString(file, """
                    temporal:
                      address: 127.0.0.1:1
                    http:
                      listen: 127.0.0.1:0
                    signals:
                      temporalStats:
                        enabled: false
                      push:
                        enabled: true
                        listen: 127.0.0.1:%d
                        token: 0123456789abcdef0123
                    deployments:
                      - name: orders
                        versions:
                          - buildId: v1
                            target: arn:aws:lambda:us-east-1:000000000000:function:orders-worker:1
                    """.formatted(taken.getLocalPort()));
            WciService failing = new WciService(new ConfigLoader(Map.<String, String>of()::get).load(file),
                    Map.of(LambdaComputeProvider.TYPE, lambda), clock);
            int httpPort = failing.httpPort();
            UncheckedIOException e = assertThrows(UncheckedIOException.class, failing::start);
            assertTrue(e.getMessage().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), e.getMessage());
            assertTrue(failing.readiness().problems().contains("shutting down"), "closed by the failed start");
            // The HTTP listener that had started is closed again: its port is free.
            try (ServerSocket again = new ServerSocket(httpPort, 1, InetAddress.getByName("127.0.0.1"))) {
                assertEquals(httpPort, again.getLocalPort());
            }
        }
    }

    private BacklogObservation backlog(DeploymentVersion v) {
        return new BacklogObservation(v, "q", TaskQueueType.ACTIVITY, 1000, Duration.ofSeconds(5), 10, 0, false,
                clock.instant(), Duration.ZERO);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.httpPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
