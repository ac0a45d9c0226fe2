package dev.wci.server.scrape;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A metrics endpoint on 127.0.0.1 made of a plain server socket, for what WireMock cannot do: a body that trickles
 * forever, or one streamed from a generator without ever being held. Counts the connections it accepted and those
 * still open (a connection is closed once the client's end of it is: its read sees the end or an error). Public for
 * the hostile soak ({@code dev.wci.dev.soak}).
 */
public final class FakeMetricsEndpoint implements AutoCloseable {

    /** Writes a response body; may block or never end. */
    @FunctionalInterface
    public interface Body {
        void write(OutputStream out) throws IOException, InterruptedException;
    }

    /** A body that sends one byte every 100 ms, forever. */
    static final Body TRICKLE = out -> {
        while (true) {
            out.write('#');
            out.flush();
            Thread.sleep(100);
        }
    };

    private final ServerSocket server;
    private final Body body;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-metrics-endpoint");
        t.setDaemon(true);
        return t;
    });
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger open = new AtomicInteger();
    /** The most connections open at once, seen when one was accepted. */
    final AtomicInteger maxOpen = new AtomicInteger();

    public FakeMetricsEndpoint(Body body) {
        this.body = body;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        threads.execute(this::accept);
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/metrics");
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
            threads.execute(() -> serve(s));
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            // Read the request head up to its blank line.
            int matched = 0;
            while (matched < 4) {
                int c = in.read();
                if (c < 0) {
                    return;
                }
                matched = (c == "\r\n\r\n".charAt(matched)) ? matched + 1 : (c == '\r' ? 1 : 0);
            }
            // Watch for the client closing its end while the body is written.
            threads.execute(() -> {
                try {
                    while (in.read() >= 0) {
                        // a GET has no body; nothing else is expected
                    }
                } catch (IOException ignored) {
                    // reset by the client: closed as well
                }
                closeQuietly(s);
            });
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            body.write(out);
            out.flush();
        } catch (IOException | InterruptedException e) {
            // the client went away
        } finally {
            open.decrementAndGet();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
