package dev.wci.lambda.validate;

import dev.wci.core.compute.ComputeFailure;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.TargetFacts;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.lambda.LambdaTarget;
import dev.wci.lambda.arn.LambdaFunctionArn;
import dev.wci.lambda.arn.QualifierKind;
import dev.wci.lambda.invoke.LambdaClients;
import dev.wci.lambda.invoke.LambdaErrorClassifier;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationResponse;
import software.amazon.awssdk.services.lambda.model.GetFunctionEventInvokeConfigRequest;
import software.amazon.awssdk.services.lambda.model.GetFunctionEventInvokeConfigResponse;
import software.amazon.awssdk.services.lambda.model.State;

/**
 * Checks one target against the Lambda control plane (no caching here; see {@link ValidationCache}).
 *
 * <ol>
 *   <li>the ARN is a published version, or the target explicitly allows a mutable one (then a warning);</li>
 *   <li>{@code GetFunctionConfiguration} on the ARN: the version exists and equals the qualifier, is not in a
 *       failed state; its {@code Timeout} and {@code MemorySize} become the {@link TargetFacts};</li>
 *   <li>the environment variables {@value #ENV_DEPLOYMENT_NAME} and {@value #ENV_BUILD_ID}, when set, equal the
 *       Temporal version the target is mapped to;</li>
 *   <li>{@code GetFunctionEventInvokeConfig}: warns when Lambda would keep throttled events for hours or retry
 *       them, since a late event starts a worker long after it was needed.</li>
 * </ol>
 */
public final class TargetValidator {

    /** Environment variable a worker function may set to its Temporal deployment name. */
    public static final String ENV_DEPLOYMENT_NAME = "TEMPORAL_DEPLOYMENT_NAME";
    /** Environment variable a worker function may set to its Temporal build ID. */
    public static final String ENV_BUILD_ID = "TEMPORAL_WORKER_BUILD_ID";
    /** Largest maximum event age that passes without a warning. */
    public static final Duration MAX_EVENT_AGE = Duration.ofSeconds(300);
    /** Largest retry count that passes without a warning. */
    public static final int MAX_RETRY_ATTEMPTS = 0;

    private static final String RECOMMENDED = "set MaximumEventAgeInSeconds to 60..300 and MaximumRetryAttempts to 0 "
            + "on this version (aws lambda put-function-event-invoke-config --function-name %s --qualifier %s "
            + "--maximum-event-age-in-seconds 120 --maximum-retry-attempts 0)";

    private final LambdaClients clients;
    private final Clock clock;

    public TargetValidator(LambdaClients clients, Clock clock) {
        this.clients = Objects.requireNonNull(clients, "clients");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Validates {@code resolved} (from {@code target}) for {@code version}. The stage always completes normally. */
    public CompletableFuture<TargetValidation> validate(LambdaTarget resolved, ComputeTarget target,
                                                        DeploymentVersion version) {
        LambdaFunctionArn arn = resolved.arn();
        List<String> warnings = new ArrayList<>();
        if (arn.kind().isMutable()) {
            if (!target.mutableAllowed()) {
                return CompletableFuture.completedFuture(invalid(FailureClass.REJECTED, mutableMessage(arn, version)));
            }
            warnings.add("target " + arn + " for " + version + " is mutable (" + describe(arn.kind())
                    + "), allowed by allowMutableTarget: redeploying the function changes the code under running "
                    + "workflows, even Pinned ones; use a published version outside development");
        }
        LambdaAsyncClient client = clients.client(arn.sdkRegion(), resolved.role());
        CompletableFuture<TargetValidation> result;
        try {
            // $LATEST is asked for by the unqualified ARN: the same function version to Lambda, and emulators
            // (moto) do not route a '$' in the path.
            String functionName = arn.kind() == QualifierKind.LATEST ? arn.unqualifiedArn() : arn.arn();
            CompletableFuture<GetFunctionConfigurationResponse> config =
                    client.getFunctionConfiguration(r -> r.functionName(functionName));
            CompletableFuture<List<String>> asyncWarnings = eventInvokeConfigWarnings(client, arn);
            result = config.thenCombine(asyncWarnings, (c, w) -> {
                warnings.addAll(w);
                return check(arn, version, c, warnings);
            });
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result.exceptionally(error -> {
            ComputeFailure f = LambdaErrorClassifier.classify("GetFunctionConfiguration", arn.arn(), error);
            String message = f.failureClass() == FailureClass.NOT_FOUND
                    ? notFoundMessage(arn, version, f.message())
                    : f.message();
            return new TargetValidation.Invalid(new ComputeFailure(f.failureClass(), message, f.reason(),
                    f.retryAfter()), clock.instant());
        });
    }

    private TargetValidation check(LambdaFunctionArn arn, DeploymentVersion version,
                                   GetFunctionConfigurationResponse c, List<String> warnings) {
        if (arn.kind() == QualifierKind.PUBLISHED_VERSION && !arn.qualifier().equals(c.version())) {
            return invalid(FailureClass.REJECTED, "Lambda returned version '" + c.version() + "' for " + arn
                    + ", which names version " + arn.qualifier() + ": refusing a target whose code is not the one named");
        }
        if (c.state() == State.FAILED) {
            return invalid(FailureClass.REJECTED, "function version " + arn + " is in state Failed ("
                    + c.stateReasonCodeAsString() + ": " + c.stateReason() + "): it cannot run workers");
        }
        if (c.state() == State.INACTIVE || c.state() == State.PENDING) {
            warnings.add("function version " + arn + " is " + c.stateAsString()
                    + ": the first invokes may fail or start slowly until it is Active");
        }
        Map<String, String> env = c.environment() == null || c.environment().variables() == null
                ? Map.of() : c.environment().variables();
        String envMismatch = envMismatch(arn, version, env);
        if (envMismatch != null) {
            return invalid(FailureClass.REJECTED, envMismatch);
        }
        int timeoutSeconds = c.timeout() == null || c.timeout() <= 0 ? 3 : c.timeout(); // 3 s is Lambda's default
        int memory = c.memorySize() == null || c.memorySize() < 0 ? 0 : c.memorySize();
        TargetFacts facts = new TargetFacts(Duration.ofSeconds(timeoutSeconds), memory, arn.kind().isMutable());
        return new TargetValidation.Valid(facts, warnings, clock.instant());
    }

    private static String envMismatch(LambdaFunctionArn arn, DeploymentVersion version, Map<String, String> env) {
        String deployment = env.get(ENV_DEPLOYMENT_NAME);
        String build = env.get(ENV_BUILD_ID);
        List<String> wrong = new ArrayList<>();
        if (deployment != null && !deployment.equals(version.deploymentName())) {
            wrong.add(ENV_DEPLOYMENT_NAME + "=" + deployment + " (expected " + version.deploymentName() + ")");
        }
        if (build != null && !build.equals(version.buildId())) {
            wrong.add(ENV_BUILD_ID + "=" + build + " (expected " + version.buildId() + ")");
        }
        if (wrong.isEmpty()) {
            return null;
        }
        String polled = (deployment == null ? version.deploymentName() : deployment) + ":"
                + (build == null ? version.buildId() : build);
        return "function version " + arn + " is mapped to Temporal version " + version + " but sets "
                + String.join(" and ", wrong) + ". Its workers would poll version " + polled + ", so tasks of "
                + version + " would still find no poller and WCI would invoke the function again and again: an "
                + "endless invoke loop. Map " + version + " to the Lambda version built for it, or fix the variables.";
    }

    private CompletableFuture<List<String>> eventInvokeConfigWarnings(LambdaAsyncClient client, LambdaFunctionArn arn) {
        GetFunctionEventInvokeConfigRequest.Builder request = GetFunctionEventInvokeConfigRequest.builder()
                .functionName(arn.unqualifiedArn());
        if (arn.qualifier() != null) {
            request.qualifier(arn.qualifier());
        }
        String qualifier = arn.qualifier() == null ? "$LATEST" : arn.qualifier();
        String recommended = String.format(RECOMMENDED, arn.functionName(), qualifier);
        CompletableFuture<GetFunctionEventInvokeConfigResponse> call;
        try {
            call = client.getFunctionEventInvokeConfig(request.build());
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        return call.handle((r, error) -> {
            if (error != null) {
                ComputeFailure f = LambdaErrorClassifier.classify("GetFunctionEventInvokeConfig", arn.arn(), error);
                return List.of(switch (f.failureClass()) {
                    case NOT_FOUND -> arn + " has no asynchronous invocation config, so Lambda's defaults apply: "
                            + "a throttled invoke is retried for up to 6 hours and a failed one twice, starting "
                            + "stale workers long after they were needed; " + recommended;
                    case ACCESS_DENIED -> "could not check the asynchronous invocation config of " + arn
                            + " (grant lambda:GetFunctionEventInvokeConfig): " + f.message();
                    default -> "could not check the asynchronous invocation config of " + arn + ": " + f.message();
                });
            }
            List<String> w = new ArrayList<>();
            Integer age = r.maximumEventAgeInSeconds();
            if (age == null || age > MAX_EVENT_AGE.toSeconds()) {
                w.add(arn + " keeps undelivered events for " + (age == null ? "up to 6 hours (default)" : age + " s")
                        + ": a throttled invoke may start a worker long after it was needed; " + recommended);
            }
            Integer retries = r.maximumRetryAttempts();
            if (retries == null || retries > MAX_RETRY_ATTEMPTS) {
                w.add(arn + " retries failed invocations " + (retries == null ? "2 times (default)" : retries + " times")
                        + ": WCI already decides when to start workers; " + recommended);
            }
            return w;
        });
    }

    private TargetValidation invalid(FailureClass c, String message) {
        return new TargetValidation.Invalid(ComputeFailure.of(c, message), clock.instant());
    }

    private static String describe(QualifierKind kind) {
        return switch (kind) {
            case NONE -> "unqualified, so it runs $LATEST";
            case LATEST -> "$LATEST";
            case ALIAS -> "an alias";
            case PUBLISHED_VERSION -> "a published version";
        };
    }

    static String mutableMessage(LambdaFunctionArn arn, DeploymentVersion version) {
        String why = switch (arn.kind()) {
            case NONE -> "is unqualified, so Lambda runs $LATEST, whose code changes with every deploy";
            case LATEST -> "names $LATEST, whose code changes with every deploy";
            case ALIAS -> "names the alias '" + arn.qualifier() + "', which can be repointed to other code at any time";
            case PUBLISHED_VERSION -> throw new IllegalArgumentException("a published version is immutable");
        };
        return "target " + arn + " for " + version + " " + why + ". Temporal version " + version
                + " must map to one immutable Lambda version, or redeploys break running (even Pinned) workflows. "
                + "Use a published version ARN, e.g. " + arn.unqualifiedArn() + ":<version> (aws lambda publish-version), "
                + "or, for development only, set allowMutableTarget: true on this version.";
    }

    private static String notFoundMessage(LambdaFunctionArn arn, DeploymentVersion version, String detail) {
        return "function " + (arn.kind() == QualifierKind.PUBLISHED_VERSION ? "version " : "") + arn
                + " (target of " + version + ") does not exist or is not visible to these credentials: publish it or "
                + "fix the ARN. " + detail;
    }
}
