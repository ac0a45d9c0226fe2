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
 * @param maxSeries    {@code tasks_added} series tracked at most per endpoint (default {@value #DEFAULT_MAX_SERIES});
 *                     a page's further series are dropped and counted
 * @param maxTasksPerSecond the largest plausible rate of one series (default
 *                     {@value #DEFAULT_MAX_TASKS_PER_SECOND}); a larger increase is cut to it and counted
 */
public record MatchingMetricsSettings(List<URI> endpoints, Duration interval, Duration timeout, String namespace,
                                      String metricPrefix, int maxSeries, double maxTasksPerSecond) {

    public static final long DEFAULT_INTERVAL_MILLIS = 500;
    public static final long DEFAULT_TIMEOUT_MILLIS = 1000;
    public static final int DEFAULT_MAX_SERIES = 50_000;
    public static final double DEFAULT_MAX_TASKS_PER_SECOND = 10_000;
    /** Bounds of maxSeries: the upper one keeps the tracked series within about a gigabyte. */
    public static final int MIN_MAX_SERIES = 1;
    public static final int MAX_MAX_SERIES = 1_000_000;
    public static final double MAX_MAX_TASKS_PER_SECOND = 1e9;
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
        if (maxSeries < MIN_MAX_SERIES || maxSeries > MAX_MAX_SERIES) {
            throw new IllegalArgumentException("maxSeries must be between " + MIN_MAX_SERIES + " and " + MAX_MAX_SERIES
                    + ", got " + maxSeries);
        }
        if (!(maxTasksPerSecond > 0) || maxTasksPerSecond > MAX_MAX_TASKS_PER_SECOND) {
            throw new IllegalArgumentException("maxTasksPerSecond must be positive and at most 1e9, got "
                    + maxTasksPerSecond);
        }
        if (namespace.isBlank()) {
            throw new IllegalArgumentException("namespace must not be blank");
        }
        if (!metricPrefix.isEmpty() && !metricPrefix.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
            throw new IllegalArgumentException("metricPrefix '" + metricPrefix + "' is not a metric name prefix "
                    + "(letters, digits, '_' and ':', not starting with a digit)");
        }
    }

    /** With the default series cap and rate bound. */
    public MatchingMetricsSettings(List<URI> endpoints, Duration interval, Duration timeout, String namespace,
                                   String metricPrefix) {
        this(endpoints, interval, timeout, namespace, metricPrefix, DEFAULT_MAX_SERIES, DEFAULT_MAX_TASKS_PER_SECOND);
    }

    /** The given endpoints and namespace with the default interval and timeout, no prefix. */
    public static MatchingMetricsSettings of(List<URI> endpoints, String namespace) {
        return new MatchingMetricsSettings(endpoints, Duration.ofMillis(DEFAULT_INTERVAL_MILLIS),
                Duration.ofMillis(DEFAULT_TIMEOUT_MILLIS), namespace, "");
    }
}
