package dev.wci.dev.soak;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP clients that each send half a request to WCI's HTTP port and wait; when WCI closes the connection (its read
 * timeout), they connect again at once. Counts the connections WCI closed on them.
 */
final class StalledClients implements AutoCloseable {

    final AtomicLong closedByServer = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();
    private volatile boolean stopped;

    StalledClients(int port, int clients) {
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(() -> run(port), "soak-stalled-client-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void run(int port) {
        while (!stopped) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                synchronized (sockets) {
                    sockets.add(s);
                }
                s.setSoTimeout(120_000); // bounded even against a server without a read timeout
                s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                InputStream in = s.getInputStream();
                while (in.read() >= 0) {
                    // whatever the server answers (e.g. 408), wait for it to close
                }
                closedByServer.incrementAndGet();
            } catch (IOException e) {
                if (!stopped) {
                    closedByServer.incrementAndGet(); // reset by the server counts as closed
                }
            } finally {
                synchronized (sockets) {
                    sockets.removeIf(Socket::isClosed);
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        synchronized (sockets) {
            for (Socket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }
        for (Thread t : threads) {
            t.interrupt();
            t.join(5_000);
        }
    }
}
