package dev.wci.core.scaling;

import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.limits.LimitTrim;
import dev.wci.core.version.ScalingGroupId;
import java.time.Instant;
import java.util.List;

/**
 * A decision for one scaling group: invoke {@code invocationIds.size()} workers on {@code target}
 * (possibly none), with the reason, the inputs used and any limits that trimmed it.
 *
 * @param requested     workers wanted before limits
 * @param invocationIds ids reserved in the ledger for the workers to start; empty for a hold
 */
public record ScaleDecision(ScalingGroupId group, ComputeTarget target, DecisionReason reason, int requested,
                            List<String> invocationIds, List<LimitTrim> trims, DecisionInputs inputs,
                            Instant decidedAt) {

    public ScaleDecision {
        invocationIds = List.copyOf(invocationIds);
        trims = List.copyOf(trims);
    }

    public int count() {
        return invocationIds.size();
    }

    public boolean invokes() {
        return !invocationIds.isEmpty();
    }
}
