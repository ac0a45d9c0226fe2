package dev.wci.sim;

import java.time.Duration;

/**
 * Overrides of a workload's defaults; a null field keeps the workload's own default
 * (see {@link WorkloadKind}).
 *
 * @param duration     how long tasks keep arriving
 * @param rate         tasks per second: the Poisson rate (steady, long), the background rate (spikes),
 *                     the peak rate (diurnal); unused by burst
 * @param burstSize    tasks arriving at once (burst, and each spike)
 * @param taskDuration median task run time (durations are lognormal around it)
 * @param versions     number of deployment versions the tasks are spread over (uniformly)
 * @param taskSigma    sigma of the task durations' lognormal (their spread around the median)
 */
public record WorkloadParams(Duration duration, Double rate, Integer burstSize, Duration taskDuration,
                             Integer versions, Double taskSigma) {

    public WorkloadParams {
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            throw new IllegalArgumentException("workload duration must be positive, got " + duration);
        }
        if (rate != null && !(rate > 0 && rate <= 100_000)) {
            throw new IllegalArgumentException("rate must be within (0, 100000] tasks/s, got " + rate);
        }
        if (burstSize != null && (burstSize < 1 || burstSize > 1_000_000)) {
            throw new IllegalArgumentException("burst size must be within 1..1000000, got " + burstSize);
        }
        if (taskDuration != null && (taskDuration.isNegative() || taskDuration.isZero())) {
            throw new IllegalArgumentException("task duration must be positive, got " + taskDuration);
        }
        if (versions != null && (versions < 1 || versions > 1000)) {
            throw new IllegalArgumentException("versions must be within 1..1000, got " + versions);
        }
        if (taskSigma != null && !(taskSigma >= 0 && taskSigma <= 3)) {
            throw new IllegalArgumentException("task sigma must be within 0..3, got " + taskSigma);
        }
    }

    /** Overrides without a task sigma (the workload's own). */
    public WorkloadParams(Duration duration, Double rate, Integer burstSize, Duration taskDuration, Integer versions) {
        this(duration, rate, burstSize, taskDuration, versions, null);
    }

    /** No override: every workload uses its defaults. */
    public static WorkloadParams defaults() {
        return new WorkloadParams(null, null, null, null, null, null);
    }
}
