package dev.wci.server.lambdaendpoint;

import dev.wci.core.signal.SignalSink;
import dev.wci.lambda.LambdaProviderSettings;
import dev.wci.server.config.SignalsConfig;
import dev.wci.server.http.BoundedHttpServer;
import dev.wci.server.http.HttpSurface;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * The {@code lambdaEndpoint} signal source: an HTTP server speaking the part of the AWS Lambda API that
 * Temporal's embedded worker controller uses, so that a self-hosted Temporal server started with
 * {@code AWS_ENDPOINT_URL_LAMBDA} pointing here hands its own sync-match signal to WCI (docs/lambda-endpoint.md).
 * See {@link LambdaEndpointHandler} for what each call gets.
 *
 * <p>Plaintext HTTP/1.1 on Jetty, read without blocking a thread until a request is complete; bodies above
 * {@link #MAX_BODY_BYTES} are refused. Bind it to loopback or a private network (default 127.0.0.1).
 */
public final class LambdaEndpointServer implements AutoCloseable {

    /** Largest request body: Lambda's own limit for an asynchronous invoke payload is 256 KiB. */
    static final int MAX_BODY_BYTES = 256 * 1024;
    /**
     * A connection silent for 10 s is closed (1 s while all 64 are in use), a stalled request too; 8 threads: the
     * same bounds as the HTTP surface.
     */
    static final HttpSurface.Limits LIMITS = HttpSurface.Limits.DEFAULT;
    /** Timeout of one forwarded read call. */
    static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(LambdaEndpointServer.class);

    private final SignalsConfig.LambdaEndpoint config;
    private final LambdaEndpointHandler handler;
    private final AutoCloseable forwarderResource;
    private final BoundedHttpServer listener;

    /**
     * Binds at once (a port conflict fails start-up) and serves after {@link #start()}.
     *
     * @param config    the enabled {@code signals.lambdaEndpoint} section, with its key pair
     * @param functions which version each function ARN is the target of
     * @param forwarder where read calls go (see {@link #forwarder})
     * @param sink      where sync-match failures go
     * @param refreshRegistry asks for a registry sync soon (see {@link LambdaEndpointHandler})
     * @throws IllegalArgumentException when the section is disabled or lacks its key pair
     * @throws UncheckedIOException     when the address cannot be bound
     */
    LambdaEndpointServer(SignalsConfig.LambdaEndpoint config, FunctionMap functions, LambdaForwarder forwarder,
                         SignalSink sink, Runnable refreshRegistry, MeterRegistry meters, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        if (!config.enabled()) {
            throw new IllegalArgumentException(
                    "the Lambda endpoint signal source is disabled (signals.lambdaEndpoint.enabled: false)");
        }
        String keyId = config.accessKeyId().filter(s -> !s.isBlank()).orElseThrow(() -> new IllegalArgumentException(
                "the Lambda endpoint needs an access key ID (signals.lambdaEndpoint.accessKeyId)"));
        String secret = config.secretAccessKey().map(s -> s.value()).filter(s -> !s.isBlank())
                .orElseThrow(() -> new IllegalArgumentException(
                        "the Lambda endpoint needs a secret access key (signals.lambdaEndpoint.secretAccessKey)"));
        this.handler = new LambdaEndpointHandler(new SigV4Verifier(keyId, secret, clock), functions, forwarder, sink,
                refreshRegistry, new LambdaEndpointMetrics(meters), clock);
        this.forwarderResource = forwarder instanceof AutoCloseable c ? c : () -> { };
        listener = new BoundedHttpServer("the Lambda endpoint", "wci-lambda-endpoint", config.host(), config.port(),
                LIMITS, 16 * 1024, this::receive);
    }

    /**
     * The endpoint for WCI: forwards read calls with WCI's own Lambda settings and credentials.
     *
     * @param lambda      WCI's Lambda provider settings (endpoint override, STS, role)
     * @param credentials WCI's base AWS credentials
     */
    public static LambdaEndpointServer create(SignalsConfig.LambdaEndpoint config, FunctionMap functions,
                                              LambdaProviderSettings lambda, AwsCredentialsProvider credentials,
                                              SignalSink sink, Runnable refreshRegistry, MeterRegistry meters,
                                              Clock clock) {
        return new LambdaEndpointServer(config, functions,
                new SdkLambdaForwarder(lambda, credentials, FORWARD_TIMEOUT), sink, refreshRegistry, meters, clock);
    }

    public void start() {
        listener.start();
        log.info("lambda endpoint: listening on {}:{}", config.host(), port());
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return listener.port();
    }

    private void receive(Request request, Response response, Callback callback) {
        long declared = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
        if (declared > MAX_BODY_BYTES) {
            send(response, callback, tooLarge());
            return;
        }
        Content.Source.asByteArrayAsync(request, MAX_BODY_BYTES).whenComplete((body, error) -> {
            LambdaApiReply reply;
            if (error != null) {
                reply = declared < 0 && isTooLarge(error) ? tooLarge()
                        : LambdaApiReply.error(400, "InvalidRequestContentException",
                        "the request body could not be read");
            } else {
                reply = handler.handle(toApiRequest(request, body));
            }
            send(response, callback, reply);
        });
    }

    private static boolean isTooLarge(Throwable error) {
        // Jetty fails the read with an IllegalArgumentException when the body exceeds the limit.
        Throwable t = error;
        while (t != null) {
            if (t instanceof IllegalArgumentException) {
                return true;
            }
            t = t.getCause();
        }
        return false;
    }

    private static LambdaApiReply tooLarge() {
        return LambdaApiReply.error(413, "RequestTooLargeException", "the request body is larger than "
                + MAX_BODY_BYTES + " bytes");
    }

    private static LambdaApiRequest toApiRequest(Request request, byte[] body) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (HttpField f : request.getHeaders()) {
            headers.computeIfAbsent(f.getName().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(f.getValue());
        }
        String path = request.getHttpURI().getPath();
        return new LambdaApiRequest(request.getMethod(), path == null ? "/" : path,
                request.getHttpURI().getQuery(), headers, body);
    }

    private static void send(Response response, Callback callback, LambdaApiReply reply) {
        response.setStatus(reply.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
        reply.errorType().ifPresent(t -> response.getHeaders().put("X-Amzn-ErrorType", t));
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, reply.body().length);
        response.write(true, ByteBuffer.wrap(reply.body()), callback);
    }

    @Override
    public void close() {
        listener.close();
        try {
            forwarderResource.close();
        } catch (Exception e) {
            log.debug("lambda endpoint forwarder close: {}", e.toString());
        }
    }
}
