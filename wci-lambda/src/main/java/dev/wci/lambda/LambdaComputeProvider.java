package dev.wci.lambda;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wci.core.compute.ComputeFailure;
import dev.wci.core.compute.ComputeProvider;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.InvocationRequest;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.lambda.credentials.CredentialsResolver;
import dev.wci.lambda.invoke.AsyncLimiter;
import dev.wci.lambda.invoke.LambdaClients;
import dev.wci.lambda.invoke.LambdaErrorClassifier;
import dev.wci.lambda.validate.TargetValidator;
import dev.wci.lambda.validate.ValidationCache;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeRequest;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * The AWS Lambda {@link ComputeProvider} (type {@value #TYPE}).
 *
 * <p>Invoke: one asynchronous {@code Invoke} ({@code InvocationType=Event}) per invocation id, with the target's
 * qualified ARN as function name and a small JSON payload ({@code deploymentName}, {@code buildId},
 * {@code reason}, {@code invocationId}, {@code requestedAt}). Calls run concurrently on the shared Netty event
 * loop, at most {@link LambdaProviderSettings#maxConcurrentInvokes()} in flight for the whole provider. Outcomes
 * are classified by {@link LambdaErrorClassifier}. Each Invoke is one HTTP attempt, never retried here (see
 * {@link LambdaClients#SINGLE_ATTEMPT}): the scaler's limits count every attempt, and its backoff retries.
 *
 * <p>Validate: see {@link TargetValidator}; results are cached and rate-limited by {@link ValidationCache}.
 *
 * <p>A mutable target (unqualified, {@code $LATEST}, alias) is neither validated nor invoked unless the target
 * explicitly allows it. Both methods return stages that complete normally with typed results.
 */
public final class LambdaComputeProvider implements ComputeProvider, AutoCloseable {

    /** The provider type matched against {@link ComputeTarget#provider()}. */
    public static final String TYPE = "aws-lambda";

    private static final Logger log = LoggerFactory.getLogger(LambdaComputeProvider.class);

    private final LambdaProviderSettings settings;
    private final AwsCredentialsProvider baseCredentials;
    private final Clock clock;
    private final CredentialsResolver credentials;
    private final LambdaClients clients;
    private final AsyncLimiter limiter;
    private final TargetValidator validator;
    private final ValidationCache cache;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param settings         provider settings
     * @param baseCredentials  credentials used directly and to call STS; usually the default provider chain
     * @param clock            time source for results and cache expiry
     */
    public LambdaComputeProvider(LambdaProviderSettings settings, AwsCredentialsProvider baseCredentials, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.baseCredentials = Objects.requireNonNull(baseCredentials, "baseCredentials");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.credentials = new CredentialsResolver(baseCredentials, settings.stsEndpoint(), settings.apiCallTimeout());
        this.clients = new LambdaClients(settings, credentials);
        this.limiter = new AsyncLimiter(settings.maxConcurrentInvokes());
        this.validator = new TargetValidator(clients, clock);
        this.cache = new ValidationCache(clock, settings.revalidationInterval(), settings.minRevalidationInterval());
    }

    /** A provider with the default credential chain and the system clock. */
    public static LambdaComputeProvider create(LambdaProviderSettings settings) {
        return new LambdaComputeProvider(settings, DefaultCredentialsProvider.builder().build(), Clock.systemUTC());
    }

    @Override
    public String type() {
        return TYPE;
    }

    public LambdaProviderSettings settings() {
        return settings;
    }

    /** The credentials this provider calls Lambda and STS with (for other calls WCI makes to the Lambda API). */
    public AwsCredentialsProvider baseCredentials() {
        return baseCredentials;
    }

    @Override
    public CompletionStage<TargetValidation> validate(ComputeTarget target, DeploymentVersion version) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(version, "version");
        try {
            if (!TYPE.equals(target.provider())) {
                return CompletableFuture.completedFuture(invalid("target provider '" + target.provider()
                        + "' is not handled by the " + TYPE + " provider"));
            }
            LambdaTarget resolved;
            try {
                resolved = LambdaTarget.resolve(target, settings);
            } catch (IllegalArgumentException e) {
                return CompletableFuture.completedFuture(invalid(e.getMessage()));
            }
            return cache.get(target, version, () -> validator.validate(resolved, target, version))
                    .exceptionally(e -> new TargetValidation.Invalid(
                            LambdaErrorClassifier.classify("validation", target.address(), e), clock.instant()));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(new TargetValidation.Invalid(
                    ComputeFailure.of(FailureClass.INTERNAL, "validation of " + target + " failed: " + e), clock.instant()));
        }
    }

    @Override
    public CompletionStage<List<InvocationResult>> invoke(InvocationRequest request) {
        Objects.requireNonNull(request, "request");
        ComputeTarget target = request.target();
        LambdaTarget resolved;
        try {
            resolved = LambdaTarget.resolve(target, settings);
        } catch (IllegalArgumentException e) {
            return failAll(request, ComputeFailure.of(FailureClass.REJECTED, e.getMessage()));
        }
        if (!TYPE.equals(target.provider())) {
            return failAll(request, ComputeFailure.of(FailureClass.REJECTED,
                    "target provider '" + target.provider() + "' is not handled by the " + TYPE + " provider"));
        }
        // Defence in depth: the scaler only invokes validated targets, but a mutable one must never slip through.
        if (resolved.arn().kind().isMutable() && !target.mutableAllowed()) {
            return failAll(request, ComputeFailure.of(FailureClass.REJECTED,
                    "refusing to invoke mutable target " + resolved.arn() + " without allowMutableTarget"));
        }
        LambdaAsyncClient client;
        try {
            client = clients.client(resolved.arn().sdkRegion(), resolved.role());
        } catch (RuntimeException e) {
            return failAll(request, LambdaErrorClassifier.classify("Invoke", resolved.arn().arn(), e));
        }
        String functionName = resolved.arn().arn();
        List<CompletableFuture<InvocationResult>> results = new ArrayList<>(request.count());
        for (String id : request.invocationIds()) {
            results.add(invokeOne(client, functionName, request, id));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> {
                    List<InvocationResult> list = new ArrayList<>(results.size());
                    for (CompletableFuture<InvocationResult> r : results) {
                        list.add(r.join());
                    }
                    return list;
                });
    }

    private CompletableFuture<InvocationResult> invokeOne(LambdaAsyncClient client, String functionName,
                                                          InvocationRequest request, String id) {
        InvokeRequest invoke = InvokeRequest.builder()
                .functionName(functionName)
                .invocationType(InvocationType.EVENT)
                .payload(SdkBytes.fromByteArrayUnsafe(payload(request, id)))
                .overrideConfiguration(LambdaClients.SINGLE_ATTEMPT)
                .build();
        return limiter.submit(() -> client.invoke(invoke))
                .handle((response, error) -> {
                    if (error == null) {
                        Integer status = response.statusCode();
                        if (status == null || (status >= 200 && status < 300)) {
                            return (InvocationResult) new InvocationResult.Accepted(id, clock.instant(),
                                    requestId(response));
                        }
                        return new InvocationResult.Failed(id, ComputeFailure.of(FailureClass.INTERNAL,
                                "Lambda Invoke of " + functionName + " answered HTTP " + status + " without an error"));
                    }
                    ComputeFailure failure = LambdaErrorClassifier.classify("Invoke", functionName, error);
                    if (failure.failureClass().opensCircuit()) {
                        cache.markStale(request.target());
                    }
                    log.debug("invoke {} of {} failed: {}", id, request.group(), failure);
                    return new InvocationResult.Failed(id, failure);
                });
    }

    /**
     * Lambda's request id of an accepted invocation (header {@code x-amzn-RequestId}): the worker's Context sees the
     * same id and puts it in its identity, by which the worker census finds it. Null when the answer had none (the
     * SDK then reports "UNKNOWN").
     */
    private static String requestId(InvokeResponse response) {
        String id = response.responseMetadata() == null ? null : response.responseMetadata().requestId();
        return id == null || id.isBlank() || id.equals("UNKNOWN") ? null : id;
    }

        private byte[] payload(InvocationRequest request, String id) {
        ObjectNode node = json.createObjectNode();
        node.put("deploymentName", request.group().version().deploymentName());
        node.put("buildId", request.group().version().buildId());
        node.put("reason", request.reason());
        node.put("invocationId", id);
        node.put("requestedAt", request.requestedAt().toString());
        try {
            return json.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise an invoke payload", e); // plain strings: cannot happen
        }
    }

    private CompletableFuture<List<InvocationResult>> failAll(InvocationRequest request, ComputeFailure failure) {
        List<InvocationResult> list = new ArrayList<>(request.count());
        for (String id : request.invocationIds()) {
            list.add(new InvocationResult.Failed(id, failure));
        }
        return CompletableFuture.completedFuture(list);
    }

    private TargetValidation invalid(String message) {
        return new TargetValidation.Invalid(ComputeFailure.of(FailureClass.REJECTED, message), clock.instant());
    }

    /** Invocations in flight now, across all targets. */
    public int invokesInFlight() {
        return limiter.inFlight();
    }

    /** Invocations waiting for an in-flight slot. */
    public int invokesQueued() {
        return limiter.queued();
    }

    /** Lambda clients built so far: one per (region, credentials), however many targets share them. */
    public int lambdaClients() {
        return clients.size();
    }

    @Override
    public void close() {
        clients.close();
        credentials.close();
    }

    @Override
    public String toString() {
        return "LambdaComputeProvider[endpoint=" + settings.lambdaEndpointOverride().map(Object::toString).orElse("aws")
                + ", maxConcurrentInvokes=" + settings.maxConcurrentInvokes() + "]";
    }
}
