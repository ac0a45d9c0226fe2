package dev.wci.server.scrape;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of the {@code matching-metrics} signal source.
 *
 * @param endpoints    the Prometheus endpoints of the Temporal matching service, one per matching process
 *                     (e.g. {@code http://matching-0.matching:9090/metrics}); not a load-balanced address, since
 *                     counters are tracked per process
 * @param interval     time between scrape rounds (default {@value #DEFAULT_INTERVAL_MILLIS} ms)
 * @param timeout      limit for one request, connection to last byte (default {@value #DEFAULT_TIMEOUT_MILLIS}
 *                     ms); a round waits for its slowest endpoint up to this long
 * @param namespace    the Temporal namespace whose task queues are read; others are ignored
 * @param metricPrefix the server's metric name prefix ({@code global.metrics.prefix} in the Temporal server
 *                     configuration), empty when none (default)
 */
public record MatchingMetricsSettings(List<URI> endpoints, Duration interval, Duration timeout, String namespace,
                                      String metricPrefix) {

    public static final long DEFAULT_INTERVAL_MILLIS = 500;
    public static final long DEFAULT_TIMEOUT_MILLIS = 1000;
    /** Shortest interval accepted: faster scrapes cost the matching service without adding information. */
    public static final Duration MIN_INTERVAL = Duration.ofMillis(100);

    public MatchingMetricsSettings {
        Objects.requireNonNull(endpoints, "endpoints");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(metricPrefix, "metricPrefix");
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one matching metrics endpoint is needed");
        }
        Set<URI> distinct = new HashSet<>();
        for (URI endpoint : endpoints) {
            String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || endpoint.getHost() == null) {
                throw new IllegalArgumentException("endpoint '" + endpoint + "' is not an http(s) URL with a host, "
                        + "e.g. http://matching-0.matching:9090/metrics");
            }
            if (!distinct.add(endpoint.normalize())) {
                throw new IllegalArgumentException("endpoint '" + endpoint + "' is listed twice");
            }
        }
        if (interval.compareTo(MIN_INTERVAL) < 0) {
            throw new IllegalArgumentException("interval must be at least " + MIN_INTERVAL.toMillis() + " ms, got "
                    + interval.toMillis() + " ms");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        if (namespace.isBlank()) {
            throw new IllegalArgumentException("namespace must not be blank");
        }
        if (!metricPrefix.isEmpty() && !metricPrefix.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
            throw new IllegalArgumentException("metricPrefix '" + metricPrefix + "' is not a metric name prefix "
                    + "(letters, digits, '_' and ':', not starting with a digit)");
        }
    }

    /** The given endpoints and namespace with the default interval and timeout, no prefix. */
    public static MatchingMetricsSettings of(List<URI> endpoints, String namespace) {
        return new MatchingMetricsSettings(endpoints, Duration.ofMillis(DEFAULT_INTERVAL_MILLIS),
                Duration.ofMillis(DEFAULT_TIMEOUT_MILLIS), namespace, "");
    }
}
