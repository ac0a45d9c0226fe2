package dev.wci.dev.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A minimal Lambda Invoke endpoint on 127.0.0.1 that accepts every asynchronous invoke with 202, for the
 * benchmark. It answers as fast as it can so the measurement is the provider's own cost.
 */
public final class StubLambdaEndpoint implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicLong invokes = new AtomicLong();

    /** Starts on an ephemeral loopback port with {@code threads} handler threads. */
    public StubLambdaEndpoint(int threads) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "stub-lambda");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/2015-03-31/functions/", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                body.readAllBytes();
            }
            boolean invoke = "POST".equals(exchange.getRequestMethod())
                    && exchange.getRequestURI().getRawPath().endsWith("/invocations");
            exchange.getResponseHeaders().add("x-amzn-RequestId", UUID.randomUUID().toString());
            if (invoke) {
                invokes.incrementAndGet();
                exchange.sendResponseHeaders(202, -1);
            } else {
                exchange.getResponseHeaders().add("x-amzn-ErrorType", "ResourceNotFoundException");
                byte[] error = "{\"Type\":\"User\",\"message\":\"not served by the stub\"}".getBytes();
                exchange.sendResponseHeaders(404, error.length);
                exchange.getResponseBody().write(error);
            }
            exchange.close();
        });
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Invokes accepted so far. */
    public long invokes() {
        return invokes.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
