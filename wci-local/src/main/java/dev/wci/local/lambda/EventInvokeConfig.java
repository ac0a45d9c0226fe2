package dev.wci.local.lambda;

/**
 * A function's asynchronous-invocation settings, as {@code GetFunctionEventInvokeConfig} reports them.
 * The local runtime never retries or ages events itself; the values are served so that callers
 * (the controller warns about long retry windows) see what they would see on AWS.
 *
 * @param maximumRetryAttempts     0..2
 * @param maximumEventAgeInSeconds 60..21600
 */
public record EventInvokeConfig(Integer maximumRetryAttempts, Integer maximumEventAgeInSeconds) {

    public EventInvokeConfig {
        if (maximumRetryAttempts != null && (maximumRetryAttempts < 0 || maximumRetryAttempts > 2)) {
            throw new IllegalArgumentException("maximumRetryAttempts must be 0..2, got " + maximumRetryAttempts);
        }
        if (maximumEventAgeInSeconds != null && (maximumEventAgeInSeconds < 60 || maximumEventAgeInSeconds > 21600)) {
            throw new IllegalArgumentException(
                    "maximumEventAgeInSeconds must be 60..21600, got " + maximumEventAgeInSeconds);
        }
    }
}
