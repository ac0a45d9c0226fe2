package dev.wci.local.lambda;

/** Where the local runtime runs a handler. */
public enum ExecutionMode {
    /** One fresh JVM per invocation: real cold starts, real isolation, the timeout kills the process. */
    PROCESS,
    /** A thread of the runtime's JVM: cheap, for large local tests; the timeout only interrupts. */
    THREAD
}
