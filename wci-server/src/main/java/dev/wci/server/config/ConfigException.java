package dev.wci.server.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration file that cannot be used. It carries every mistake the loader found (not just the first);
 * {@link #getMessage()} lists them one per line, in file order. A user error: print the message, never the
 * stack trace (so none is recorded).
 */
public final class ConfigException extends Exception {

    private final transient List<ConfigError> errors;

    public ConfigException(List<ConfigError> errors) {
        super(format(errors), null, false, false);
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    /** The mistakes, in file order. */
    public List<ConfigError> errors() {
        return errors;
    }

    private static String format(List<ConfigError> errors) {
        return errors.stream().map(ConfigError::message).collect(Collectors.joining("\n"));
    }
}
