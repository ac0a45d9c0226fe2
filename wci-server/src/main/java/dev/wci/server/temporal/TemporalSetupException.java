package dev.wci.server.temporal;

/**
 * The Temporal connection cannot be set up from the configuration (a TLS file missing or unreadable, a key
 * in the wrong format). A user error: the message says which file and what was expected; no stack trace.
 */
public final class TemporalSetupException extends RuntimeException {

    public TemporalSetupException(String message) {
        super(message, null, false, false);
    }
}
