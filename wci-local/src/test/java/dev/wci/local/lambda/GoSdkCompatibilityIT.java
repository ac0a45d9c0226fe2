package dev.wci.local.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wci.local.lambda.handlers.EchoHandler;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local runtime as the AWS SDK for Go v2 sees it: the client the Temporal server's own worker controller uses.
 * Runs {@code src/test/go/sdkcheck} (a small Go program on the real SDK) against a runtime on 127.0.0.1 and checks
 * what the SDK parsed: Event and RequestResponse invokes, the Qualifier parameter, a wrong version as the typed
 * {@code ResourceNotFoundException}, the configuration reads, and a throttle as the typed
 * {@code TooManyRequestsException} with its {@code Reason} and {@code retryAfterSeconds}.
 *
 * <p>It needs Go 1.24 or newer (the SDK's minimum), which the project's machines ship. Without one it is skipped
 * with a message on a developer's machine, and fails under CI ({@code CI} set), where it must run.
 */
class GoSdkCompatibilityIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path PROGRAM = Path.of("src", "test", "go", "sdkcheck").toAbsolutePath();

    @Test
    void goSdkParsesResponsesAndErrors(@TempDir Path dir) throws Exception {
        Path go = locateGo();
        String testClasses = Path.of("target", "test-classes").toAbsolutePath().toString();
        LocalFunction echo = new LocalFunction("echo", null, new EventInvokeConfig(0, 60), List.of(
                new LocalFunctionVersion("1", EchoHandler.class.getName(), List.of(testClasses), 30, 256,
                        Map.of("TEMPORAL_WORKER_BUILD_ID", "v1"), null)));
        LocalFunction blocked = new LocalFunction("blocked", 0, null, List.of(
                new LocalFunctionVersion("1", EchoHandler.class.getName(), List.of(testClasses), 30, 128, null, null)));
        try (LocalLambdaRuntime runtime = LocalLambdaRuntime.start(
                new LocalLambdaConfig(null, "123456789012", 5, ExecutionMode.THREAD, List.of(echo, blocked)), 0)) {
            String arn = runtime.functionArn("echo", "1");
            JsonNode out = runGo(go, dir, runtime.endpoint().toString(), arn, runtime.functionArn("blocked", "1"));

            assertEquals(202, out.at("/event/ok/statusCode").asInt(), out.toString());
            assertEquals(200, out.at("/requestResponse/ok/statusCode").asInt(), out.toString());
            assertEquals("1", out.at("/requestResponse/ok/executedVersion").asText());
            assertEquals("go", out.at("/requestResponse/ok/payload/input/from").asText());
            assertEquals(arn, out.at("/requestResponse/ok/payload/functionArn").asText(),
                    "the Qualifier parameter names the version invoked");

            JsonNode notFound = out.at("/wrongVersion/error");
            assertEquals("ResourceNotFoundException", notFound.get("typed").asText(), out.toString());
            assertEquals(404, notFound.get("httpStatus").asInt());
            assertTrue(notFound.get("message").asText().contains("function:echo:9"), notFound.toString());

            JsonNode conf = out.at("/configuration/ok");
            assertEquals("1", conf.get("version").asText(), out.toString());
            assertEquals(30, conf.get("timeout").asInt());
            assertEquals(256, conf.get("memorySize").asInt());
            assertEquals(arn, conf.get("functionArn").asText());
            assertEquals("v1", conf.at("/environment/TEMPORAL_WORKER_BUILD_ID").asText());
            assertEquals("1", out.at("/function/ok/version").asText(), out.toString());
            assertEquals(0, out.at("/eventInvokeConfig/ok/maximumRetryAttempts").asInt(), out.toString());
            assertEquals(60, out.at("/eventInvokeConfig/ok/maximumEventAgeInSeconds").asInt());

            JsonNode throttled = out.at("/throttled/error");
            assertEquals("TooManyRequestsException", throttled.get("typed").asText(), out.toString());
            assertEquals(429, throttled.get("httpStatus").asInt());
            assertEquals("ReservedFunctionConcurrentInvocationLimitExceeded", throttled.get("reason").asText());
            assertEquals("1", throttled.get("retryAfterSeconds").asText());

            // What the SDK sent arrived as such: the Event invoke ran, the throttled one never started.
            List<InvocationRecord> records = runtime.invocations();
            assertTrue(records.stream().anyMatch(r -> r.function().equals("blocked")
                    && r.outcome() == InvocationOutcome.THROTTLED), records.toString());
            assertEquals(2, records.stream().filter(r -> r.function().equals("echo")).count(), records.toString());
        }
    }

    private static JsonNode runGo(Path go, Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(go.toString(), "run", "."));
        command.addAll(List.of(args));
        Path stdout = dir.resolve("stdout.json");
        Path stderr = dir.resolve("stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(PROGRAM.toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        // go.sum pins every module; nothing may be added or changed while the test runs.
        pb.environment().put("GOFLAGS", "-mod=readonly");
        Process p = pb.start();
        // The first run downloads the SDK from the module proxy and compiles it.
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("go run did not finish within 300 s: " + Files.readString(stderr));
        }
        if (p.exitValue() != 0) {
            fail("go run exited " + p.exitValue() + ": " + Files.readString(stderr, StandardCharsets.UTF_8));
        }
        return JSON.readTree(stdout.toFile());
    }

    /** A Go 1.24+ toolchain from {@code WCI_GO}, PATH or {@code /usr/local/go}; skips (or fails under CI) without one. */
    private static Path locateGo() throws Exception {
        List<Path> candidates = new ArrayList<>();
        Optional.ofNullable(System.getenv("WCI_GO")).map(Path::of).ifPresent(candidates::add);
        for (String d : Optional.ofNullable(System.getenv("PATH")).orElse("").split(File.pathSeparator)) {
            if (!d.isEmpty()) {
                candidates.add(Path.of(d, "go"));
            }
        }
        candidates.add(Path.of("/usr/local/go/bin/go"));
        String found = "none";
        for (Path c : candidates) {
            if (!Files.isExecutable(c)) {
                continue;
            }
            Process p = new ProcessBuilder(c.toString(), "env", "GOVERSION").redirectErrorStream(true).start();
            String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(30, TimeUnit.SECONDS);
            Matcher m = Pattern.compile("go1\\.(\\d+)").matcher(version);
            if (m.find() && Integer.parseInt(m.group(1)) >= 24) {
                return c;
            }
            found = c + " (" + version + ")";
        }
        String message = "needs a Go 1.24+ toolchain (the AWS SDK for Go v2's minimum) on PATH, at /usr/local/go or in"
                + " WCI_GO; found " + found;
        if (System.getenv("CI") != null) {
            fail(message);
        }
        Assumptions.abort(message);
        return null;
    }
}
