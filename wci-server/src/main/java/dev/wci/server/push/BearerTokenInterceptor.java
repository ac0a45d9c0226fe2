package dev.wci.server.push;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a call through only with the metadata {@code authorization: Bearer <token>}. Anything else ends the call
 * with UNAUTHENTICATED before the request is read. The token is never logged or echoed.
 */
final class BearerTokenInterceptor implements ServerInterceptor {

    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String SCHEME = "Bearer ";
    /** A misconfigured producer retries constantly; one warning per interval is enough, the metric counts all. */
    private static final Duration WARN_INTERVAL = Duration.ofMinutes(1);
    private static final Logger log = LoggerFactory.getLogger(BearerTokenInterceptor.class);

    private final byte[] expectedDigest;
    private final PushMetrics metrics;
    private final Clock clock;
    private final AtomicReference<Instant> lastWarning = new AtomicReference<>(Instant.MIN);

    BearerTokenInterceptor(String token, PushMetrics metrics, Clock clock) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("the push signal source needs a non-blank token");
        }
        this.expectedDigest = sha256(token);
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                                                                 ServerCallHandler<ReqT, RespT> next) {
        String header = headers.get(AUTHORIZATION);
        boolean missing = header == null || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
        if (!missing && matches(header.substring(SCHEME.length()).trim())) {
            return next.startCall(call, headers);
        }
        metrics.authFailure(missing);
        warn(call, missing);
        call.close(Status.UNAUTHENTICATED.withDescription(missing
                ? "missing 'authorization: Bearer <token>' metadata"
                : "wrong bearer token"), new Metadata());
        return new ServerCall.Listener<>() {
        };
    }

    /**
     * Compares digests, so the time taken depends neither on where the tokens differ nor on their lengths
     * ({@link MessageDigest#isEqual} is constant-time for equal-length input).
     */
    private boolean matches(String presented) {
        return MessageDigest.isEqual(sha256(presented), expectedDigest);
    }

    private void warn(ServerCall<?, ?> call, boolean missing) {
        Instant now = clock.instant();
        Instant last = lastWarning.get();
        if (now.isBefore(last.plus(WARN_INTERVAL)) || !lastWarning.compareAndSet(last, now)) {
            return;
        }
        log.warn("push: refused a call from {} with {} (further refusals for {} s are only counted in {})",
                call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
                missing ? "no bearer token" : "a wrong bearer token", WARN_INTERVAL.toSeconds(),
                PushMetrics.AUTH_FAILURES);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
