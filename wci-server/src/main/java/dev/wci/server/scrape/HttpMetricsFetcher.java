package dev.wci.server.scrape;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.ResponseInfo;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * Fetches metrics pages with the JDK HTTP client: asks for the Prometheus text format (0.0.4) gzip-compressed
 * (a matching service's page is megabytes of text, a tenth of that compressed), refuses anything but status 200,
 * pages over {@link #MAX_BYTES} (compressed or not) and lines over {@link #MAX_LINE_BYTES}.
 *
 * <p>The body is read as it arrives, one buffer at a time, and handed over line by line on a reader thread: at
 * most one network buffer, one decompression buffer and one line are held, whatever the page size. The whole
 * request, connection to last line, has {@code timeout}; when it runs out, or the caller cancels, the download is
 * cancelled and its connection closed (a future's own timeout would only stop waiting for it). A second request to
 * an endpoint whose previous one is still being stopped is refused ({@code busy}).
 */
final class HttpMetricsFetcher implements MetricsFetcher {

    /** Largest page accepted, compressed or not. */
    static final int MAX_BYTES = 64 * 1024 * 1024;
    /** Longest line accepted: a real line is a few hundred bytes. */
    static final int MAX_LINE_BYTES = 256 * 1024;

    private static final String ACCEPT = "text/plain;version=0.0.4;q=1.0, text/plain;q=0.5";
    private static final Object END = new Object();

    private final HttpClient client;
    private final Duration timeout;
    private final int maxBytes;
    /** Reader threads: one per page being read, and the source reads one page per endpoint at a time. */
    private final ExecutorService readers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "wci-scrape-reader");
        t.setDaemon(true);
        return t;
    });
    /** Ends requests at their timeout: its own thread, so a busy common pool cannot delay it. */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "wci-scrape-timeout");
        t.setDaemon(true);
        return t;
    });
    /** Per endpoint, what completes once its last request released its connection and reader thread. */
    private final Map<URI, CompletableFuture<Void>> running = new ConcurrentHashMap<>();

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
    public CompletableFuture<Void> fetch(URI endpoint, PageLines lines) {
        CompletableFuture<Void> previous = running.get(endpoint);
        if (previous != null && !previous.isDone()) {
            return CompletableFuture.failedFuture(new ScrapeFailure("busy",
                    "the previous request is still being stopped; no second one is sent"));
        }
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Accept", ACCEPT)
                .header("Accept-Encoding", "gzip")
                .GET()
                .build();
        Body body = new Body(maxBytes);
        CompletableFuture<Void> result = new CompletableFuture<>();
        CompletableFuture<HttpResponse<Void>> exchange;
        try {
            exchange = client.sendAsync(request, info -> body.start(info, lines));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        running.put(endpoint, CompletableFuture.allOf(exchange.handle((r, e) -> null), body.stopped));
        exchange.whenComplete((response, error) -> {
            body.exchangeDone();
            if (error == null) {
                result.complete(null);
            } else if (body.failure != null) {
                // Why the body was stopped (too large, a bad line), not the client's "cancelled" that followed.
                result.completeExceptionally(body.failure);
            } else {
                result.completeExceptionally(error instanceof CompletionException c && c.getCause() != null
                        ? c.getCause() : error);
            }
        });
        // Whatever ends the request early (the timeout, the caller's cancel, a failure) stops the download.
        result.whenComplete((v, error) -> {
            if (error != null) {
                body.abort(error);
                exchange.cancel(true);
            }
        });
        try {
            timer.schedule(() -> result.completeExceptionally(new ScrapeFailure("timeout", "no complete answer within "
                    + timeout.toMillis() + " ms (" + body.progress() + "); the request was cancelled and its "
                    + "connection closed")), timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            result.cancel(true); // closed
        }
        return result;
    }

    /** Stops the reader threads. */
    @Override
    public void close() {
        timer.shutdownNow();
        readers.shutdownNow();
    }

    /**
     * Receives the body one buffer at a time (the next is requested only when the reader took the last one) and
     * serves it to the reader thread as an input stream.
     */
    private final class Body implements BodySubscriber<Void> {
        private final int max;
        private final CompletableFuture<Void> read = new CompletableFuture<>();
        /** Completes when no reader thread runs for this body any more (or none was started). */
        final CompletableFuture<Void> stopped = new CompletableFuture<>();
        private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        private volatile Flow.Subscription subscription;
        private volatile boolean aborted;
        /** The first reason the body was stopped for. */
        private volatile Throwable failure;
        private volatile long received;
        private volatile long lines;
        private boolean readerStarted;

        Body(int max) {
            this.max = max;
        }

        /** Checks the response head and starts the reader, or refuses the body. */
        BodySubscriber<Void> start(ResponseInfo info, PageLines sink) {
            ScrapeFailure refused = refusal(info);
            if (refused != null) {
                abort(refused);
                read.completeExceptionally(refused);
                return this;
            }
            boolean gzip = info.headers().firstValue("Content-Encoding")
                    .map(v -> v.trim().equalsIgnoreCase("gzip")).orElse(false);
            synchronized (this) {
                readerStarted = true;
            }
            try {
                readers.execute(() -> readLines(gzip, sink));
            } catch (RejectedExecutionException e) {
                stopped.complete(null);
                abort(e);
                read.completeExceptionally(new IOException("the fetcher is closed"));
            }
            return this;
        }

        private ScrapeFailure refusal(ResponseInfo info) {
            if (info.statusCode() != 200) {
                return new ScrapeFailure("http_error", "HTTP status " + info.statusCode());
            }
            String type = info.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
            if (!type.isEmpty() && !type.startsWith("text/plain")) {
                return new ScrapeFailure("http_error", "content type '" + type + "' is not the Prometheus text "
                        + "format (text/plain)");
            }
            return null;
        }

        synchronized void exchangeDone() {
            if (!readerStarted) {
                stopped.complete(null);
            }
        }

        String progress() {
            return received + " bytes and " + lines + " lines read";
        }

        private void readLines(boolean gzip, PageLines sink) {
            try (InputStream raw = new QueueInput();
                 InputStream in = gzip ? new GZIPInputStream(raw, 64 * 1024) : raw) {
                byte[] buf = new byte[64 * 1024];
                byte[] line = new byte[1024];
                int lineLength = 0;
                long total = 0;
                int n;
                while ((n = in.read(buf)) > 0) {
                    total += n;
                    if (total > max) {
                        throw tooLarge();
                    }
                    int from = 0;
                    for (int i = 0; i < n; i++) {
                        if (buf[i] != '\n') {
                            continue;
                        }
                        line = append(line, lineLength, buf, from, i - from);
                        lineLength += i - from;
                        sink.line(new String(line, 0, lineLength, StandardCharsets.UTF_8));
                        lines++;
                        lineLength = 0;
                        from = i + 1;
                    }
                    line = append(line, lineLength, buf, from, n - from);
                    lineLength += n - from;
                }
                if (lineLength > 0) {
                    sink.line(new String(line, 0, lineLength, StandardCharsets.UTF_8));
                    lines++;
                }
                read.complete(null);
            } catch (Exception e) {
                abort(e);
                read.completeExceptionally(e);
            } finally {
                stopped.complete(null);
            }
        }

        private byte[] append(byte[] line, int length, byte[] from, int offset, int count) throws ScrapeFailure {
            if (count == 0) {
                return line;
            }
            if (length + count > MAX_LINE_BYTES) {
                throw new ScrapeFailure("too_large", "line " + (lines + 1) + " is longer than " + MAX_LINE_BYTES
                        + " bytes");
            }
            byte[] into = length + count <= line.length ? line
                    : Arrays.copyOf(line, Math.min(MAX_LINE_BYTES, Math.max(line.length * 2, length + count)));
            System.arraycopy(from, offset, into, length, count);
            return into;
        }

        private ScrapeFailure tooLarge() {
            return new ScrapeFailure("too_large", "the page is larger than " + max + " bytes");
        }

        /** Stops the download: the connection is closed and the reader thread wakes up with the reason. */
        void abort(Throwable why) {
            synchronized (this) {
                if (failure == null) {
                    failure = why;
                }
            }
            aborted = true;
            queue.add(why);
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }

        @Override
        public CompletionStage<Void> getBody() {
            return read;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (aborted) {
                s.cancel();
            } else {
                s.request(1);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (aborted) {
                return; // the reader is gone; the cancel is on its way
            }
            long size = 0;
            for (ByteBuffer b : items) {
                size += b.remaining();
            }
            received += size;
            if (received > max) {
                abort(tooLarge());
                return;
            }
            queue.add(items);
        }

        @Override
        public void onError(Throwable t) {
            queue.add(t);
        }

        @Override
        public void onComplete() {
            queue.add(END);
        }

        /** The queued buffers as a stream; asks for the next buffer list when it starts on one. */
        private final class QueueInput extends InputStream {
            private Iterator<ByteBuffer> buffers = List.<ByteBuffer>of().iterator();
            private ByteBuffer current;
            private boolean eof;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                while (current == null || !current.hasRemaining()) {
                    if (buffers.hasNext()) {
                        current = buffers.next();
                        continue;
                    }
                    if (eof) {
                        return -1;
                    }
                    Object next;
                    try {
                        next = queue.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", e);
                    }
                    if (next == END) {
                        eof = true;
                        return -1;
                    }
                    if (next instanceof Throwable t) {
                        queue.add(t); // later reads fail the same way
                        throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
                    }
                    @SuppressWarnings("unchecked")
                    List<ByteBuffer> list = (List<ByteBuffer>) next;
                    buffers = list.iterator();
                    Flow.Subscription s = subscription;
                    if (s != null && !aborted) {
                        s.request(1);
                    }
                }
                int n = Math.min(len, current.remaining());
                current.get(b, off, n);
                return n;
            }
        }
    }
}
