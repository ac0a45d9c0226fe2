package dev.wci.server.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Jetty HTTP/1.1 listener on one address with WCI's bounds, for every HTTP server WCI runs (the HTTP surface,
 * the Lambda endpoint): a small pool of daemon threads, a connection limit (while it is reached, idle connections are
 * closed sooner), an idle timeout, a capped request header, no server version or date header. It binds at once, so a
 * port conflict fails start-up with one line, and serves after {@link #start()}.
 */
public final class BoundedHttpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BoundedHttpServer.class);

    /** Handles one request: Jetty's request and response, and the callback that completes the exchange. */
    @FunctionalInterface
    public interface Exchange {
        void handle(Request request, Response response, Callback callback);
    }

    private final String what;
    private final Server server;
    private final ServerConnector connector;

    /**
     * @param what               the server's name in errors, e.g. "the Lambda endpoint"
     * @param threadName         its threads' name
     * @param requestHeaderBytes the largest request header accepted
     * @throws UncheckedIOException when the address cannot be bound
     */
    public BoundedHttpServer(String what, String threadName, String host, int port, HttpSurface.Limits limits,
                             int requestHeaderBytes, Exchange exchange) {
        this.what = what;
        QueuedThreadPool threads = new QueuedThreadPool(limits.maxThreads(), 2);
        threads.setName(threadName);
        threads.setDaemon(true);
        threads.setReservedThreads(0);
        server = new Server(threads);
        server.setStopTimeout(1000);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        http.setRequestHeaderSize(requestHeaderBytes);
        connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        connector.setAcceptQueueSize(16);
        server.addConnector(connector);
        NetworkConnectionLimit limit = new NetworkConnectionLimit(limits.maxConnections(), server);
        limit.setEndPointIdleTimeout(limits.busyIdleTimeout().toMillis());
        server.addBean(limit);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                exchange.handle(request, response, callback);
                return true;
            }
        });
        try {
            connector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(what + " cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** Starts serving on the bound address. */
    public void start() {
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start " + what + ": " + e.getMessage(), e);
        }
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            log.debug("{} stop: {}", what, e.toString());
        }
        connector.close();
    }
}
