package dev.wci.core.limits;

/** Every limit that can trim a decision. Each appears in decisions, status and metrics under this name. */
public enum LimitKind {
    /** The target is invalid until re-validated. */
    CIRCUIT_OPEN,
    /**
     * The target is half-open after trouble (an invalid-target failure, a throttle or a transient failure): one probe
     * invocation at a time until one is accepted.
     */
    CIRCUIT_HALF_OPEN,
    /** The target is ramping back after an accepted probe: each accepted request doubles how many may go at once. */
    CIRCUIT_RAMP,
    /** The target's invocations never led to progress on the version (invoke loop): only probes go. */
    INVOKE_LOOP_SUSPECT,
    /** The provider throttled this target or failed transiently recently: wait before the probe. */
    THROTTLE_BACKOFF,
    /** Live workers of this version would exceed the cap. */
    VERSION_CAP,
    /** Live workers over all versions would exceed the cap. */
    TOTAL_CAP,
    /** The target's invoke-rate bucket is empty. */
    INVOKE_RATE,
    /** The version's worker-seconds budget for the rolling hour is spent. */
    VERSION_BUDGET,
    /** The overall worker-seconds budget for the rolling hour is spent. */
    TOTAL_BUDGET
}
