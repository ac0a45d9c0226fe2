package dev.wci.server.scrape;

import static org.awaitility.Awaitility.await;

import dev.wci.server.demo.DevServerProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code temporal server start-dev} on 127.0.0.1 with its Prometheus endpoint on a known port, which the
 * shared {@code DevServerExtension} does not expose. In memory, headless; stopped by {@link #close()}.
 */
public final class MetricsDevServer implements AutoCloseable {

    private final Process process;
    private final int port;
    private final int metricsPort;
    private final Path log;

    private MetricsDevServer(Process process, int port, int metricsPort, Path log) {
        this.process = process;
        this.port = port;
        this.metricsPort = metricsPort;
        this.log = log;
    }

    public static MetricsDevServer start(Path cli) throws IOException {
        int port = freePort();
        int metricsPort = freePort();
        Path log = Files.createTempFile("wci-metrics-dev-server", ".log");
        List<String> command = new ArrayList<>(List.of(cli.toString(), "server", "start-dev",
                "--headless", "--ip", "127.0.0.1", "--port", Integer.toString(port),
                "--metrics-port", Integer.toString(metricsPort), "--log-level", "error"));
        command.addAll(DevServerProcess.SETTINGS);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        MetricsDevServer server = new MetricsDevServer(process, port, metricsPort, log);
        try {
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("the dev server exited: " + Files.readString(log));
                        }
                        return http.send(HttpRequest.newBuilder(server.metricsEndpoint()).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                    });
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public String target() {
        return "127.0.0.1:" + port;
    }

    public URI metricsEndpoint() {
        return URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // a temp file: nothing to do
        }
    }
}
