package dev.wci.lambda.arn;

/** A target address that is not a usable Lambda function ARN. The message names the part that is wrong. */
public final class InvalidArnException extends IllegalArgumentException {

    public InvalidArnException(String message) {
        super(message);
    }
}
