package dev.wci.server.lambdaendpoint;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One HTTP request to WCI's Lambda endpoint, as received: what the signature and the routing need, independent
 * of the HTTP server.
 *
 * @param method   HTTP method
 * @param rawPath  the path as sent (still percent-encoded)
 * @param rawQuery the query as sent, or empty
 * @param headers  header values by lower-case name, in the order received
 * @param body     the request body (bounded by the server before this is built)
 */
record LambdaApiRequest(String method, String rawPath, String rawQuery, Map<String, List<String>> headers,
                        byte[] body) {

    LambdaApiRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(rawPath, "rawPath");
        rawQuery = rawQuery == null ? "" : rawQuery;
        headers = Map.copyOf(headers);
        Objects.requireNonNull(body, "body");
    }

    /** The values of a header (any case), empty when absent. */
    List<String> headers(String name) {
        return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    /** The first value of a header (any case). */
    Optional<String> header(String name) {
        List<String> values = headers(name);
        return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
}
