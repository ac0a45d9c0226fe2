package dev.wci.local.lambda;

/** Runs one invocation of a handler to completion, error or timeout. Implementations are thread-safe. */
interface HandlerExecutor extends AutoCloseable {

    /**
     * One invocation to run.
     *
     * @param deadlineEpochMillis when the function timeout expires; the executor stops the handler then
     */
    record Execution(String requestId, String functionName, String functionArn, LocalFunctionVersion version,
                     byte[] payload, long deadlineEpochMillis, String region) {
    }

    /**
     * The end of an invocation.
     *
     * @param outcome SUCCESS, ERROR or TIMEOUT
     * @param body    the response payload, or a Lambda error body ({@code errorMessage}, {@code errorType})
     * @param error   a short error description when not SUCCESS
     */
    record Result(InvocationOutcome outcome, byte[] body, String error) {
    }

    /** Blocks until the invocation ends; interrupting the caller stops the handler. */
    Result execute(Execution execution) throws InterruptedException;

    /** Releases anything cached for a version that was deleted. */
    default void forget(String functionName, String version) {
    }

    @Override
    void close();
}
