package dev.wci.server.lambdaendpoint;

import dev.wci.core.registry.RegisteredTaskQueue;
import dev.wci.core.signal.SignalSink;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.signal.SyncMatchFailure.Origin;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.TaskQueueType;
import dev.wci.lambda.arn.InvalidArnException;
import dev.wci.lambda.arn.LambdaFunctionArn;
import dev.wci.server.lambdaendpoint.FunctionMap.MappedFunction;
import dev.wci.server.lambdaendpoint.LambdaEndpointMetrics.InvokeResult;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the Lambda API calls that Temporal's embedded worker controller makes when its Lambda endpoint
 * ({@code AWS_ENDPOINT_URL_LAMBDA}) is WCI: every request must be signed with the configured key pair; an
 * asynchronous {@code Invoke} of a function WCI maps to a version becomes a sync-match failure of that version
 * (WCI then sizes and invokes itself) and is answered 202 like Lambda; read calls ({@code GET}, e.g. the
 * {@code GetFunction} the server validates a version with) of mapped functions go on to the real Lambda API;
 * everything else is refused. Errors are answered as Lambda answers them (status, {@code X-Amzn-ErrorType},
 * JSON message), so the server's AWS SDK reports them clearly. Thread-safe.
 */
final class LambdaEndpointHandler {

    /** {@code /<api version>/functions/<name>[/<rest>]}: every per-function Lambda API path. */
    private static final Pattern FUNCTION_PATH = Pattern.compile("/(\\d{4}-\\d{2}-\\d{2})/functions/([^/]+)(/.*)?");
    private static final String INVOKE_API = "2015-03-31";
    /** Warn about an unknown ARN or an ignored invoke at most this often per ARN/version. */
    private static final Duration WARN_EVERY = Duration.ofMinutes(1);
    private static final int MAX_WARNED_KEYS = 1000;
    /** At most one registry refresh asked for per this interval, however often the server invokes. */
    static final Duration REFRESH_EVERY = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(LambdaEndpointHandler.class);

    private final SigV4Verifier verifier;
    private final FunctionMap functions;
    private final LambdaForwarder forwarder;
    private final SignalSink sink;
    private final Runnable refreshRegistry;
    private final LambdaEndpointMetrics metrics;
    private final Clock clock;
    private final ConcurrentHashMap<String, Instant> lastWarned = new ConcurrentHashMap<>();
    private final AtomicLong nextRefreshMillis = new AtomicLong();

    /**
     * @param refreshRegistry asks for a registry sync soon; called (at most once per {@link #REFRESH_EVERY}) when
     *                        the server invokes a version WCI does not manage yet or knows no task queue of: the
     *                        server knows it, so WCI's registry is behind (it syncs every few seconds)
     */
    LambdaEndpointHandler(SigV4Verifier verifier, FunctionMap functions, LambdaForwarder forwarder, SignalSink sink,
                          Runnable refreshRegistry, LambdaEndpointMetrics metrics, Clock clock) {
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.functions = Objects.requireNonNull(functions, "functions");
        this.forwarder = Objects.requireNonNull(forwarder, "forwarder");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.refreshRegistry = Objects.requireNonNull(refreshRegistry, "refreshRegistry");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Answers one request; never throws. */
    LambdaApiReply handle(LambdaApiRequest request) {
        Matcher m = FUNCTION_PATH.matcher(request.rawPath());
        boolean invoke = m.matches() && "POST".equals(request.method()) && INVOKE_API.equals(m.group(1))
                && "/invocations".equals(m.group(3));
        boolean read = m.matches() && "GET".equals(request.method());
        String operation = invoke ? "invoke" : read ? "read" : "other";
        LambdaApiReply reply;
        try {
            reply = answer(request, m, invoke, read);
        } catch (RuntimeException e) {
            log.warn("lambda endpoint: {} {} failed", request.method(), shorten(request.rawPath()), e);
            reply = LambdaApiReply.error(500, "ServiceException", "WCI could not process the request; see its log");
        }
        metrics.request(operation, reply.status());
        return reply;
    }

    private LambdaApiReply answer(LambdaApiRequest request, Matcher m, boolean invoke, boolean read) {
        Optional<SigV4Verifier.Refusal> refusal = verifier.verify(request);
        if (refusal.isPresent()) {
            metrics.authFailure(refusal.get().errorType());
            logOnce(true, "auth", "lambda endpoint: refused a request: {}", refusal.get().message());
            return LambdaApiReply.error(403, refusal.get().errorType(), refusal.get().message());
        }
        if (!invoke && !read) {
            return LambdaApiReply.error(403, "AccessDeniedException", "WCI's Lambda endpoint serves only Invoke"
                    + " (InvocationType Event) and read calls of the functions WCI maps; refused "
                    + request.method() + " " + shorten(request.rawPath()));
        }
        String name = decode(m.group(2));
        Optional<String> qualifier = queryParameter(request.rawQuery(), "Qualifier");
        LambdaFunctionArn arn;
        try {
            arn = LambdaFunctionArn.parse(qualifier.isPresent() && !name.isEmpty() && name.split(":", -1).length == 7
                    ? name + ":" + qualifier.get() : name);
        } catch (InvalidArnException e) {
            return notFound(name, " (WCI's Lambda endpoint takes full function ARNs)");
        }
        Optional<MappedFunction> mapped = functions.find(arn.arn());
        if (mapped.isEmpty()) {
            return notFound(arn.arn(), " (WCI maps no version to it)");
        }
        if (read) {
            return forwarder.forward(request, mapped.get().target());
        }
        String type = request.header("x-amz-invocation-type").orElse("RequestResponse");
        if ("DryRun".equals(type)) {
            return new LambdaApiReply(204, Optional.empty(), "application/json", new byte[0]);
        }
        if (!"Event".equals(type)) {
            return LambdaApiReply.error(400, "InvalidParameterValueException", "WCI's Lambda endpoint takes only"
                    + " asynchronous invokes (X-Amz-Invocation-Type: Event); found '" + shorten(type) + "'");
        }
        return invoke(mapped.get());
    }

    /**
     * The invoke means "a task of this version found no worker in the last moments". The scaler keys signals
     * by task queue; the invoke names none, so it is attributed to the version's workflow queue (its first
     * task is a workflow task) or else its first listed queue. Answered 202 in every case: the server's
     * controller counts a throttle or an error as a failed validation of the version, and WCI decides itself
     * how many workers to start.
     */
    private LambdaApiReply invoke(MappedFunction f) {
        if (!f.managed()) {
            metrics.invoke(InvokeResult.UNMANAGED);
            refresh();
            // Normal once: the server invokes a version while creating it, before WCI's registry knows it.
            logOnce(false, "unmanaged:" + f.version(), "lambda endpoint: an invoke for version {} is not acted on:"
                    + " WCI does not manage it now (see /status)", f.version());
            return LambdaApiReply.accepted();
        }
        Optional<RegisteredTaskQueue> queue = f.queues().stream().min(Comparator
                .comparing((RegisteredTaskQueue q) -> q.type() != TaskQueueType.WORKFLOW)
                .thenComparing(RegisteredTaskQueue::name));
        if (queue.isEmpty()) {
            // No worker polled yet (WCI's bootstrap invokes the first one), or the registry has not seen it yet.
            metrics.invoke(InvokeResult.NO_TASK_QUEUE);
            refresh();
            return LambdaApiReply.accepted();
        }
        DeploymentVersion version = f.version();
        sink.accept(new SyncMatchFailure(version, queue.get().name(), queue.get().type(), 1, 0, clock.instant(),
                Origin.PUSH));
        metrics.invoke(InvokeResult.SIGNAL);
        return LambdaApiReply.accepted();
    }

    private void refresh() {
        long now = clock.millis();
        long next = nextRefreshMillis.get();
        if (now >= next && nextRefreshMillis.compareAndSet(next, now + REFRESH_EVERY.toMillis())) {
            refreshRegistry.run();
        }
    }

    private LambdaApiReply notFound(String function, String why) {
        logOnce(true, "unknown:" + function, "lambda endpoint: a request for function {} was answered 404{}",
                shorten(function), why);
        return LambdaApiReply.error(404, "ResourceNotFoundException", "Function not found: " + shorten(function)
                + why);
    }

    /**
     * Logs at WARN (else INFO) at most once per {@link #WARN_EVERY} per key, at DEBUG in between; the keys kept
     * are bounded.
     */
    private void logOnce(boolean warn, String key, String format, Object... args) {
        Instant now = clock.instant();
        if (lastWarned.size() >= MAX_WARNED_KEYS) {
            lastWarned.clear();
        }
        Instant last = lastWarned.get(key);
        if (last == null || !now.isBefore(last.plus(WARN_EVERY))) {
            lastWarned.put(key, now);
            if (warn) {
                log.warn(format, args);
            } else {
                log.info(format, args);
            }
        } else {
            log.debug(format, args);
        }
    }

    static Optional<String> queryParameter(String rawQuery, String name) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return Optional.empty();
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && decode(pair.substring(0, eq)).equals(name)) {
                return Optional.of(decode(pair.substring(eq + 1)));
            }
        }
        return Optional.empty();
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    private static String shorten(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
