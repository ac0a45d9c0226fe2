package dev.wci.core.scaling;

import dev.wci.core.version.ScalingGroupId;
import java.time.Duration;

/**
 * Hears what the worker census taught the scaler, for logs and metrics. Called outside the scaler's lock, on the
 * thread that delivered the census; implementations must be quick and thread-safe.
 */
public interface ScalerObserver {

    ScalerObserver NONE = new ScalerObserver() {
    };

    /**
     * The census listed a worker this process invoked for the first time.
     *
     * @param coldStart from the invoking decision to the worker's readiness (its start as reported, or when first
     *                  seen): the real cold start, including the census delay when no start time was reported
     */
    default void workerSeen(ScalingGroupId group, String invocationId, Duration coldStart) {
    }

    /** The census listed a running worker of the group that this process did not invoke: it counts as capacity. */
    default void workerAdopted(ScalingGroupId group, String identity) {
    }

    /**
     * An accepted invocation was not listed by the census within the failed-start bound: its worker never polled
     * the version (the function failed at start, or its workers poll another version). Worth a WARN.
     *
     * @param unseenFor how long after the invoking decision it was given up
     */
    default void failedStart(ScalingGroupId group, String invocationId, String requestId, Duration unseenFor) {
    }
}
