package dev.wci.server.config;

import java.util.Objects;

/**
 * One mistake in a configuration file, printed on one line as
 * {@code file:line:column: path: expected WHAT, found WHAT}.
 *
 * <p>{@code found} never holds a secret: for secret fields it says "the value" instead.
 *
 * @param location where the mistake is; line 0 when it concerns the whole file (e.g. the file is missing)
 * @param path     the field path, e.g. {@code deployments[0].versions[1].target}; empty for the whole file
 * @param expected what the field should hold
 * @param found    what it holds, quoted when it is the value as written, with a hint on how to fix it if any
 */
public record ConfigError(ConfigLocation location, String path, String expected, String found) {

    public ConfigError {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(found, "found");
    }

    /** The one-line message: {@code wci.yaml:12:7: deployments[0].target: expected ..., found ...}. */
    public String message() {
        String where = location.line() > 0 ? location.toString() : location.file().toString();
        return where + ": " + (path.isEmpty() ? "" : path + ": ") + "expected " + expected + ", found " + found;
    }

    @Override
    public String toString() {
        return message();
    }
}
