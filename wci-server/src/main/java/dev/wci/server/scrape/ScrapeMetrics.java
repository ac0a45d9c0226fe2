package dev.wci.server.scrape;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The matching-metrics source's meters. Tag values come from closed sets or from the configured endpoints, so the
 * scraped server cannot blow up the number of time series.
 *
 * <ul>
 *   <li>{@code wci.scrape.requests} (endpoint, result = ok | timeout | connect_error | io_error | http_error |
 *       too_large | parse_error | busy | error): scrapes by outcome</li>
 *   <li>{@code wci.scrape.duration} (endpoint): time of one request, to the last byte or the failure</li>
 *   <li>{@code wci.scrape.series} (endpoint): {@code tasks_added} series of the namespace remembered</li>
 *   <li>{@code wci.scrape.resets} (endpoint): series whose counter went down (the matching process restarted)</li>
 *   <li>{@code wci.scrape.oddities} (endpoint, kind = invalid_value | dip | reset | implausible_increase): samples
 *       that counters should not produce (see {@link EndpointCounters})</li>
 *   <li>{@code wci.scrape.series.dropped} (endpoint): series of a page left out by the {@code maxSeries} cap</li>
 *   <li>{@code wci.scrape.tasks} (result = the server's {@code task_add_result}: backlog | sync_match |
 *       sync_match_unavailable | throttled | failure | other): task adds of the namespace seen, all endpoints</li>
 *   <li>{@code wci.scrape.unattributed} (reason): backlogged or throttled tasks that led to no signal</li>
 *   <li>{@code wci.scrape.signals}: sync-match failures delivered to the sink</li>
 * </ul>
 */
final class ScrapeMetrics {

    static final String REQUESTS = "wci.scrape.requests";
    static final String DURATION = "wci.scrape.duration";
    static final String SERIES = "wci.scrape.series";
    static final String RESETS = "wci.scrape.resets";
    static final String ODDITIES = "wci.scrape.oddities";
    static final String DROPPED = "wci.scrape.series.dropped";
    static final String TASKS = "wci.scrape.tasks";
    static final String UNATTRIBUTED = "wci.scrape.unattributed";
    static final String SIGNALS = "wci.scrape.signals";

    static final Set<String> RESULTS = Set.of("backlog", "sync_match", "sync_match_unavailable", "throttled",
            "failure");

    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> series = new ConcurrentHashMap<>();

    ScrapeMetrics(MeterRegistry registry, Collection<String> endpoints) {
        this.registry = Objects.requireNonNull(registry, "registry");
        for (String endpoint : endpoints) {
            AtomicInteger count = new AtomicInteger();
            series.put(endpoint, count);
            Gauge.builder(SERIES, count, AtomicInteger::get)
                    .tag("endpoint", endpoint)
                    .description("tasks_added series of the namespace remembered for this endpoint")
                    .register(registry);
        }
    }

    /** The registry's monotonic time in nanoseconds, for durations. */
    long monotonicNanos() {
        return registry.config().clock().monotonicTime();
    }

    void request(String endpoint, String result, Duration took) {
        registry.counter(REQUESTS, "endpoint", endpoint, "result", result).increment();
        Timer.builder(DURATION).tag("endpoint", endpoint).register(registry).record(took);
    }

    void series(String endpoint, int count) {
        series.get(endpoint).set(count);
    }

    void resets(String endpoint, int count) {
        registry.counter(RESETS, "endpoint", endpoint).increment(count);
    }

    void oddities(String endpoint, EndpointCounters.Oddity kind, int count) {
        registry.counter(ODDITIES, "endpoint", endpoint, "kind", kind.tag()).increment(count);
    }

    void dropped(String endpoint, int count) {
        registry.counter(DROPPED, "endpoint", endpoint).increment(count);
    }

    void tasks(String result, long count) {
        registry.counter(TASKS, "result", RESULTS.contains(result) ? result : "other").increment(count);
    }

    void unattributed(Attribution.Unattributed reason, long count) {
        registry.counter(UNATTRIBUTED, "reason", reason.tag()).increment(count);
    }

    void signals(int count) {
        registry.counter(SIGNALS).increment(count);
    }
}
