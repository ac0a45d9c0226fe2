package dev.wci.local.lambda;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A function served by the local runtime.
 *
 * @param name                the function name (not an ARN)
 * @param reservedConcurrency reserved concurrency, or null for none (uses the unreserved account pool)
 * @param eventInvokeConfig   asynchronous-invocation settings, or null when the function has none
 * @param versions            published versions, at least one
 */
public record LocalFunction(
        String name,
        Integer reservedConcurrency,
        EventInvokeConfig eventInvokeConfig,
        List<LocalFunctionVersion> versions) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public LocalFunction {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "name must be 1-64 letters, digits, '-' or '_' (a plain name, not an ARN), got '" + name + "'");
        }
        if (reservedConcurrency != null && reservedConcurrency < 0) {
            throw new IllegalArgumentException("reservedConcurrency must be >= 0, got " + reservedConcurrency);
        }
        if (versions == null || versions.isEmpty()) {
            throw new IllegalArgumentException("function '" + name + "' needs at least one entry in versions");
        }
        versions = List.copyOf(versions);
        Set<String> seen = new HashSet<>();
        for (LocalFunctionVersion v : versions) {
            if (!seen.add(v.version())) {
                throw new IllegalArgumentException("function '" + name + "' lists version " + v.version() + " twice");
            }
        }
    }
}
