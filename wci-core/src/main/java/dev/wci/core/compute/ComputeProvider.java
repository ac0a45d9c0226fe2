package dev.wci.core.compute;

import dev.wci.core.version.DeploymentVersion;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Starts workers on a compute platform. Implementations live outside the core (e.g. AWS Lambda in
 * {@code wci-lambda}); the core only sees classified outcomes.
 *
 * <p>Both methods are asynchronous and must not block the caller. A returned stage must complete
 * normally: failures are reported as {@link TargetValidation.Invalid} or {@link InvocationResult.Failed}, never
 * as an exceptional completion (the executor still guards against one and classifies it INTERNAL).
 */
public interface ComputeProvider {

    /** The provider type this implementation handles, matched against {@link ComputeTarget#provider()}. */
    String type();

    /**
     * Checks that {@code target} exists, is immutable (unless explicitly allowed), and runs code built for
     * {@code version}. Uses control-plane APIs with low quotas: never call it on the invoke path.
     */
    CompletionStage<TargetValidation> validate(ComputeTarget target, DeploymentVersion version);

    /** Starts one worker per invocation id. The result list has one entry per id, in request order. */
    CompletionStage<List<InvocationResult>> invoke(InvocationRequest request);
}
