package dev.wci.dev.soak;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Asks WCI's {@code /healthz} every {@link #PERIOD_MILLIS} on its own client, as a liveness probe would, and keeps
 * the answer times since the last {@link #take()} and the failures (no 200 within 10 s).
 */
final class HealthProbe implements AutoCloseable {

    static final long PERIOD_MILLIS = 250;

    /** The median and the slowest answer of an interval, in milliseconds (0 when none came). */
    record Latency(double p50Millis, double maxMillis) {
    }

    final AtomicLong failures = new AtomicLong();
    private final List<Long> nanos = new ArrayList<>();
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
            synchronized (nanos) {
                nanos.add(took);
            }
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The answers since the last call. */
    Latency take() {
        List<Long> sorted;
        synchronized (nanos) {
            sorted = new ArrayList<>(nanos);
            nanos.clear();
        }
        if (sorted.isEmpty()) {
            return new Latency(0, 0);
        }
        sorted.sort(null);
        return new Latency(sorted.get((sorted.size() - 1) / 2) / 1e6, sorted.get(sorted.size() - 1) / 1e6);
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.interrupt();
        thread.join(15_000);
    }
}
