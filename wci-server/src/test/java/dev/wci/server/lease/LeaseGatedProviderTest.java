package dev.wci.server.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.wci.core.compute.ComputeProvider;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.InvocationRequest;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroupId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class LeaseGatedProviderTest {

    final List<InvocationRequest> sent = new ArrayList<>();
    final ComputeProvider lambda = new ComputeProvider() {
        @Override
        public String type() {
            return "aws-lambda";
        }

        @Override
        public CompletionStage<TargetValidation> validate(ComputeTarget target, DeploymentVersion version) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletionStage<List<InvocationResult>> invoke(InvocationRequest request) {
            sent.add(request);
            return CompletableFuture.completedFuture(request.invocationIds().stream()
                    .map(id -> (InvocationResult) new InvocationResult.Accepted(id, Instant.EPOCH, "req-" + id)).toList());
        }
    };

    @Test
    void anInvokeLeavesOnlyWhileTheLeaseIsHeld() {
        AtomicBoolean held = new AtomicBoolean(true);
        Set<String> asked = new java.util.HashSet<>();
        LeaseGatedProvider gate = new LeaseGatedProvider(lambda, d -> {
            asked.add(d);
            return held.get();
        });
        InvocationRequest request = new InvocationRequest(new ScalingGroupId(new DeploymentVersion("orders", "v1"),
                "default"), new ComputeTarget("aws-lambda", "arn:aws:lambda:us-east-1:1:function:f:1"),
                List.of("i1", "i2"), "SIGNAL", Instant.EPOCH);

        List<InvocationResult> ok = gate.invoke(request).toCompletableFuture().join();
        assertEquals(1, sent.size());
        assertInstanceOf(InvocationResult.Accepted.class, ok.get(0));
        assertEquals(Set.of("orders"), asked, "the gate asks about the request's deployment");

        held.set(false);
        List<InvocationResult> refused = gate.invoke(request).toCompletableFuture().join();
        assertEquals(1, sent.size(), "nothing reached the provider once the lease could not be proven");
        assertEquals(2, refused.size());
        InvocationResult.Failed f = assertInstanceOf(InvocationResult.Failed.class, refused.get(1));
        assertEquals("i2", f.invocationId());
        assertEquals(FailureClass.FENCED, f.failure().failureClass(), "its own result: not a failure of the target");
        assertEquals(false, f.failure().failureClass().opensCircuit(), "no circuit");
        assertEquals("not invoked: this replica does not hold the lease of deployment orders (fenced)",
                f.failure().message());
        assertEquals("aws-lambda", gate.type());
    }
}
