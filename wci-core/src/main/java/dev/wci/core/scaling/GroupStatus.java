package dev.wci.core.scaling;

import dev.wci.core.compute.ComputeFailure;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.version.ScalingGroupId;
import java.time.Instant;

/**
 * A scaling group as the scaler sees it now, for {@code /status} and metrics.
 *
 * @param circuitOpenedBy   why the target is invalid, or null
 * @param backoffUntil      end of the throttle backoff, or null if none
 * @param budgetRemaining   worker-seconds left in the version's rolling hour (infinite if no budget)
 * @param phantomsEnded     times the ledger's ready workers were found to have exited unseen (see
 *                          docs/scaler.md): expected after bursts; rising in steady traffic, it means the idle-exit
 *                          setting does not match the workers
 * @param invokeLoopSuspect why the target is held back as an invoke loop, or null
 * @param census            what the worker census says of the group; {@code live} counts from it while it is live
 */
public record GroupStatus(ScalingGroupId group, ComputeTarget target, LiveWorkers live, double backlog,
                          double arrivalRate, double workerThroughput, long coldStartMillis, boolean rateLimited,
                          ComputeFailure circuitOpenedBy, Instant backoffUntil, int invokeTokens,
                          double budgetRemaining, int ledgerSize, long phantomsEnded,
                          String invokeLoopSuspect, GroupCensus census) {
}
