package dev.wci.server.scrape;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.wci.core.signal.MatchingSignal;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.signal.SyncMatchFailure.Origin;
import dev.wci.core.testing.FixedVersionLookup;
import dev.wci.core.testing.TestClock;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.TaskQueueType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class MatchingMetricsSourceTest {

    private static final URI E1 = URI.create("http://matching-0.matching:9090/metrics");
    private static final URI E2 = URI.create("http://matching-1.matching:9090/metrics");
    private static final String TAG1 = "http://matching-0.matching:9090/metrics";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static final DeploymentVersion AUTO = new DeploymentVersion("scrape-auto", "build-1.0");
    private static final DeploymentVersion PIN = new DeploymentVersion("scrape-pin2", "b.3");
    private static final DeploymentVersion ORDERS = new DeploymentVersion("orders", "v1");
    private static final List<VersionTaskQueue> KNOWN = List.of(
            new VersionTaskQueue(AUTO, "scrape-q.auto"),
            new VersionTaskQueue(PIN, "scrape-q-pin2"),
            new VersionTaskQueue(new DeploymentVersion("scrape-pin", "b2"), "scrape-q-pin"),
            new VersionTaskQueue(ORDERS, "orders-q"));

    private final TestClock clock = new TestClock(T0);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<MatchingSignal> received = new CopyOnWriteArrayList<>();
    private final ScriptedFetcher fetcher = new ScriptedFetcher();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private MatchingMetricsSource source;

    @BeforeEach
    void captureLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(MatchingMetricsSource.class)).addAppender(logs);
    }

    @AfterEach
    void close() {
        ((Logger) LoggerFactory.getLogger(MatchingMetricsSource.class)).detachAppender(logs);
        if (source != null) {
            source.close();
        }
    }

    private MatchingMetricsSource source(MatchingMetricsSettings settings) {
        source = new MatchingMetricsSource(settings, FixedVersionLookup.current(AUTO, PIN, ORDERS), () -> KNOWN,
                received::add, meters, clock, fetcher);
        return source;
    }

    private MatchingMetricsSource source(URI... endpoints) {
        return source(MatchingMetricsSettings.of(List.of(endpoints), "default"));
    }

    /** A tasks_added line as Temporal 1.32 writes it; {@code version} is "deployment:build" or null. */
    private static String line(String namespace, String queue, String type, String result, String partition,
                               String version, long value) {
        String dep = version == null ? "" : TallyNames.sanitize(version.substring(0, version.indexOf(':')));
        String build = version == null ? "" : TallyNames.sanitize(version.substring(version.indexOf(':') + 1));
        String wv = version == null ? "__unversioned__" : TallyNames.sanitize(version);
        return "tasks_added{forwarded=\"false\",namespace=\"" + namespace + "\",namespace_state=\"active\","
                + "operation=\"TaskQueueMgr\",partition=\"" + partition + "\",service_name=\"matching\","
                + "task_add_result=\"" + result + "\",task_type=\"" + type + "\",taskqueue=\""
                + TallyNames.sanitize(queue) + "\",versioning_behavior=\"Unspecified\",worker_build_id=\"" + build
                + "\",worker_deployment_name=\"" + dep + "\",worker_version=\"" + wv + "\"} " + value + "\n";
    }

    private static String page(String... lines) {
        return "# HELP tasks_added tasks_added counter\n# TYPE tasks_added counter\n" + String.join("", lines);
    }

    private static String ordersBacklog(String partition, long value) {
        return line("default", "orders-q", "Workflow", "backlog", partition, null, value);
    }

    private double counter(String name, String... tags) {
        var c = meters.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    private List<ILoggingEvent> logged(Level level, String containing) {
        return logs.list.stream()
                .filter(e -> e.getLevel() == level && e.getFormattedMessage().contains(containing)).toList();
    }

    @Test
    void capturedTemporalPagesGiveSignalsForTheVersionsThatReceiveTheTasks() {
        fetcher.page(E1, Pages.load("temporal-1.32.0-scrape-1.txt"))
                .page(E1, Pages.load("temporal-1.32.0-scrape-2.txt"));
        source(E1);

        assertEquals(List.of(), source.scrapeOnce(), "the first scrape is a baseline");
        assertEquals(22.0, meters.get(ScrapeMetrics.SERIES).tag("endpoint", TAG1).gauge().value());

        clock.advance(Duration.ofSeconds(3));
        List<SyncMatchFailure> signals = source.scrapeOnce();
        Instant now = clock.instant();
        // New workflows' first tasks wait in the unversioned queue; they go to the Current version. Real names
        // come back from the directory although the labels say scrape_q_auto and scrape_q_pin2.
        assertEquals(Set.of(
                new SyncMatchFailure(AUTO, "scrape-q.auto", TaskQueueType.WORKFLOW, 2, 0, now, Origin.PUSH),
                new SyncMatchFailure(PIN, "scrape-q-pin2", TaskQueueType.WORKFLOW, 1, 0, now, Origin.PUSH)),
                        Set.copyOf(signals));
        assertEquals(signals, received);
        assertEquals(3.0, counter(ScrapeMetrics.TASKS, "result", "backlog"));
        // Forwarding attempts of the children's backlog: 89 in those seconds, for 3 tasks. Not demand.
        assertEquals(89.0, counter(ScrapeMetrics.TASKS, "result", "sync_match_unavailable"));
        assertEquals(2.0, counter(ScrapeMetrics.SIGNALS));
        assertEquals(2.0, counter(ScrapeMetrics.REQUESTS, "endpoint", TAG1, "result", "ok"));
        assertEquals(2, meters.get(ScrapeMetrics.DURATION).tag("endpoint", TAG1).timer().count());
    }

    @Test
    void aSeriesThatAppearsAfterTheBaselineIsTheFirstFailureOnItsQueue() {
        fetcher.page(E1, page(line("default", "other-q", "Workflow", "sync_match", "0", null, 5)))
                .page(E1, page(line("default", "other-q", "Workflow", "sync_match", "0", null, 5),
                        line("default", "orders-q", "Workflow", "backlog", "2", "orders:v1", 1)));
        source(E1).scrapeOnce();
        assertEquals(List.of(new SyncMatchFailure(ORDERS, "orders-q", TaskQueueType.WORKFLOW, 1, 0, T0, Origin.PUSH)),
                source.scrapeOnce());
    }

    @Test
    void sumsIncreasesOverEndpointsEachAgainstItsOwnPreviousValues() {
        // The same series on two matching processes: counted per process, then added up.
        fetcher.page(E1, page(ordersBacklog("1", 10))).page(E1, page(ordersBacklog("1", 12)))
                .page(E2, page(ordersBacklog("1", 100))).page(E2, page(ordersBacklog("1", 101)));
        source(E1, E2).scrapeOnce();
        assertEquals(List.of(new SyncMatchFailure(ORDERS, "orders-q", TaskQueueType.WORKFLOW, 3, 0, T0, Origin.PUSH)),
                source.scrapeOnce());
        assertEquals(0.0, counter(ScrapeMetrics.RESETS, "endpoint", TAG1));
    }

    @Test
    void partitionsOfAQueueMakeOneSignal() {
        fetcher.page(E1, page(ordersBacklog("0", 1), ordersBacklog("3", 1)))
                .page(E1, page(ordersBacklog("0", 4), ordersBacklog("3", 2)));
        source(E1).scrapeOnce();
        assertEquals(List.of(new SyncMatchFailure(ORDERS, "orders-q", TaskQueueType.WORKFLOW, 4, 0, T0, Origin.PUSH)),
                source.scrapeOnce());
    }

    @Test
    void aRestartedProcessCountsItsNewValues() {
        fetcher.page(E1, page(ordersBacklog("0", 40))).page(E1, page(ordersBacklog("0", 2)));
        source(E1).scrapeOnce();
        assertEquals(List.of(new SyncMatchFailure(ORDERS, "orders-q", TaskQueueType.WORKFLOW, 2, 0, T0, Origin.PUSH)),
                source.scrapeOnce());
        assertEquals(1.0, counter(ScrapeMetrics.RESETS, "endpoint", TAG1));
        assertEquals(1, logged(Level.INFO, "the matching process restarted").size());
    }

    @Test
    void aFailingEndpointIsLoggedOnceAndTheOthersGoOn() {
        fetcher.page(E1, page(ordersBacklog("0", 5)))
                .fail(E1, new ConnectException("Connection refused"))
                .fail(E1, new ConnectException("Connection refused"))
                .page(E1, page(ordersBacklog("0", 8)))
                .page(E2, page(ordersBacklog("1", 1))).page(E2, page(ordersBacklog("1", 2)))
                .page(E2, page(ordersBacklog("1", 3))).page(E2, page(ordersBacklog("1", 4)));
        source(E1, E2).scrapeOnce();
        assertEquals(1, source.scrapeOnce().get(0).notMatchedCount(), "E2 alone while E1 fails");
        assertEquals(1, source.scrapeOnce().get(0).notMatchedCount());
        // Back: E1's increase is against its last good value (5), so nothing is lost.
        assertEquals(3 + 1, source.scrapeOnce().get(0).notMatchedCount());

        assertEquals(2.0, counter(ScrapeMetrics.REQUESTS, "endpoint", TAG1, "result", "connect_error"));
        assertEquals(2.0, counter(ScrapeMetrics.REQUESTS, "endpoint", TAG1, "result", "ok"));
        List<ILoggingEvent> warnings = logged(Level.WARN, "cannot scrape " + TAG1);
        assertEquals(1, warnings.size(), "logged when it starts failing, not every round");
        assertTrue(warnings.get(0).getFormattedMessage().contains("Connection refused"));
        assertEquals(1, logged(Level.INFO, TAG1 + " answers again, after 2 failed scrapes").size());
    }

    @Test
    void aBrokenPageIsAFailureThatKeepsTheLastGoodValues() {
        fetcher.page(E1, page(ordersBacklog("0", 5)))
                .page(E1, page(ordersBacklog("0", 6)) + "tasks_added{namespace=\"default\" 1\n")
                .page(E1, page(ordersBacklog("0", 9)));
        source(E1).scrapeOnce();
        assertEquals(List.of(), source.scrapeOnce());
        assertEquals(1.0, counter(ScrapeMetrics.REQUESTS, "endpoint", TAG1, "result", "parse_error"));
        assertTrue(logged(Level.WARN, "not in the Prometheus text format: line 4:").size() == 1, logs.list.toString());
        assertEquals(4, source.scrapeOnce().get(0).notMatchedCount());
    }

    @Test
    void aSlowEndpointTimesOutAndTheRoundGoesOn() {
        fetcher.hang(E1).page(E2, page(ordersBacklog("1", 1))).page(E2, page(ordersBacklog("1", 3)));
        source(new MatchingMetricsSettings(List.of(E1, E2), Duration.ofMillis(500), Duration.ofMillis(100),
                "default", ""));
        source.scrapeOnce();
        assertEquals(2, source.scrapeOnce().get(0).notMatchedCount());
        assertEquals(2.0, counter(ScrapeMetrics.REQUESTS, "endpoint", TAG1, "result", "timeout"));
        assertEquals(1, logged(Level.WARN, "no complete answer within 100 ms; the request was cancelled").size());
    }

    @Test
    void readsOnlyTheConfiguredNamespaceInItsSanitizedForm() {
        DeploymentVersion v = new DeploymentVersion("orders", "v1");
        fetcher.page(E1, page(line("my_ns", "orders-q", "Workflow", "backlog", "0", "orders:v1", 1),
                        line("other", "orders-q", "Workflow", "backlog", "0", "orders:v1", 1)))
                .page(E1, page(line("my_ns", "orders-q", "Workflow", "backlog", "0", "orders:v1", 2),
                        line("other", "orders-q", "Workflow", "backlog", "0", "orders:v1", 50)));
        source(MatchingMetricsSettings.of(List.of(E1), "my-ns")).scrapeOnce();
        assertEquals(List.of(new SyncMatchFailure(v, "orders-q", TaskQueueType.WORKFLOW, 1, 0, T0, Origin.PUSH)),
                source.scrapeOnce());
        assertEquals(1.0, meters.get(ScrapeMetrics.SERIES).tag("endpoint", TAG1).gauge().value());
    }

    @Test
    void throttledAddsAreRateLimitedAndMatchedOnesAreNoSignal() {
        fetcher.page(E1, page(line("default", "orders-q", "Activity", "throttled", "0", null, 0),
                        line("default", "orders-q", "Activity", "sync_match", "0", null, 10),
                        line("default", "orders-q", "Activity", "failure", "0", null, 0)))
                .page(E1, page(line("default", "orders-q", "Activity", "throttled", "0", null, 3),
                        line("default", "orders-q", "Activity", "sync_match", "0", null, 25),
                        line("default", "orders-q", "Activity", "failure", "0", null, 1)));
        source(E1).scrapeOnce();
        assertEquals(List.of(new SyncMatchFailure(ORDERS, "orders-q", TaskQueueType.ACTIVITY, 0, 3, T0, Origin.PUSH)),
                source.scrapeOnce());
        assertEquals(15.0, counter(ScrapeMetrics.TASKS, "result", "sync_match"));
        assertEquals(1.0, counter(ScrapeMetrics.TASKS, "result", "failure"));
    }

    @Test
    void countsTasksThatLedToNoSignalOnceTheirRetryWindowPassed() {
        fetcher.page(E1, page(line("default", "stranger-q", "Workflow", "backlog", "0", null, 0)))
                .page(E1, page(line("default", "stranger-q", "Workflow", "backlog", "0", null, 4)))
                .page(E1, page(line("default", "stranger-q", "Workflow", "backlog", "0", null, 4)));
        source(E1).scrapeOnce();
        assertEquals(List.of(), source.scrapeOnce());
        assertEquals(0.0, counter(ScrapeMetrics.UNATTRIBUTED, "reason", "unknown_task_queue"), "still retried");
        clock.advance(MatchingMetricsSource.RETRY_UNATTRIBUTED);
        assertEquals(List.of(), source.scrapeOnce());
        assertEquals(4.0, counter(ScrapeMetrics.UNATTRIBUTED, "reason", "unknown_task_queue"));
    }

    @Test
    void demandTheRegistryCannotPlaceYetIsDeliveredOnceItCan() {
        // The registry learns a version's task queues (and routing) at its next sync, after the first failures.
        List<VersionTaskQueue> directory = new CopyOnWriteArrayList<>(KNOWN);
        fetcher.page(E1, page(line("default", "late-q", "Workflow", "backlog", "0", null, 0)))
                .page(E1, page(line("default", "late-q", "Workflow", "backlog", "0", null, 2)))
                .page(E1, page(line("default", "late-q", "Workflow", "backlog", "0", null, 2)));
        source = new MatchingMetricsSource(MatchingMetricsSettings.of(List.of(E1), "default"),
                FixedVersionLookup.current(AUTO, PIN, ORDERS), () -> directory, received::add, meters, clock, fetcher);
        source.scrapeOnce();
        assertEquals(List.of(), source.scrapeOnce());
        directory.add(new VersionTaskQueue(ORDERS, "late-q"));
        clock.advance(Duration.ofSeconds(10));
        List<SyncMatchFailure> late = source.scrapeOnce();
        assertEquals(1, late.size());
        assertEquals(ORDERS, late.get(0).version());
        assertEquals("late-q", late.get(0).taskQueue());
        assertEquals(2, late.get(0).notMatchedCount());
        assertEquals(List.of(), source.scrapeOnce(), "delivered once");
    }

    @Test
    void ignoresNegativeAndNotANumberCountersWithOneWarning() {
        String bad = "tasks_added{namespace=\"default\",taskqueue=\"orders_q\",task_type=\"Workflow\","
                + "task_add_result=\"backlog\",partition=\"1\",worker_version=\"__unversioned__\"} NaN\n";
        fetcher.page(E1, page(ordersBacklog("0", 1), bad)).page(E1, page(ordersBacklog("0", 2), bad));
        source(E1).scrapeOnce();
        assertEquals(1, source.scrapeOnce().get(0).notMatchedCount());
        assertEquals(1, logged(Level.WARN, "negative, not finite or above 2^53").size());
        assertEquals(2.0, counter(ScrapeMetrics.ODDITIES, "endpoint", TAG1, "kind", "invalid_value"));
    }

    @Test
    void aFailingSinkDoesNotStopTheOtherSignals() {
        fetcher.page(E1, page(ordersBacklog("0", 1), line("default", "scrape-q.auto", "Workflow", "backlog", "0",
                        null, 1)))
                .page(E1, page(ordersBacklog("0", 2), line("default", "scrape-q.auto", "Workflow", "backlog", "0",
                        null, 2)));
        List<MatchingSignal> got = new CopyOnWriteArrayList<>();
        source = new MatchingMetricsSource(MatchingMetricsSettings.of(List.of(E1), "default"),
                FixedVersionLookup.current(AUTO, ORDERS), () -> KNOWN, signal -> {
                    if (signal.version().equals(ORDERS)) {
                        throw new IllegalStateException("sink broke");
                    }
                    got.add(signal);
                }, meters, clock, fetcher);
        source.scrapeOnce();
        List<SyncMatchFailure> delivered = source.scrapeOnce();
        assertEquals(List.of(new SyncMatchFailure(AUTO, "scrape-q.auto", TaskQueueType.WORKFLOW, 1, 0, T0,
                Origin.PUSH)),
                delivered);
        assertEquals(delivered, got);
        assertEquals(1, logged(Level.WARN, "the signal sink failed for orders:v1").size());
    }

    @Test
    void aFailingDirectoryIsLoggedOnceAndTheSourceRecovers() {
        fetcher.page(E1, page(ordersBacklog("0", 1))).page(E1, page(ordersBacklog("0", 2)))
                .page(E1, page(ordersBacklog("0", 3))).page(E1, page(ordersBacklog("0", 5)));
        boolean[] broken = {true};
        source = new MatchingMetricsSource(MatchingMetricsSettings.of(List.of(E1), "default"),
                FixedVersionLookup.current(ORDERS), () -> {
                    if (broken[0]) {
                        throw new IllegalStateException("registry not loaded");
                    }
                    return KNOWN;
                }, received::add, meters, clock, fetcher);
        source.scrapeOnce();
        assertEquals(List.of(), source.scrapeOnce());
        assertEquals(List.of(), source.scrapeOnce());
        assertEquals(1, logged(Level.WARN, "cannot attribute tasks to versions").size());
        broken[0] = false;
        assertEquals(2, source.scrapeOnce().get(0).notMatchedCount());
        assertEquals(1, logged(Level.INFO, "works again").size());
    }

    @Test
    void runsRoundsEveryIntervalUntilClosedAndDeliversNothingAfter() {
        fetcher.page(E1, page(ordersBacklog("0", 1))).page(E1, page(ordersBacklog("0", 2)));
        source(new MatchingMetricsSettings(List.of(E1), Duration.ofMillis(100), Duration.ofMillis(100),
                "default", ""));
        source.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> fetcher.calls.get() >= 3);
        assertEquals(List.of(new SyncMatchFailure(ORDERS, "orders-q", TaskQueueType.WORKFLOW, 1, 0, T0,
                Origin.PUSH)), received);
        assertThrows(IllegalStateException.class, source::start);

        source.close();
        int calls = fetcher.calls.get();
        await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(30))
                .until(() -> fetcher.calls.get() == calls);
        fetcher.page(E1, page(ordersBacklog("0", 9)));
        assertEquals(List.of(), source.scrapeOnce());
        assertEquals(1, received.size());
        assertThrows(IllegalStateException.class, source::start);
    }

    @Test
    void settingsRefuseWhatCannotWork() {
        Duration ok = Duration.ofMillis(500);
        assertThrows(IllegalArgumentException.class,
                () -> new MatchingMetricsSettings(List.of(), ok, ok, "default", ""));
        IllegalArgumentException scheme = assertThrows(IllegalArgumentException.class, () ->
                new MatchingMetricsSettings(List.of(URI.create("matching:9090")), ok, ok, "default", ""));
        assertTrue(scheme.getMessage().contains("not an http(s) URL"), scheme.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new MatchingMetricsSettings(List.of(E1, E1), ok, ok, "default", ""));
        assertThrows(IllegalArgumentException.class,
                () -> new MatchingMetricsSettings(List.of(E1), Duration.ofMillis(10), ok, "default", ""));
        assertThrows(IllegalArgumentException.class,
                () -> new MatchingMetricsSettings(List.of(E1), ok, Duration.ZERO, "default", ""));
        assertThrows(IllegalArgumentException.class, () -> new MatchingMetricsSettings(List.of(E1), ok, ok, " ", ""));
        assertThrows(IllegalArgumentException.class,
                () -> new MatchingMetricsSettings(List.of(E1), ok, ok, "default", "temporal-"));
        MatchingMetricsSettings defaults = MatchingMetricsSettings.of(List.of(E1), "default");
        assertEquals(Duration.ofMillis(500), defaults.interval());
        assertEquals(Duration.ofSeconds(1), defaults.timeout());
    }

    @Test
    void aMetricPrefixAndTheOpenTelemetryTotalSuffixAreRead() {
        String withPrefix = ordersBacklog("0", 1).replace("tasks_added{", "temporal_tasks_added_total{");
        fetcher.page(E1, withPrefix).page(E1, withPrefix.replace("} 1\n", "} 6\n"));
        source(new MatchingMetricsSettings(List.of(E1), Duration.ofMillis(500), Duration.ofMillis(500),
                "default", "temporal_"));
        source.scrapeOnce();
        assertEquals(5, source.scrapeOnce().get(0).notMatchedCount());
    }

    @Test
    void endpointTagsLeaveOutUserInfoAndQuery() {
        URI secret = URI.create("http://user:pw@matching-0:9090/metrics?token=abc");
        fetcher.page(secret, page());
        source(secret).scrapeOnce();
        assertEquals(1.0, counter(ScrapeMetrics.REQUESTS, "endpoint", "http://matching-0:9090/metrics",
                "result", "ok"));
        assertTrue(logs.list.stream().noneMatch(e -> e.getFormattedMessage().contains("pw")));
    }

    @Test
    void aCounterThatDipsAndClimbsBackIsNoDemandAndIsLoggedOnce() {
        fetcher.page(E1, page(ordersBacklog("0", 1_000_000))).page(E1, page(ordersBacklog("0", 999_999)))
                .page(E1, page(ordersBacklog("0", 1_000_000))).page(E1, page(ordersBacklog("0", 999_999)))
                .page(E1, page(ordersBacklog("0", 1_000_000)));
        source(E1);
        for (int i = 0; i < 5; i++) {
            assertEquals(List.of(), source.scrapeOnce(), "round " + i);
            clock.advance(Duration.ofMillis(500));
        }
        assertEquals(2.0, counter(ScrapeMetrics.ODDITIES, "endpoint", TAG1, "kind", "dip"));
        assertEquals(0.0, counter(ScrapeMetrics.RESETS, "endpoint", TAG1));
        List<ILoggingEvent> warnings = logged(Level.WARN, "went down a little");
        assertEquals(1, warnings.size(), "once per series and kind");
        assertTrue(warnings.get(0).getFormattedMessage().contains("taskqueue=\"orders_q\""),
                warnings.get(0).getFormattedMessage());
    }

    @Test
    void hugeValuesOnOneEndpointAreRejectedAndTheOtherEndpointsSignalsGoOn() {
        String huge = line("default", "orders-q", "Workflow", "backlog", "5", null, 0).replace("} 0\n", "} 1e308\n");
        String huge2 = huge.replace("partition=\"5\"", "partition=\"6\"");
        fetcher.page(E1, page(ordersBacklog("0", 1))).page(E1, page(ordersBacklog("0", 1), huge, huge2))
                .page(E2, page(ordersBacklog("1", 1))).page(E2, page(ordersBacklog("1", 4)));
        source(E1, E2).scrapeOnce();
        assertEquals(List.of(new SyncMatchFailure(ORDERS, "orders-q", TaskQueueType.WORKFLOW, 3, 0, T0, Origin.PUSH)),
                source.scrapeOnce());
        assertEquals(2.0, counter(ScrapeMetrics.ODDITIES, "endpoint", TAG1, "kind", "invalid_value"));
    }

    @Test
    void anImplausibleIncreaseIsCutAndCounted() {
        fetcher.page(E1, page(ordersBacklog("0", 0))).page(E1, page(ordersBacklog("0", 5_000_000)));
        source(new MatchingMetricsSettings(List.of(E1), Duration.ofMillis(500), Duration.ofMillis(500), "default",
                "", 1000, 100));
        source.scrapeOnce();
        clock.advance(Duration.ofSeconds(2));
        assertEquals(200, source.scrapeOnce().get(0).notMatchedCount());
        assertEquals(1.0, counter(ScrapeMetrics.ODDITIES, "endpoint", TAG1, "kind", "implausible_increase"));
        assertEquals(1, logged(Level.WARN, "an increase above maxTasksPerSecond").size());
    }

    @Test
    void theSeriesCapDropsAndCountsAndWarnsOnce() {
        String four = page(ordersBacklog("0", 1), ordersBacklog("1", 1), ordersBacklog("2", 1), ordersBacklog("3", 1));
        fetcher.page(E1, four).page(E1, four).page(E1, page(ordersBacklog("0", 2)));
        source(new MatchingMetricsSettings(List.of(E1), Duration.ofMillis(500), Duration.ofMillis(500), "default",
                "", 2, 10_000));
        source.scrapeOnce();
        source.scrapeOnce();
        assertEquals(4.0, counter(ScrapeMetrics.DROPPED, "endpoint", TAG1));
        assertEquals(2.0, meters.get(ScrapeMetrics.SERIES).tag("endpoint", TAG1).gauge().value());
        assertEquals(1, logged(Level.WARN, "the maxSeries cap").size());
        source.scrapeOnce();
        assertEquals(1, logged(Level.INFO, "fits under the maxSeries cap of 2 series again").size());
    }

    @Test
    void aTricklingEndpointKeepsAtMostOneRequestInFlightOverManyRounds() throws Exception {
        try (FakeMetricsEndpoint slow = new FakeMetricsEndpoint(FakeMetricsEndpoint.TRICKLE)) {
            source = new MatchingMetricsSource(new MatchingMetricsSettings(List.of(slow.uri()),
                    Duration.ofMillis(100), Duration.ofMillis(200), "default", ""),
                    FixedVersionLookup.current(ORDERS), () -> KNOWN, received::add, meters, clock);
            source.start();
            await().atMost(Duration.ofMinutes(2)).until(() -> slow.accepted.get() >= 15);
            source.close();
            await().atMost(Duration.ofMinutes(1)).until(() -> slow.open.get() == 0);
            // One request per round, each closed before the next is sent; the server may see the next one before
            // it has noticed the previous close, hence 2.
            assertTrue(slow.maxOpen.get() <= 2, "open at once: " + slow.maxOpen.get());
            String tag = "http://127.0.0.1:" + slow.uri().getPort() + "/metrics";
            assertTrue(counter(ScrapeMetrics.REQUESTS, "endpoint", tag, "result", "timeout") >= 14,
                    meters.getMetersAsString());
            List<ILoggingEvent> warnings = logged(Level.WARN, "cannot scrape " + tag);
            assertEquals(1, warnings.size());
            assertTrue(warnings.get(0).getFormattedMessage().contains("no complete answer within 200 ms"),
                    warnings.get(0).getFormattedMessage());
            assertTrue(warnings.get(0).getFormattedMessage().contains("connection closed"));
        }
    }

    @Test
    void aHugePageIsStreamedAndOnlyTheCappedSeriesAreKept() throws Exception {
        // ~58 MB (under the 64 MiB cap) of tasks_added series of the namespace, generated while sent: 150 000
        // series against a cap of 1000.
        int series = 150_000;
        String pad = "p".repeat(60);
        try (FakeMetricsEndpoint huge = new FakeMetricsEndpoint(out -> {
            out.write("# TYPE tasks_added counter\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            for (int i = 0; i < series; i++) {
                out.write(line("default", "q" + i + pad, "Workflow", "backlog", "0", null, i)
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
        })) {
            source = new MatchingMetricsSource(new MatchingMetricsSettings(List.of(huge.uri()),
                    Duration.ofMillis(500), Duration.ofMinutes(5), "default", "", 1000, 10_000),
                    FixedVersionLookup.current(ORDERS), () -> KNOWN, received::add, meters, clock);
            source.scrapeOnce();
            String tag = "http://127.0.0.1:" + huge.uri().getPort() + "/metrics";
            assertEquals(1.0, counter(ScrapeMetrics.REQUESTS, "endpoint", tag, "result", "ok"),
                    meters.getMetersAsString());
            assertEquals(1000.0, meters.get(ScrapeMetrics.SERIES).tag("endpoint", tag).gauge().value());
            assertEquals(series - 1000.0, counter(ScrapeMetrics.DROPPED, "endpoint", tag));
        }
    }
}
