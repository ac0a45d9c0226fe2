package dev.wci.server.lease;

import dev.wci.core.compute.ComputeFailure;
import dev.wci.core.compute.ComputeProvider;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.InvocationRequest;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.version.DeploymentVersion;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * The last gate before an invoke leaves the replica: the request goes out only while the replica holds the lease
 * of the request's deployment. A decision queued before the lease was lost ends here as FENCED (its ledger entries
 * are dropped, no backoff, no circuit, counted as {@code result="fenced"} rather than as a failure), without reaching
 * the compute platform.
 */
public final class LeaseGatedProvider implements ComputeProvider {

    private final ComputeProvider delegate;
    private final Predicate<String> holds;

    /**
     * @param holds whether this replica holds a deployment's lease now
     */
    public LeaseGatedProvider(ComputeProvider delegate, Predicate<String> holds) {
        this.delegate = delegate;
        this.holds = holds;
    }

    @Override
    public String type() {
        return delegate.type();
    }

    @Override
    public CompletionStage<TargetValidation> validate(ComputeTarget target, DeploymentVersion version) {
        return delegate.validate(target, version);
    }

    @Override
    public CompletionStage<List<InvocationResult>> invoke(InvocationRequest request) {
        String deployment = request.group().version().deploymentName();
        if (holds.test(deployment)) {
            return delegate.invoke(request);
        }
        ComputeFailure failure = ComputeFailure.of(FailureClass.FENCED, "not invoked: this replica does not hold "
                + "the lease of deployment " + deployment + " (fenced)");
        return CompletableFuture.completedFuture(request.invocationIds().stream()
                .map(id -> (InvocationResult) new InvocationResult.Failed(id, failure)).toList());
    }
}
