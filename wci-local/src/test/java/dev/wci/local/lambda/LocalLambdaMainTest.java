package dev.wci.local.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalLambdaMainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(CountDownLatch stop, String... args) {
        return LocalLambdaMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), stop, false);
    }

    @Test
    void usageErrorsExitWithTwoAndOneClearLine() {
        assertEquals(LocalLambdaMain.USAGE, run(new CountDownLatch(0)));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("--config FILE is required"));
        assertEquals(LocalLambdaMain.USAGE, run(new CountDownLatch(0), "--config", "x.yaml", "--port", "abc"));
        assertEquals(LocalLambdaMain.USAGE, run(new CountDownLatch(0), "--bogus"));
    }

    @Test
    void badConfigExitsWithOneNamingTheLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "functions:\n  - name: f\n    reservedConcurrenci: 1\n"
                + "    versions:\n      - {version: 1, handler: a.B}\n");
        assertEquals(LocalLambdaMain.CONFIG_ERROR, run(new CountDownLatch(0), "--config", file.toString()));
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains("bad.yaml:3:5"), message);
        assertTrue(message.contains("unknown field 'reservedConcurrenci'"), message);
        assertTrue(message.contains("reservedConcurrency"), "suggests the known fields: " + message);
    }

    @Test
    void servesUntilStopped(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ok.yaml");
        Files.writeString(file, "functions:\n  - name: f\n    versions:\n      - {version: 1, handler: a.B}\n");
        CountDownLatch stop = new CountDownLatch(1);
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(
                () -> run(stop, "--config", file.toString(), "--port", "0", "--mode", "thread"));
        Awaitility.await().atMost(Duration.ofSeconds(60))
                .until(() -> out.toString(StandardCharsets.UTF_8).contains("function:f:1"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("(thread mode)"));
        stop.countDown();
        assertEquals(LocalLambdaMain.OK, status.get(60, TimeUnit.SECONDS));
    }
}
