package dev.wci.lambda.worker;

/** Why a worker invocation stopped polling. */
public enum ExitReason {
    /** No task arrived and none was running for the idle timeout: the work is gone. */
    IDLE,
    /** The invocation reached its deadline minus the shutdown buffer. */
    DEADLINE,
    /** The worker could not start (bad registration, unreachable server, ...). */
    STARTUP_FAILED
}
