package dev.wci.local.lambda;

/** A local runtime configuration file that cannot be used; the message names file, line, field and the problem. */
public final class LocalLambdaConfigException extends RuntimeException {

    public LocalLambdaConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
