package dev.wci.server.scrape;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Fetches metrics pages with the JDK HTTP client: asks for the Prometheus text format (0.0.4) gzip-compressed
 * (a matching service's page is megabytes of text, a tenth of that compressed), refuses pages over
 * {@link #MAX_BYTES} and anything but status 200.
 */
final class HttpMetricsFetcher implements MetricsFetcher {

    /** Largest page accepted, compressed or not. */
    static final int MAX_BYTES = 64 * 1024 * 1024;

    private static final String ACCEPT = "text/plain;version=0.0.4;q=1.0, text/plain;q=0.5";

    private final HttpClient client;
    private final Duration timeout;
    private final int maxBytes;

    HttpMetricsFetcher(Duration timeout) {
        this(HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build(), timeout, MAX_BYTES);
    }

    HttpMetricsFetcher(HttpClient client, Duration timeout, int maxBytes) {
        this.client = Objects.requireNonNull(client, "client");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.maxBytes = maxBytes;
    }

    @Override
    public CompletableFuture<String> fetch(URI endpoint) {
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Accept", ACCEPT)
                .header("Accept-Encoding", "gzip")
                .GET()
                .build();
        // Cancelling an oversized download makes the client fail with its own "cancelled" error: remember why.
        AtomicReference<ScrapeFailure> tooLarge = new AtomicReference<>();
        return client.sendAsync(request, info -> limited(maxBytes, tooLarge::set))
                .handle((response, error) -> {
                    if (tooLarge.get() != null) {
                        throw new CompletionException(tooLarge.get());
                    }
                    if (error != null) {
                        throw error instanceof CompletionException c ? c : new CompletionException(error);
                    }
                    return page(response, maxBytes);
                });
    }

    private static String page(HttpResponse<byte[]> response, int maxBytes) {
        try {
            if (response.statusCode() != 200) {
                throw new ScrapeFailure("http_error", "HTTP status " + response.statusCode());
            }
            String type = response.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
            if (!type.isEmpty() && !type.startsWith("text/plain")) {
                throw new ScrapeFailure("http_error", "content type '" + type + "' is not the Prometheus text "
                        + "format (text/plain)");
            }
            byte[] body = response.body();
            boolean gzip = response.headers().firstValue("Content-Encoding")
                    .map(v -> v.trim().equalsIgnoreCase("gzip")).orElse(false);
            if (gzip) {
                body = gunzip(body, maxBytes);
            }
            return new String(body, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] gunzip(byte[] body, int maxBytes) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(body.length * 8L, maxBytes));
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                if (out.size() + n > maxBytes) {
                    throw new ScrapeFailure("too_large", "the page is larger than " + maxBytes + " bytes");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }

    /** Collects the body; beyond {@code max} bytes, reports it, fails and cancels the download. */
    static BodySubscriber<byte[]> limited(int max, Consumer<ScrapeFailure> tooLarge) {
        return new BodySubscriber<>() {
            private final CompletableFuture<byte[]> result = new CompletableFuture<>();
            private final ByteArrayOutputStream out = new ByteArrayOutputStream();
            private Flow.Subscription subscription;

            @Override
            public CompletionStage<byte[]> getBody() {
                return result;
            }

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(List<ByteBuffer> items) {
                if (result.isDone()) {
                    return;
                }
                for (ByteBuffer b : items) {
                    if (out.size() + b.remaining() > max) {
                        ScrapeFailure failure = new ScrapeFailure("too_large",
                                "the page is larger than " + max + " bytes");
                        tooLarge.accept(failure);
                        result.completeExceptionally(failure);
                        subscription.cancel();
                        return;
                    }
                    byte[] chunk = new byte[b.remaining()];
                    b.get(chunk);
                    out.write(chunk, 0, chunk.length);
                }
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                result.complete(out.toByteArray());
            }
        };
    }
}
