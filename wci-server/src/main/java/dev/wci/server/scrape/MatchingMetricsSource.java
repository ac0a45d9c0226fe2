package dev.wci.server.scrape;

import dev.wci.core.registry.VersionLookup;
import dev.wci.core.signal.SignalSink;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.server.scrape.Attribution.Counts;
import dev.wci.server.scrape.Attribution.Outcome;
import dev.wci.server.scrape.Attribution.QueueSeries;
import dev.wci.server.scrape.EndpointCounters.Series;
import dev.wci.server.scrape.PrometheusText.Sample;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code matching-metrics} signal source (self-hosted Temporal only): scrapes the Prometheus endpoints of the
 * matching service every interval and turns increases of the counter {@code tasks_added} into
 * {@link SyncMatchFailure}s of managed versions. See docs/matching-metrics.md.
 *
 * <p>Per round, all endpoints are fetched at once; for each, the increase of every {@code tasks_added} series of the
 * namespace since the endpoint's previous successful scrape is computed (see {@link EndpointCounters} for
 * baselines, resets and vanished series), the increases are summed over endpoints per task queue, type and version,
 * and the result is attributed (see {@link Attribution}):
 * <ul>
 *   <li>{@code task_add_result="backlog"}: the task found no waiting worker and was written to the backlog:
 *       {@code notMatchedCount};</li>
 *   <li>{@code "throttled"}: matching refused the add (resource exhausted): more workers would not help,
 *       {@code rateLimitedCount};</li>
 *   <li>{@code "sync_match_unavailable"} is read but not counted: it is the root partition's answer to a child
 *       partition that forwarded a task and found no worker there either. The child then counts the task as
 *       {@code backlog}, and forwards it again and again while it waits, each time counted here: on a captured
 *       server, 3 backlogged tasks came with 89 of these in 3 seconds;</li>
 *   <li>{@code "sync_match"} and {@code "failure"} are counted in {@code wci.scrape.tasks} only.</li>
 * </ul>
 * A failed endpoint is logged when it starts and stops failing, counted, and tried again next round; the others
 * go on.
 */
public final class MatchingMetricsSource implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MatchingMetricsSource.class);
    private static final String METRIC = "tasks_added";
    /** The Prometheus Go client's process start time: when it changes, the process restarted. */
    static final String START_TIME = "process_start_time_seconds";
    /** Oddities logged once per series and kind, for this many series and kinds per endpoint; then counted only. */
    static final int MAX_LOGGED_ODDITIES = 1000;
    /**
     * Demand that could not be attributed (a task queue, routing change or version WCI's registry has not read
     * yet: it syncs every 10 s) is retried for this long before it is dropped and counted as unattributed.
     */
    static final Duration RETRY_UNATTRIBUTED = Duration.ofSeconds(30);

    private final MatchingMetricsSettings settings;
    private final TaskQueueDirectory directory;
    private final SignalSink sink;
    private final Clock clock;
    private final MetricsFetcher fetcher;
    private final Attribution attribution;
    private final ScrapeMetrics metrics;
    private final List<Endpoint> endpoints;
    private final Set<String> metricNames;
    private final Predicate<String> wanted;
    private final Set<String> namespaceLabels;
    private final Object roundLock = new Object();
    private ScheduledExecutorService scheduler;
    private volatile boolean closed;
    private boolean attributionFailing;
    /** Unattributed demand waiting for another try, guarded by roundLock. */
    private final Map<QueueSeries, Pending> pending = new HashMap<>();

    private record Pending(Counts counts, Instant since) {
    }

    /**
     * @param settings  endpoints, interval, timeout, namespace
     * @param versions  which versions are managed, and which receive a deployment's unpinned tasks
     * @param directory the task queues of the versions, to attribute unversioned series and to recover the real
     *                  names behind sanitized label values
     * @param sink      where sync-match failures go
     * @param meters    registry for the {@code wci.scrape.*} meters
     * @param clock     time of observation of the signals
     */
    public MatchingMetricsSource(MatchingMetricsSettings settings, VersionLookup versions,
                                 TaskQueueDirectory directory, SignalSink sink, MeterRegistry meters, Clock clock) {
        this(settings, versions, directory, sink, meters, clock, new HttpMetricsFetcher(settings.timeout()));
    }

    MatchingMetricsSource(MatchingMetricsSettings settings, VersionLookup versions, TaskQueueDirectory directory,
                          SignalSink sink, MeterRegistry meters, Clock clock, MetricsFetcher fetcher) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.fetcher = Objects.requireNonNull(fetcher, "fetcher");
        this.attribution = new Attribution(versions);
        this.endpoints = settings.endpoints().stream()
                .map(uri -> new Endpoint(uri, new EndpointCounters(settings.maxSeries(), settings.maxTasksPerSecond())))
                .toList();
        this.metrics = new ScrapeMetrics(meters, endpoints.stream().map(e -> e.tag).toList());
        String name = settings.metricPrefix() + METRIC;
        // Tally exports counters under their name; OpenTelemetry exporters add the _total suffix.
        this.metricNames = Set.of(name, name + "_total");
        this.wanted = n -> metricNames.contains(n) || n.equals(START_TIME)
                || n.equals(settings.metricPrefix() + START_TIME);
        this.namespaceLabels = Set.copyOf(List.of(settings.namespace(), TallyNames.sanitize(settings.namespace())));
    }

    /** Starts scraping: a round now, then one every interval (measured start to start). */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("the matching-metrics source is closed");
        }
        if (scheduler != null) {
            throw new IllegalStateException("the matching-metrics source is already started");
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "wci-matching-metrics");
            t.setDaemon(true);
            return t;
        });
        log.info("matching-metrics: scraping {} every {} ms for namespace '{}'",
                endpoints.stream().map(e -> e.tag).toList(), settings.interval().toMillis(), settings.namespace());
        scheduler.execute(this::scheduledRound);
    }

    private void scheduledRound() {
        long started = System.nanoTime();
        try {
            scrapeOnce();
        } catch (RuntimeException e) {
            // Never let one bad round stop the source.
            log.error("matching-metrics: a scrape round failed", e);
        }
        if (closed) {
            return;
        }
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        try {
            scheduler.schedule(this::scheduledRound, Math.max(0, settings.interval().toMillis() - elapsed),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /**
     * Runs one round: scrapes every endpoint, delivers the resulting signals to the sink, and returns them.
     * Rounds never overlap; nothing is delivered once the source is closed.
     */
    public List<SyncMatchFailure> scrapeOnce() {
        synchronized (roundLock) {
            if (closed) {
                return List.of();
            }
            Map<Endpoint, CompletableFuture<Fetched>> pages = new LinkedHashMap<>();
            for (Endpoint e : endpoints) {
                long startedAt = metrics.monotonicNanos();
                EndpointCounters.Page page = e.counters.page();
                PrometheusText.Reader reader = new PrometheusText.Reader(wanted, sample -> take(page, sample));
                CompletableFuture<Void> fetch;
                try {
                    fetch = fetcher.fetch(e.uri, reader::line);
                } catch (RuntimeException ex) {
                    fetch = CompletableFuture.failedFuture(ex);
                }
                // The fetcher stops its own request at the timeout; this is the backstop for one that does not.
                // Completing the fetch (here with a timeout) cancels its request.
                pages.put(e, fetch.orTimeout(backstop(), TimeUnit.MILLISECONDS)
                        .handle((v, error) -> new Fetched(page, error,
                                Duration.ofNanos(metrics.monotonicNanos() - startedAt))));
            }
            Map<QueueSeries, Counts> demand = new HashMap<>();
            Map<String, Long> tasks = new HashMap<>();
            for (Map.Entry<Endpoint, CompletableFuture<Fetched>> p : pages.entrySet()) {
                Fetched fetched;
                try {
                    fetched = p.getValue().get();
                } catch (InterruptedException ex) {
                    // close() stops the scrape thread.
                    Thread.currentThread().interrupt();
                    pages.values().forEach(f -> f.cancel(true));
                    return List.of();
                } catch (ExecutionException | CancellationException ex) {
                    // handle() turns every fetch failure into a Fetched; this is only for safety.
                    fetched = new Fetched(null, ex, Duration.ZERO);
                }
                if (fetched.error() != null) {
                    failed(p.getKey(), fetched.took(), fetched.error());
                } else {
                    read(p.getKey(), fetched, demand, tasks);
                }
            }
            tasks.forEach(metrics::tasks);
            Instant now = clock.instant();
            // Demand not attributed in earlier rounds gets another chance: the registry may know more now.
            pending.forEach((series, p) -> demand.merge(series, p.counts(), Counts::plus));
            if (demand.isEmpty() || closed) {
                return List.of();
            }
            Outcome outcome;
            try {
                outcome = attribution.attribute(demand, directory.knownTaskQueues(), now);
            } catch (RuntimeException ex) {
                // The directory and version lookup are WCI's own: log when it starts and stops failing.
                if (!attributionFailing) {
                    attributionFailing = true;
                    log.warn("matching-metrics: cannot attribute tasks to versions; their signals are lost until "
                            + "it works again", ex);
                }
                return List.of();
            }
            if (attributionFailing) {
                attributionFailing = false;
                log.info("matching-metrics: attributing tasks to versions works again");
            }
            outcome.unattributed().forEach(metrics::unattributed);
            Map<QueueSeries, Pending> stillPending = new HashMap<>();
            outcome.unresolved().forEach((series, u) -> {
                Pending before = pending.get(series);
                Instant since = before == null ? now : before.since();
                if (Duration.between(since, now).compareTo(RETRY_UNATTRIBUTED) < 0) {
                    stillPending.put(series, new Pending(u.counts(), since));
                } else {
                    metrics.unattributed(u.reason(), u.counts().total());
                }
            });
            pending.clear();
            pending.putAll(stillPending);
            if (closed) {
                return List.of();
            }
            List<SyncMatchFailure> delivered = new ArrayList<>();
            for (SyncMatchFailure signal : outcome.signals()) {
                try {
                    sink.accept(signal);
                    delivered.add(signal);
                } catch (RuntimeException ex) {
                    log.warn("matching-metrics: the signal sink failed for {} task queue '{}'", signal.version(),
                            signal.taskQueue(), ex);
                }
            }
            metrics.signals(delivered.size());
            return List.copyOf(delivered);
        }
    }

    /** How long a round waits for a fetch before cancelling it itself: a little over the fetcher's own timeout. */
    private long backstop() {
        long timeout = settings.timeout().toMillis();
        return timeout + Math.max(50, timeout / 4);
    }

    /** Keeps a sample of the page being read: the process start time, and the counters of the namespace. */
    private boolean take(EndpointCounters.Page page, Sample sample) {
        if (!metricNames.contains(sample.name())) {
            if (sample.labels().isEmpty()) {
                page.startTime(sample.value());
            }
            return true;
        }
        if (!namespaceLabels.contains(sample.labels().get("namespace"))) {
            return true;
        }
        return page.add(new Series(sample.name(), sample.labels()), sample.value());
    }

    /** Adds the increases of one endpoint's page to the round. */
    private void read(Endpoint e, Fetched page, Map<QueueSeries, Counts> demand, Map<String, Long> tasks) {
        int seriesCount = page.page().size();
        EndpointCounters.Update update = e.counters.update(page.page(), clock.instant());
        succeeded(e, page.took(), seriesCount, update);
        for (Map.Entry<Series, Long> inc : update.increases().entrySet()) {
            Optional<TaskAddSeries> series = TaskAddSeries.from(inc.getKey().labels());
            if (series.isEmpty()) {
                continue;
            }
            TaskAddSeries s = series.get();
            long n = inc.getValue();
            tasks.merge(s.result(), n, Counts::saturatedSum);
            Counts counts = switch (s.result()) {
                case "backlog" -> new Counts(n, 0);
                case "throttled" -> new Counts(0, n);
                default -> null;
            };
            if (counts != null) {
                demand.merge(new QueueSeries(s.taskQueue(), s.type(), s.version(), s.sticky()), counts, Counts::plus);
            }
        }
    }

    private void succeeded(Endpoint e, Duration took, int seriesCount, EndpointCounters.Update update) {
        metrics.request(e.tag, "ok", took);
        metrics.series(e.tag, e.counters.size());
        if (update.baseline()) {
            log.info("matching-metrics: first scrape of {}: {} {} series for namespace '{}' taken as the baseline",
                    e.tag, seriesCount, METRIC, settings.namespace());
        }
        if (e.failures > 0) {
            log.info("matching-metrics: {} answers again, after {} failed scrapes", e.tag, e.failures);
            e.failures = 0;
        }
        if (update.resets() > 0) {
            metrics.resets(e.tag, update.resets());
        }
        if (update.restarted()) {
            log.info("matching-metrics: {} has a new process start time: the matching process restarted; the new "
                    + "values of its {} series count as tasks added since", e.tag, update.resets());
        }
        update.oddities().forEach((kind, count) -> metrics.oddities(e.tag, kind, count));
        for (EndpointCounters.Event event : update.examples()) {
            if (update.restarted() && event.kind() == EndpointCounters.Oddity.RESET) {
                continue; // said once for the whole page above
            }
            oddity(e, event);
        }
        if (update.dropped() > 0) {
            metrics.dropped(e.tag, update.dropped());
            if (!e.capBiting) {
                e.capBiting = true;
                log.warn("matching-metrics: {} has more than {} {} series for namespace '{}' (the maxSeries cap): {} "
                        + "further series are left out and counted in wci_scrape_series_dropped_total; logged again "
                        + "when it fits", e.tag, settings.maxSeries(), METRIC, settings.namespace(), update.dropped());
            }
        } else if (e.capBiting) {
            e.capBiting = false;
            log.info("matching-metrics: {} fits under the maxSeries cap of {} series again", e.tag,
                    settings.maxSeries());
        }
    }

    /** Logs an oddity once per series and kind (for up to {@link #MAX_LOGGED_ODDITIES} of them). */
    private void oddity(Endpoint e, EndpointCounters.Event event) {
        if (e.loggedOddities.size() >= MAX_LOGGED_ODDITIES) {
            if (!e.oddityLogFull) {
                e.oddityLogFull = true;
                log.warn("matching-metrics: {}: {} series have had oddities; further ones are counted in "
                        + "wci_scrape_oddities_total but not logged", e.tag, MAX_LOGGED_ODDITIES);
            }
            return;
        }
        if (!e.loggedOddities.add(Map.entry(event.kind(), event.series()))) {
            return;
        }
        String what = switch (event.kind()) {
            case INVALID_VALUE -> "a value that is negative, not finite or above 2^53, ignored";
            case DIP -> "a counter that went down a little, ignored (a reset needs a new process start time or a "
                    + "fall below half)";
            case RESET -> "a counter that fell below half: the matching process restarted; its new value counts";
            case IMPLAUSIBLE_INCREASE -> "an increase above maxTasksPerSecond (" + settings.maxTasksPerSecond()
                    + "/s), cut to it";
        };
        String line = "matching-metrics: {}: {} on {}: {} (wci_scrape_oddities_total{kind=\"{}\"}; logged once "
                + "per series)";
        if (event.kind() == EndpointCounters.Oddity.RESET) {
            log.info(line, e.tag, what, describe(event.series()), event.detail(), event.kind().tag());
        } else {
            log.warn(line, e.tag, what, describe(event.series()), event.detail(), event.kind().tag());
        }
    }

    /** A series in a log line: its name and the labels WCI reads, printable and short whatever the server sent. */
    static String describe(Series series) {
        StringBuilder sb = new StringBuilder(series.name()).append('{');
        for (String label : List.of("taskqueue", "task_type", "task_add_result", "partition", "worker_version")) {
            String value = series.labels().get(label);
            if (value != null) {
                sb.append(sb.charAt(sb.length() - 1) == '{' ? "" : ",").append(label).append("=\"")
                        .append(value.length() > 80 ? value.substring(0, 80) + "..." : value).append('"');
            }
        }
        return sb.append('}').toString().replaceAll("\\p{Cntrl}", "?");
    }

    private void failed(Endpoint e, Duration took, Throwable cause) {
        String result = result(cause);
        metrics.request(e.tag, result, took);
        String detail = describe(cause);
        if (e.failures++ == 0) {
            log.warn("matching-metrics: cannot scrape {}: {}; trying again every round (logged again when it "
                    + "answers)", e.tag, detail);
        } else {
            log.debug("matching-metrics: cannot scrape {}: {}", e.tag, detail);
        }
    }

    /** The most telling exception in a cause chain: ours first, then timeouts and connection failures. */
    private static Throwable cause(Throwable t) {
        Throwable found = null;
        int rank = Integer.MAX_VALUE;
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            int r = c instanceof ScrapeFailure || c instanceof PrometheusFormatException ? 0
                    : c instanceof TimeoutException || c instanceof HttpTimeoutException ? 1
                    : c instanceof ConnectException ? 2
                    : c instanceof CompletionException || c instanceof ExecutionException
                            || c instanceof UncheckedIOException ? 4
                    : 3;
            if (r < rank) {
                rank = r;
                found = c;
            }
        }
        return found == null ? t : found;
    }

    /** The wci.scrape.requests result tag of a failed scrape. */
    static String result(Throwable failure) {
        Throwable t = cause(failure);
        if (t instanceof ScrapeFailure f) {
            return f.result();
        }
        if (t instanceof PrometheusFormatException) {
            return "parse_error";
        }
        if (t instanceof TimeoutException || t instanceof HttpTimeoutException) {
            return "timeout";
        }
        if (t instanceof ConnectException) {
            return "connect_error";
        }
        if (t instanceof IOException) {
            return "io_error";
        }
        return "error";
    }

    private String describe(Throwable failure) {
        Throwable t = cause(failure);
        if (t instanceof TimeoutException || t instanceof HttpTimeoutException) {
            return "no complete answer within " + settings.timeout().toMillis() + " ms; the request was cancelled and "
                    + "its connection closed";
        }
        if (t instanceof ScrapeFailure) {
            return t.getMessage();
        }
        if (t instanceof PrometheusFormatException) {
            return "the page is not in the Prometheus text format: " + t.getMessage();
        }
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    /** Stops scraping; no signal is delivered after it returns. */
    @Override
    public void close() {
        ScheduledExecutorService s;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            s = scheduler;
        }
        if (s != null) {
            s.shutdownNow();
            try {
                if (!s.awaitTermination(settings.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                    log.warn("matching-metrics: the scrape thread did not stop in time");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // A round running on another thread (scrapeOnce) may be past its last closed check: wait for it.
        synchronized (roundLock) {
            fetcher.close();
            log.debug("matching-metrics: closed");
        }
    }

    /** A fetch's outcome: the page read (when no error), and how long the request took. */
    private record Fetched(EndpointCounters.Page page, Throwable error, Duration took) {
    }

    /** One endpoint and what is known about it. Touched by the scrape round only (under the round lock). */
    private static final class Endpoint {
        final URI uri;
        final String tag;
        final EndpointCounters counters;
        /** Oddities already logged, by kind and series; at most {@link #MAX_LOGGED_ODDITIES}. */
        final Set<Map.Entry<EndpointCounters.Oddity, Series>> loggedOddities = new HashSet<>();
        boolean oddityLogFull;
        boolean capBiting;
        int failures;

        Endpoint(URI uri, EndpointCounters counters) {
            this.uri = uri;
            this.tag = tag(uri);
            this.counters = counters;
        }

        /** scheme://host:port/path: never user info or query, which may hold credentials. */
        static String tag(URI uri) {
            String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            return uri.getScheme() + "://" + uri.getHost() + port + path;
        }
    }
}
