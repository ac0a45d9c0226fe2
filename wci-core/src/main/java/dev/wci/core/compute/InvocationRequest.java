package dev.wci.core.compute;

import dev.wci.core.version.ScalingGroupId;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A request to start {@code invocationIds.size()} workers of one scaling group on its target.
 *
 * @param group         the scaling group (and so the version) the workers serve
 * @param target        where to start them
 * @param invocationIds one id per worker, unique, chosen by the controller
 * @param reason        why, for the worker's log (e.g. {@code SCALE_FROM_ZERO})
 * @param requestedAt   when the decision was taken
 */
public record InvocationRequest(ScalingGroupId group, ComputeTarget target, List<String> invocationIds,
                                String reason, Instant requestedAt) {

    public InvocationRequest {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(requestedAt, "requestedAt");
        invocationIds = List.copyOf(invocationIds);
        if (invocationIds.isEmpty()) {
            throw new IllegalArgumentException("an invocation request starts at least one worker");
        }
    }

    public int count() {
        return invocationIds.size();
    }
}
