package dev.wci.local.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in for AWS Lambda: serves the parts of the Lambda API that WCI and Temporal's own
 * worker controller use, on 127.0.0.1, and runs the configured handlers (in a fresh JVM per invocation
 * by default). Responses and errors follow the AWS wire format (REST-JSON, {@code x-amzn-ErrorType}),
 * so the AWS SDKs talk to it through an endpoint override.
 *
 * <p>Served operations: Invoke, GetFunction, GetFunctionConfiguration, GetFunctionEventInvokeConfig,
 * GetFunctionConcurrency, PutFunctionConcurrency, DeleteFunctionConcurrency, DeleteFunction (with
 * {@code Qualifier}: deletes that version), GetAccountSettings; plus {@code GET /_local/invocations}
 * with every invocation as JSON.
 *
 * <p>Differences from AWS, on purpose: a concurrency limit answers 429 for {@code Event} invocations
 * too (AWS would queue and retry the event internally; WCI must see throttles to back off); failed
 * async events are not retried; {@code $LATEST} (or no qualifier) runs the highest published version;
 * aliases do not exist.
 */
public final class LocalLambdaRuntime implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalLambdaRuntime.class);
    private static final int MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
    private static final int MAX_ASYNC_PAYLOAD = 256 * 1024;
    private static final int MAX_RECORDS = 100_000;
    private static final DateTimeFormatter LAST_MODIFIED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ").withZone(ZoneOffset.UTC);

    private final LocalLambdaConfig config;
    private final Clock clock;
    private final HttpServer server;
    private final ExecutorService httpThreads;
    private final ExecutorService asyncThreads;
    private final HandlerExecutor executor;
    private final ObjectMapper json = new ObjectMapper();
    private final String lastModified;

    // Guarded by "this": the mutable view of the configured functions and the concurrency counters.
    private final Map<String, FunctionState> functions = new LinkedHashMap<>();
    private int accountConcurrencyLimit;
    private int accountInFlight;
    private final LinkedHashMap<String, InvocationRecord> records = new LinkedHashMap<>();

    private static final class FunctionState {
        final LocalFunction config;
        final LinkedHashMap<String, LocalFunctionVersion> versions = new LinkedHashMap<>();
        Integer reservedConcurrency;
        int inFlight;

        FunctionState(LocalFunction config) {
            this.config = config;
            this.reservedConcurrency = config.reservedConcurrency();
            config.versions().forEach(v -> versions.put(v.version(), v));
        }
    }

    private LocalLambdaRuntime(LocalLambdaConfig config, int port, Clock clock, Consumer<String> handlerLog,
                               PrintStream threadModeOut) throws IOException {
        this.config = config;
        this.clock = clock;
        this.lastModified = LAST_MODIFIED.format(clock.instant());
        this.accountConcurrencyLimit = config.accountConcurrencyLimit();
        config.functions().forEach(f -> functions.put(f.name(), new FunctionState(f)));
        this.executor = config.executionMode() == ExecutionMode.PROCESS
                ? new ProcessHandlerExecutor(handlerLog, clock::millis)
                : new ThreadHandlerExecutor(clock::millis, threadModeOut);
        AtomicInteger n = new AtomicInteger();
        this.httpThreads = Executors.newCachedThreadPool(r -> daemon(r, "local-lambda-http-" + n.incrementAndGet()));
        this.asyncThreads = Executors.newCachedThreadPool(r -> daemon(r, "local-lambda-event-" + n.incrementAndGet()));
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.setExecutor(httpThreads);
        server.createContext("/", this::handle);
        server.start();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Starts a runtime on 127.0.0.1.
     *
     * @param port the port, or 0 for any free port (see {@link #endpoint()})
     */
    public static LocalLambdaRuntime start(LocalLambdaConfig config, int port) {
        return start(config, port, Clock.systemUTC());
    }

    /** Starts a runtime whose records and deadlines use the given clock. */
    public static LocalLambdaRuntime start(LocalLambdaConfig config, int port, Clock clock) {
        PrintStream out = System.out;
        return start(config, port, clock, out::println, out);
    }

    static LocalLambdaRuntime start(LocalLambdaConfig config, int port, Clock clock, Consumer<String> handlerLog,
                                    PrintStream threadModeOut) {
        try {
            return new LocalLambdaRuntime(config, port, clock, handlerLog, threadModeOut);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
    }

    /** The base URL to give the AWS SDK or CLI as endpoint override, e.g. {@code http://127.0.0.1:9001}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The version-qualified ARN of a function version, as callers should use it. */
    public String functionArn(String function, String version) {
        return unqualifiedArn(function) + ":" + version;
    }

    private String unqualifiedArn(String function) {
        return "arn:aws:lambda:" + config.region() + ":" + config.accountId() + ":function:" + function;
    }

    /** Every invocation so far (including throttled ones), in arrival order. */
    public synchronized List<InvocationRecord> invocations() {
        return List.copyOf(records.values());
    }

    /** Invocations running now, across all functions. */
    public synchronized int inFlight() {
        return accountInFlight;
    }

    /** Sets the account concurrency limit; running invocations continue. */
    public synchronized void setAccountConcurrencyLimit(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("account concurrency limit must be >= 0, got " + limit);
        }
        accountConcurrencyLimit = limit;
    }

    /** Sets (or with null removes) a function's reserved concurrency. */
    public synchronized void setReservedConcurrency(String function, Integer reserved) {
        if (reserved != null && reserved < 0) {
            throw new IllegalArgumentException("reserved concurrency must be >= 0, got " + reserved);
        }
        state(function).reservedConcurrency = reserved;
    }

    /** Deletes a published version: later invocations of it get 404; running ones finish. */
    public void deleteVersion(String function, String version) {
        synchronized (this) {
            if (state(function).versions.remove(version) == null) {
                throw new IllegalArgumentException("function '" + function + "' has no version " + version);
            }
        }
        executor.forget(function, version);
    }

    /** Publishes a version of an existing function (again, after {@link #deleteVersion}); replaces one of that number. */
    public synchronized void publishVersion(String function, LocalFunctionVersion version) {
        state(function).versions.put(version.version(), version);
    }

    private FunctionState state(String function) {
        FunctionState s = functions.get(function);
        if (s == null) {
            throw new IllegalArgumentException("no function named '" + function + "'");
        }
        return s;
    }

    @Override
    public void close() {
        server.stop(0);
        asyncThreads.shutdownNow(); // interrupts running Event invocations, which kills their processes
        httpThreads.shutdownNow();
        executor.close();
    }

    // ---------------------------------------------------------------------------------------------
    // HTTP

    /** An AWS-style error: HTTP status, {@code x-amzn-ErrorType}, JSON body. */
    private static final class ApiError extends Exception {
        final int status;
        final String type;
        final Map<String, Object> extra;

        ApiError(int status, String type, String message) {
            this(status, type, message, Map.of());
        }

        ApiError(int status, String type, String message, Map<String, Object> extra) {
            super(message);
            this.status = status;
            this.type = type;
            this.extra = extra;
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        String requestId = UUID.randomUUID().toString();
        try (exchange) {
            try {
                route(exchange, requestId);
            } catch (ApiError e) {
                sendError(exchange, requestId, e);
            } catch (RuntimeException e) {
                log.error("local Lambda runtime failed on {} {}", exchange.getRequestMethod(),
                        exchange.getRequestURI(), e);
                sendError(exchange, requestId, new ApiError(500, "ServiceException", "Internal error: " + e));
            }
        }
    }

    private void route(HttpExchange exchange, String requestId) throws IOException, ApiError {
        String method = exchange.getRequestMethod();
        String[] seg = exchange.getRequestURI().getRawPath().split("/");
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        // seg[0] is empty (leading slash)
        if (seg.length == 3 && seg[1].equals("_local") && seg[2].equals("invocations") && method.equals("GET")) {
            sendJson(exchange, 200, requestId, invocations().stream().map(LocalLambdaRuntime::recordJson).toList());
            return;
        }
        if (seg.length == 3 && seg[1].equals("2016-08-19") && seg[2].equals("account-settings")
                && method.equals("GET")) {
            sendJson(exchange, 200, requestId, accountSettings());
            return;
        }
        if (seg.length < 4 || !seg[2].equals("functions")) {
            throw new ApiError(404, "UnknownOperationException", "Unknown operation " + method + " "
                    + exchange.getRequestURI().getRawPath());
        }
        String api = seg[1];
        String tail = seg.length == 4 ? "" : String.join("/", List.of(seg).subList(4, seg.length));
        FunctionRef ref;
        try {
            ref = FunctionRef.parse(URLDecoder.decode(seg[3], StandardCharsets.UTF_8), query.get("Qualifier"));
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "InvalidParameterValueException", e.getMessage());
        }
        String op = method + " " + api + "/" + tail;
        switch (op) {
            case "POST 2015-03-31/invocations" -> invoke(exchange, requestId, ref);
            case "GET 2015-03-31/" -> sendJson(exchange, 200, requestId, getFunction(ref));
            case "GET 2015-03-31/configuration" -> sendJson(exchange, 200, requestId, configuration(ref));
            case "DELETE 2015-03-31/" -> {
                deleteFunction(ref);
                send(exchange, 204, requestId, null, Map.of());
            }
            case "GET 2019-09-25/event-invoke-config" -> sendJson(exchange, 200, requestId, eventInvokeConfig(ref));
            case "GET 2019-09-30/concurrency" -> sendJson(exchange, 200, requestId, getConcurrency(ref));
            case "PUT 2017-10-31/concurrency" -> sendJson(exchange, 200, requestId,
                    putConcurrency(ref, exchange.getRequestBody().readAllBytes()));
            case "DELETE 2017-10-31/concurrency" -> {
                synchronized (this) {
                    resolveFunction(ref).reservedConcurrency = null;
                }
                send(exchange, 204, requestId, null, Map.of());
            }
            default -> throw new ApiError(404, "UnknownOperationException", "Unknown operation " + method + " "
                    + exchange.getRequestURI().getRawPath());
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------
    // Invoke

    private void invoke(HttpExchange exchange, String requestId, FunctionRef ref) throws IOException, ApiError {
        Instant receivedAt = clock.instant();
        String type = exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type");
        type = type == null ? "RequestResponse" : type;
        if (!List.of("RequestResponse", "Event", "DryRun").contains(type)) {
            throw new ApiError(400, "InvalidParameterValueException",
                    "1 validation error detected: Value '" + type + "' at 'invocationType' failed to satisfy "
                            + "constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]");
        }
        byte[] payload = readLimited(exchange.getRequestBody(), type.equals("Event") ? MAX_ASYNC_PAYLOAD
                : MAX_SYNC_PAYLOAD);
        LocalFunctionVersion version;
        FunctionState fn;
        synchronized (this) {
            fn = resolveFunction(ref);
            version = resolveVersion(fn, ref);
        }
        if (type.equals("DryRun")) {
            send(exchange, 204, requestId, null, Map.of());
            return;
        }
        InvocationRecord record = new InvocationRecord(requestId, fn.config.name(), version.version(), type,
                receivedAt, null, null, InvocationOutcome.RUNNING, null);
        acquire(fn, record);
        String arn = functionArn(fn.config.name(), version.version());
        HandlerExecutor.Execution execution = new HandlerExecutor.Execution(requestId, fn.config.name(), arn, version,
                payload, 0, config.region());
        if (type.equals("Event")) {
            try {
                asyncThreads.execute(() -> run(fn, record, execution));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                release(fn, record.ended(clock.instant(), InvocationOutcome.ERROR, "runtime is shutting down"));
                throw new ApiError(503, "ServiceException", "The local Lambda runtime is shutting down");
            }
            send(exchange, 202, requestId, null, Map.of());
            return;
        }
        HandlerExecutor.Result result = run(fn, record, execution);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Amz-Executed-Version", version.version());
        headers.put("Content-Type", "application/json");
        if (result.outcome() != InvocationOutcome.SUCCESS) {
            headers.put("X-Amz-Function-Error", "Unhandled");
        }
        send(exchange, 200, requestId, result.body(), headers);
    }

    private HandlerExecutor.Result run(FunctionState fn, InvocationRecord received, HandlerExecutor.Execution ex) {
        Instant startedAt = clock.instant();
        InvocationRecord running = received.started(startedAt);
        synchronized (this) {
            putRecord(running);
        }
        HandlerExecutor.Execution timed = new HandlerExecutor.Execution(ex.requestId(), ex.functionName(),
                ex.functionArn(), ex.version(), ex.payload(),
                startedAt.toEpochMilli() + ex.version().timeoutSeconds() * 1000L, ex.region());
        HandlerExecutor.Result result;
        try {
            result = executor.execute(timed);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = new HandlerExecutor.Result(InvocationOutcome.ERROR, new byte[0], "runtime shut down");
        } catch (RuntimeException e) {
            log.error("invocation {} of {} failed in the runtime", ex.requestId(), ex.functionArn(), e);
            result = new HandlerExecutor.Result(InvocationOutcome.ERROR, new byte[0], e.toString());
        }
        release(fn, running.ended(clock.instant(), result.outcome(), result.error()));
        log.debug("invocation {} of {} ended: {}", ex.requestId(), ex.functionArn(), result.outcome());
        return result;
    }

    private synchronized void acquire(FunctionState fn, InvocationRecord record) throws ApiError {
        String reason = null;
        if (fn.reservedConcurrency != null) {
            if (fn.inFlight >= fn.reservedConcurrency) {
                reason = "ReservedFunctionConcurrentInvocationLimitExceeded";
            }
        } else {
            // Reserved concurrency is carved out of the account limit; the rest is shared.
            int reservedTotal = functions.values().stream()
                    .mapToInt(f -> f.reservedConcurrency == null ? 0 : f.reservedConcurrency).sum();
            int unreservedInFlight = functions.values().stream()
                    .filter(f -> f.reservedConcurrency == null).mapToInt(f -> f.inFlight).sum();
            if (unreservedInFlight >= Math.max(0, accountConcurrencyLimit - reservedTotal)) {
                reason = "ConcurrentInvocationLimitExceeded";
            }
        }
        if (reason != null) {
            putRecord(record.ended(clock.instant(), InvocationOutcome.THROTTLED, reason));
            log.info("throttled {} {}:{} ({})", record.invocationType(), fn.config.name(), record.version(), reason);
            throw new ApiError(429, "TooManyRequestsException", "Rate Exceeded.",
                    Map.of("Reason", reason, "retryAfterSeconds", "1"));
        }
        fn.inFlight++;
        accountInFlight++;
        putRecord(record);
    }

    private synchronized void release(FunctionState fn, InvocationRecord ended) {
        fn.inFlight--;
        accountInFlight--;
        putRecord(ended);
    }

    private void putRecord(InvocationRecord r) {
        records.put(r.requestId(), r);
        if (records.size() > MAX_RECORDS) {
            records.remove(records.keySet().iterator().next());
        }
    }

    private static byte[] readLimited(InputStream in, int max) throws IOException, ApiError {
        byte[] data = in.readNBytes(max + 1);
        if (data.length > max) {
            throw new ApiError(413, "RequestTooLargeException",
                    "Request must be smaller than " + max + " bytes for the InvokeFunction operation");
        }
        return data;
    }

    // ---------------------------------------------------------------------------------------------
    // Reads

    private FunctionState resolveFunction(FunctionRef ref) throws ApiError {
        FunctionState fn = functions.get(ref.name());
        if (fn == null) {
            throw notFound(ref);
        }
        return fn;
    }

    private LocalFunctionVersion resolveVersion(FunctionState fn, FunctionRef ref) throws ApiError {
        if (ref.qualifier() == null || ref.qualifier().equals("$LATEST")) {
            return fn.versions.values().stream()
                    .max(Comparator.comparingLong(v -> Long.parseLong(v.version())))
                    .orElseThrow(() -> notFound(ref));
        }
        LocalFunctionVersion v = fn.versions.get(ref.qualifier());
        if (v == null) {
            throw notFound(ref);
        }
        return v;
    }

    private ApiError notFound(FunctionRef ref) {
        String arn = unqualifiedArn(ref.name()) + (ref.qualifier() == null ? "" : ":" + ref.qualifier());
        return new ApiError(404, "ResourceNotFoundException", "Function not found: " + arn);
    }

    private synchronized Map<String, Object> configuration(FunctionRef ref) throws ApiError {
        FunctionState fn = resolveFunction(ref);
        LocalFunctionVersion v = resolveVersion(fn, ref);
        boolean latest = ref.qualifier() == null || ref.qualifier().equals("$LATEST");
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("FunctionName", fn.config.name());
        c.put("FunctionArn", latest ? unqualifiedArn(fn.config.name()) : functionArn(fn.config.name(), v.version()));
        c.put("Runtime", "java17");
        c.put("Role", "arn:aws:iam::" + config.accountId() + ":role/wci-local-lambda");
        c.put("Handler", v.handler());
        c.put("CodeSize", 0);
        c.put("Description", "local Lambda runtime (" + config.executionMode().name().toLowerCase() + " mode)");
        c.put("Timeout", v.timeoutSeconds());
        c.put("MemorySize", v.memoryMb());
        c.put("LastModified", lastModified);
        c.put("CodeSha256", sha256(fn.config.name() + ":" + v.version() + ":" + v.handler() + ":" + v.classpath()));
        c.put("Version", latest ? "$LATEST" : v.version());
        c.put("Environment", Map.of("Variables", v.environment()));
        c.put("State", "Active");
        c.put("LastUpdateStatus", "Successful");
        c.put("PackageType", "Zip");
        c.put("Architectures", List.of("x86_64"));
        return c;
    }

    private synchronized Map<String, Object> getFunction(FunctionRef ref) throws ApiError {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Configuration", configuration(ref));
        out.put("Code", Map.of("RepositoryType", "S3", "Location", "file:///dev/null"));
        Integer reserved = resolveFunction(ref).reservedConcurrency;
        if (reserved != null) {
            out.put("Concurrency", Map.of("ReservedConcurrentExecutions", reserved));
        }
        return out;
    }

    private synchronized Map<String, Object> eventInvokeConfig(FunctionRef ref) throws ApiError {
        FunctionState fn = resolveFunction(ref);
        LocalFunctionVersion v = resolveVersion(fn, ref);
        EventInvokeConfig eic = fn.config.eventInvokeConfig();
        if (eic == null) {
            throw new ApiError(404, "ResourceNotFoundException", "The function " + functionArn(fn.config.name(),
                    v.version()) + " doesn't have an EventInvokeConfig");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("FunctionArn", ref.qualifier() == null ? unqualifiedArn(fn.config.name())
                : functionArn(fn.config.name(), ref.qualifier()));
        if (eic.maximumRetryAttempts() != null) {
            out.put("MaximumRetryAttempts", eic.maximumRetryAttempts());
        }
        if (eic.maximumEventAgeInSeconds() != null) {
            out.put("MaximumEventAgeInSeconds", eic.maximumEventAgeInSeconds());
        }
        out.put("LastModified", clock.instant().getEpochSecond());
        out.put("DestinationConfig", Map.of());
        return out;
    }

    private synchronized Map<String, Object> getConcurrency(FunctionRef ref) throws ApiError {
        Integer reserved = resolveFunction(ref).reservedConcurrency;
        return reserved == null ? Map.of() : Map.of("ReservedConcurrentExecutions", reserved);
    }

    private synchronized Map<String, Object> putConcurrency(FunctionRef ref, byte[] body) throws ApiError {
        FunctionState fn = resolveFunction(ref);
        JsonNode value;
        try {
            value = json.readTree(body).get("ReservedConcurrentExecutions");
        } catch (IOException e) {
            throw new ApiError(400, "InvalidRequestContentException", "Could not parse request body into json");
        }
        if (value == null || !value.canConvertToInt() || value.asInt() < 0) {
            throw new ApiError(400, "InvalidParameterValueException",
                    "ReservedConcurrentExecutions must be a non-negative integer");
        }
        fn.reservedConcurrency = value.asInt();
        return Map.of("ReservedConcurrentExecutions", fn.reservedConcurrency);
    }

    private void deleteFunction(FunctionRef ref) throws ApiError {
        String version;
        synchronized (this) {
            FunctionState fn = resolveFunction(ref);
            if (ref.qualifier() == null) {
                throw new ApiError(400, "InvalidParameterValueException",
                        "the local runtime only deletes versions: pass Qualifier");
            }
            version = resolveVersion(fn, ref).version();
            fn.versions.remove(version);
        }
        executor.forget(ref.name(), version);
    }

    private synchronized Map<String, Object> accountSettings() {
        int reservedTotal = functions.values().stream()
                .mapToInt(f -> f.reservedConcurrency == null ? 0 : f.reservedConcurrency).sum();
        return Map.of(
                "AccountLimit", Map.of("ConcurrentExecutions", accountConcurrencyLimit,
                        "UnreservedConcurrentExecutions", Math.max(0, accountConcurrencyLimit - reservedTotal),
                        "CodeSizeUnzipped", 262144000, "CodeSizeZipped", 52428800, "TotalCodeSize", 80530636800L),
                "AccountUsage", Map.of("FunctionCount", functions.size(), "TotalCodeSize", 0));
    }

    private static String sha256(String text) {
        try {
            return Base64.getEncoder().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    private static Map<String, Object> recordJson(InvocationRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requestId", r.requestId());
        m.put("function", r.function());
        m.put("version", r.version());
        m.put("invocationType", r.invocationType());
        m.put("receivedAt", text(r.receivedAt()));
        m.put("startedAt", text(r.startedAt()));
        m.put("endedAt", text(r.endedAt()));
        m.put("outcome", r.outcome().name());
        m.put("error", r.error());
        return m;
    }

    private static String text(Instant i) {
        return i == null ? null : i.toString();
    }

    // ---------------------------------------------------------------------------------------------
    // Responses

    private void sendJson(HttpExchange exchange, int status, String requestId, Object body) throws IOException {
        send(exchange, status, requestId, json.writeValueAsBytes(body), Map.of("Content-Type", "application/json"));
    }

    private void sendError(HttpExchange exchange, String requestId, ApiError e) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Type", e.status >= 500 ? "Service" : "User");
        body.put("message", e.getMessage());
        body.putAll(e.extra);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("x-amzn-ErrorType", e.type);
        if (e.extra.containsKey("retryAfterSeconds")) {
            // The SDK reads TooManyRequestsException.retryAfterSeconds from this header.
            headers.put("Retry-After", String.valueOf(e.extra.get("retryAfterSeconds")));
        }
        send(exchange, e.status, requestId, json.writeValueAsBytes(body), headers);
    }

    private static void send(HttpExchange exchange, int status, String requestId, byte[] body,
                             Map<String, String> headers) throws IOException {
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
        boolean empty = body == null || body.length == 0;
        exchange.sendResponseHeaders(status, empty ? -1 : body.length);
        if (!empty) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public synchronized String toString() {
        return "LocalLambdaRuntime[" + endpoint() + ", " + functions.keySet() + "]";
    }
}
