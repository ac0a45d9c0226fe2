package dev.wci.server.cli;

/** A mistake in the user's input: printed as one line, exit code 2, never a stack trace. */
public final class UserError extends RuntimeException {
    public UserError(String message) {
        super(message, null, false, false);
    }
}
