package dev.wci.server.soak;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Asks WCI's {@code /healthz} every {@link #PERIOD_MILLIS} on its own client, as a liveness probe would, and keeps
 * the slowest answer since the last {@link #takeMaxMillis()} and the failures (no 200 within 10 s).
 */
final class HealthProbe implements AutoCloseable {

    static final long PERIOD_MILLIS = 250;

    final AtomicLong failures = new AtomicLong();
    private final AtomicLong maxNanos = new AtomicLong();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final HttpRequest request;
    private final Thread thread;
    private volatile boolean stopped;

    HealthProbe(int port) {
        request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                .timeout(Duration.ofSeconds(10)).build();
        thread = new Thread(this::run, "soak-healthz-probe");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (!stopped) {
            long start = System.nanoTime();
            try {
                int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status != 200) {
                    failures.incrementAndGet();
                }
            } catch (IOException e) {
                failures.incrementAndGet();
            } catch (InterruptedException e) {
                return;
            }
            long took = System.nanoTime() - start;
            maxNanos.accumulateAndGet(took, Math::max);
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The slowest answer since the last call, in milliseconds. */
    double takeMaxMillis() {
        return maxNanos.getAndSet(0) / 1e6;
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.interrupt();
        thread.join(15_000);
    }
}
