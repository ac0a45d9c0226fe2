package dev.wci.dev.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wci.local.lambda.LocalLambdaConfig;
import dev.wci.local.lambda.LocalLambdaRuntime;
import dev.wci.lambda.worker.it.DevServerExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/wci run} and {@code bin/wci validate} as a user runs them (the packaged jar, a real process): JSON
 * logs, readiness, a graceful stop on SIGTERM with exit code 0, no secret in any log line; validate's live
 * checks pass for a good file and fail (exit 1) for a target whose version does not exist.
 */
@ExtendWith(DevServerExtension.class)
class RunCommandIT {

    static final String PUSH_TOKEN = "run-it-push-token-0123456789abcdef";
    static final String EXTERNAL_ID = "run-it-external-id-Secr3t";

    @Test
    void runServesThenStopsGracefullyOnSigtermWithJsonLogsAndNoSecrets(DevServerExtension.DevServer server,
                                                                       @TempDir Path dir) throws Exception {
        try (LocalLambdaRuntime lambda = LocalLambdaRuntime.start(LocalLambdaConfig.parse("""
                executionMode: thread
                functions:
                  - name: run-it
                    versions:
                      - version: 1
                        handler: dev.wci.dev.demo.DemoWorkerHandler
                """, "it"), 0)) {
            Path config = dir.resolve("wci.yaml");
            Files.writeString(config, """
                    temporal:
                      address: %s
                    aws:
                      endpoint: %s
                    http:
                      listen: 127.0.0.1:0
                    signals:
                      push:
                        enabled: true
                        listen: 127.0.0.1:0
                        token: ${TEST_PUSH_TOKEN}
                    deployments:
                      - name: run-it
                        versions:
                          - buildId: v1
                            target: %s
                            assumeRole:
                              roleArn: arn:aws:iam::000000000000:role/wci
                              externalId: ${TEST_EXTERNAL_ID}
                    """.formatted(server.target(), lambda.endpoint(), lambda.functionArn("run-it", "1")));
            Path log = dir.resolve("stderr.log");
            WciProcess process = WciProcess.start(config, log, Map.of("TEST_PUSH_TOKEN", PUSH_TOKEN,
                    "TEST_EXTERNAL_ID", EXTERNAL_ID), "--log-format", "json");
            Process wci = process.process;
            try {
                int port = process.awaitHttpPort();
                assertTrue(wci.isAlive(), Files.readString(log));
                HttpClient http = HttpClient.newHttpClient();
                await().atMost(Duration.ofSeconds(60)).until(() -> http.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
                String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(metrics.contains("wci_temporal_rpc_requests_total"), metrics);
            } finally {
                wci.destroy(); // SIGTERM
            }
            assertTrue(wci.waitFor(30, TimeUnit.SECONDS), "stops within its drain bound");
            assertEquals(0, wci.exitValue(), Files.readString(log));

            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            ObjectMapper json = new ObjectMapper();
            boolean stopped = false;
            for (String line : lines) {
                JsonNode event = json.readTree(line); // every line is one JSON object
                assertTrue(event.has("level") && event.has("formattedMessage"), line);
                stopped |= event.get("formattedMessage").asText().equals("WCI stopped");
                assertFalse(line.contains(PUSH_TOKEN) || line.contains(EXTERNAL_ID), "secret logged: " + line);
            }
            assertTrue(stopped, "graceful stop logged: " + lines);
        }
    }

    @Test
    void validateChecksTemporalAndEveryTargetLive(DevServerExtension.DevServer server, @TempDir Path dir)
            throws Exception {
        try (LocalLambdaRuntime lambda = LocalLambdaRuntime.start(LocalLambdaConfig.parse("""
                executionMode: thread
                functions:
                  - name: validate-it
                    versions:
                      - version: 1
                        handler: dev.wci.dev.demo.DemoWorkerHandler
                        timeoutSeconds: 120
                """, "it"), 0)) {
            String template = """
                    temporal:
                      address: %s
                    aws:
                      endpoint: %s
                    deployments:
                      - name: validate-it
                        versions:
                          - buildId: v1
                            target: %s
                    """;
            Path good = dir.resolve("good.yaml");
            Files.writeString(good, template.formatted(server.target(), lambda.endpoint(),
                    lambda.functionArn("validate-it", "1")));
            Result ok = validate(good);
            assertEquals(0, ok.code(), ok.out());
            assertTrue(ok.out().contains("(timeout 120 s"), ok.out());
            assertTrue(ok.out().contains("validation passed"), ok.out());
            // The test server completes a stopping worker's polls (frontend.enableCancelWorkerPollsOnShutdown).
            assertFalse(ok.out().contains("warn  Temporal"), ok.out());

            Path missing = dir.resolve("missing.yaml");
            Files.writeString(missing, template.formatted(server.target(), lambda.endpoint(),
                    lambda.functionArn("validate-it", "7")));
            Result bad = validate(missing);
            assertEquals(1, bad.code(), bad.out());
            assertTrue(bad.out().contains("FAIL  " + missing + ":8:"), bad.out());
            assertTrue(bad.out().contains("NOT_FOUND"), bad.out());
        }
    }

    record Result(int code, String out) {
    }

    static Result validate(Path config) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(WciProcess.WCI.toString(), "validate", "--config", config.toString())
                .redirectErrorStream(true);
        pb.environment().put("AWS_ACCESS_KEY_ID", "local");
        pb.environment().put("AWS_SECRET_ACCESS_KEY", "local");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }
}
