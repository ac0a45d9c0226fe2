package dev.wci.local.lambda;

/** How a local invocation ended (or that it has not yet). */
public enum InvocationOutcome {
    /** Accepted, not yet finished. */
    RUNNING,
    /** The handler returned normally. */
    SUCCESS,
    /** The handler threw, or its process exited without a result. */
    ERROR,
    /** The function timeout was reached and the invocation was killed. */
    TIMEOUT,
    /** Refused with 429 because a concurrency limit was reached; never started. */
    THROTTLED
}
