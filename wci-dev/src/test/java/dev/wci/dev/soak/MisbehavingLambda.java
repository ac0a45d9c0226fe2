package dev.wci.dev.soak;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A Lambda API on 127.0.0.1 that misbehaves on Invoke and answers validation correctly (the worst case for a circuit:
 * GetFunctionConfiguration cannot see the fault). Invoke outcomes follow four phases that repeat: accepting (only
 * 202, so the invoke rate is what limits WCI), flaky (202, 500, hangs), throttled (mostly 429 with
 * {@code Retry-After: 86400}) and denied (mostly AccessDenied and KMS errors). Every Invoke is recorded
 * on arrival, before its outcome is chosen, so the count is what reached the endpoint.
 */
final class MisbehavingLambda implements AutoCloseable {

    /** What an Invoke gets. */
    enum Outcome { ACCEPTED, SERVER_ERROR, THROTTLED_FOR_A_DAY, ACCESS_DENIED, KMS_DENIED, HANG }

    /** Arrival times kept at most: far beyond any run at the soak's invoke rate; a storm stops recording. */
    static final int MAX_ARRIVALS = 200_000;

    private static final Outcome[][] PHASES = {
            {Outcome.ACCEPTED},
            {Outcome.ACCEPTED, Outcome.ACCEPTED, Outcome.SERVER_ERROR, Outcome.SERVER_ERROR, Outcome.HANG},
            {Outcome.THROTTLED_FOR_A_DAY, Outcome.THROTTLED_FOR_A_DAY, Outcome.THROTTLED_FOR_A_DAY,
                    Outcome.ACCEPTED, Outcome.SERVER_ERROR},
            {Outcome.ACCESS_DENIED, Outcome.ACCESS_DENIED, Outcome.KMS_DENIED, Outcome.KMS_DENIED, Outcome.ACCEPTED},
    };
    private static final String[] PHASE_NAMES = {"accepting", "flaky", "throttled", "denied"};

    private final HttpServer server;
    private final ExecutorService threads;
    private final String functionArn;
    private final long startNanos = System.nanoTime();
    private final long phaseNanos;
    private final long hangMillis;
    private final SplittableRandom random = new SplittableRandom(11);
    private final List<Long> arrivals = new ArrayList<>();
    private final AtomicLongArray outcomes = new AtomicLongArray(Outcome.values().length);
    final AtomicLong validations = new AtomicLong();

    /**
     * @param functionArn the qualified ARN validation reports
     * @param phaseSeconds how long each phase lasts
     * @param hangMillis how long a hanging Invoke holds its request before answering (the client is gone by then)
     */
    MisbehavingLambda(String functionArn, int phaseSeconds, long hangMillis) {
        this.functionArn = functionArn;
        this.phaseNanos = phaseSeconds * 1_000_000_000L;
        this.hangMillis = hangMillis;
        // A bounded pool: hangs hold threads, and a harness that grew with WCI's misbehaviour would hide it.
        this.threads = Executors.newFixedThreadPool(32, r -> {
            Thread t = new Thread(r, "soak-lambda");
            t.setDaemon(true);
            return t;
        });
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The phase at a time since start. */
    String phase(long nanos) {
        return PHASE_NAMES[(int) ((nanos - startNanos) / phaseNanos % PHASES.length)];
    }

    /** Arrival times ({@link System#nanoTime()}) of the Invokes from index {@code from} on. */
    synchronized List<Long> arrivalsFrom(int from) {
        return List.copyOf(arrivals.subList(Math.min(from, arrivals.size()), arrivals.size()));
    }

    long outcomes(Outcome o) {
        return outcomes.get(o.ordinal());
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if ("POST".equals(ex.getRequestMethod()) && path.endsWith("/invocations")) {
                invoke(ex);
            } else if ("GET".equals(ex.getRequestMethod()) && path.endsWith("/configuration")) {
                validations.incrementAndGet();
                json(ex, 200, configuration());
            } else if ("GET".equals(ex.getRequestMethod()) && path.endsWith("/event-invoke-config")) {
                json(ex, 200, "{\"FunctionArn\":\"" + functionArn + "\",\"MaximumRetryAttempts\":0,"
                        + "\"MaximumEventAgeInSeconds\":60,\"DestinationConfig\":{\"OnSuccess\":{},\"OnFailure\":{}}}");
            } else {
                error(ex, 404, "ResourceNotFoundException", "{\"Type\":\"User\",\"Message\":\"no such resource\"}");
            }
        }
    }

    private void invoke(HttpExchange ex) throws IOException {
        long now = System.nanoTime();
        Outcome outcome;
        synchronized (this) {
            if (arrivals.size() < MAX_ARRIVALS) {
                arrivals.add(now);
            }
            Outcome[] phase = PHASES[(int) ((now - startNanos) / phaseNanos % PHASES.length)];
            outcome = phase[random.nextInt(phase.length)];
        }
        outcomes.incrementAndGet(outcome.ordinal());
        ex.getRequestBody().readAllBytes();
        switch (outcome) {
            case ACCEPTED -> {
                ex.getResponseHeaders().add("X-Amzn-RequestId", UUID.randomUUID().toString());
                ex.sendResponseHeaders(202, -1);
            }
            case SERVER_ERROR -> error(ex, 500, "ServiceException", "{\"message\":\"Internal failure\"}");
            case THROTTLED_FOR_A_DAY -> {
                ex.getResponseHeaders().add("Retry-After", "86400");
                error(ex, 429, "TooManyRequestsException",
                        "{\"Reason\":\"ReservedFunctionConcurrentInvocationLimitExceeded\",\"message\":\"Rate exceeded\"}");
            }
            case ACCESS_DENIED -> error(ex, 403, "AccessDeniedException", "{\"Message\":\"not authorized\"}");
            case KMS_DENIED -> error(ex, 502, "KMSAccessDeniedException", "{\"message\":\"KMS access was denied\"}");
            case HANG -> {
                try {
                    Thread.sleep(hangMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                ex.sendResponseHeaders(202, -1); // the client timed out long ago: this write usually fails
            }
        }
    }

    private String configuration() {
        return """
                {"FunctionName":"soak-worker","FunctionArn":"%s","Runtime":"java21",
                 "Role":"arn:aws:iam::000000000000:role/worker","Handler":"dev.wci.Handler::handleRequest",
                 "CodeSize":1234,"Description":"","Timeout":60,"MemorySize":512,
                 "LastModified":"2026-01-01T10:00:00.000+0000","CodeSha256":"abc=","Version":"1",
                 "State":"Active","LastUpdateStatus":"Successful","PackageType":"Zip","Architectures":["arm64"]}"""
                .formatted(functionArn);
    }

    private static void error(HttpExchange ex, int status, String type, String body) throws IOException {
        ex.getResponseHeaders().add("x-amzn-ErrorType", type);
        json(ex, status, body);
    }

    private static void json(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
