package dev.wci.server.temporal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.registry.ConfiguredDeployment;
import dev.wci.core.registry.ConfiguredVersion;
import dev.wci.core.registry.VersionRegistry;
import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.signal.MatchingSignal;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.testing.TestClock;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.server.config.SignalsConfig;
import io.grpc.Status;
import io.temporal.api.enums.v1.TaskQueueType;
import io.temporal.api.taskqueue.v1.TaskQueueStats;
import io.temporal.api.workflowservice.v1.DescribeWorkerDeploymentVersionRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TemporalStatsSourceTest {

    private static final String ORDERS = "orders";
    private static final String QUEUE = "orders-q";
    private static final DeploymentVersion V1 = new DeploymentVersion(ORDERS, "v1");
    private static final DeploymentVersion V2 = new DeploymentVersion(ORDERS, "v2");
    private static final Duration ACTIVE = Duration.ofSeconds(1);
    private static final Duration IDLE = Duration.ofSeconds(10);
    private static final Duration IDLE_AFTER = Duration.ofSeconds(60);
    private static final dev.wci.core.version.TaskQueueType WF = dev.wci.core.version.TaskQueueType.WORKFLOW;

    private final TestClock clock = new TestClock();
    private final List<MatchingSignal> signals = Collections.synchronizedList(new ArrayList<>());
    private final Map<DeploymentVersion, Integer> live = new ConcurrentHashMap<>();
    /** Versions of deployments another replica holds (HA). */
    private final java.util.Set<DeploymentVersion> notOwned = ConcurrentHashMap.newKeySet();
    private FakeTemporal temporal;
    private VersionRegistry registry;
    private DescribeBudget budget;
    private RegistrySync sync;
    private TemporalStatsSource source;

    @BeforeEach
    void setUp() throws Exception {
        temporal = new FakeTemporal(clock);
        List<ConfiguredVersion> versions = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            versions.add(new ConfiguredVersion("v" + i, new ComputeTarget("aws-lambda",
                    "arn:aws:lambda:us-east-1:123456789012:function:orders:" + i)));
        }
        registry = new VersionRegistry(List.of(new ConfiguredDeployment(ORDERS, false, versions)));
        budget = new DescribeBudget(10, clock);
        sync = new RegistrySync(temporal.stubs, FakeTemporal.NAMESPACE, registry, budget, temporal.metrics, clock,
                Duration.ofSeconds(10), clock::advance);
        source = newSource(clock, budget, signals::add);
    }

    private TemporalStatsSource newSource(Clock c, DescribeBudget b, dev.wci.core.signal.SignalSink sink) {
        return new TemporalStatsSource(temporal.stubs, FakeTemporal.NAMESPACE, registry, b, temporal.metrics,
                new SignalsConfig.TemporalStats(true, ACTIVE, IDLE, IDLE_AFTER), v -> !notOwned.contains(v),
                v -> live.getOrDefault(v, 0), sink, c);
    }

    @AfterEach
    void tearDown() throws Exception {
        source.close();
        sync.close();
        temporal.close();
    }

    private FakeTemporal.Version version(String buildId) {
        return temporal.deployment(ORDERS).version(buildId);
    }

    private static TaskQueueStats stats(long backlog, float addRate, boolean rateLimited) {
        return TaskQueueStats.newBuilder().setApproximateBacklogCount(backlog).setTasksAddRate(addRate)
                .setTasksDispatchRate(addRate / 2)
                .setApproximateBacklogAge(com.google.protobuf.Duration.newBuilder().setSeconds(3))
                .setRateLimitingActive(rateLimited).build();
    }

    private void setBacklog(String buildId, long backlog, boolean rateLimited) {
        version(buildId).queue(QUEUE, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, stats(backlog, backlog > 0 ? 2 : 0,
                rateLimited));
    }

    /** Runs the source for {@code d} of simulated time, as its loop would, but never sleeping. */
    private void run(Duration d) {
        Instant end = clock.instant().plus(d);
        while (clock.instant().isBefore(end)) {
            Duration wait = source.pollDue();
            Duration left = Duration.between(clock.instant(), end);
            Duration step = wait.compareTo(ACTIVE) > 0 ? ACTIVE : wait; // the loop looks at least every ACTIVE
            clock.advance(step.compareTo(left) > 0 ? left : (step.isZero() ? Duration.ofMillis(1) : step));
        }
    }

    /** Polls until the first stats describe has happened (the sync may hold the next budget slot). */
    private void firstPoll() {
        long before = temporal.calls(TemporalStatsSource.METHOD).stream()
                .filter(c -> ((DescribeWorkerDeploymentVersionRequest) c.request()).getReportTaskQueueStats()).count();
        for (int i = 0; i < 100; i++) {
            Duration wait = source.pollDue();
            long now = temporal.calls(TemporalStatsSource.METHOD).stream()
                    .filter(c -> ((DescribeWorkerDeploymentVersionRequest) c.request()).getReportTaskQueueStats())
                    .count();
            if (now > before) {
                return;
            }
            clock.advance(wait);
        }
        throw new AssertionError("no poll happened");
    }

    private List<SyncMatchFailure> failures() {
        return signals.stream().filter(s -> s instanceof SyncMatchFailure).map(s -> (SyncMatchFailure) s).toList();
    }

    private List<BacklogObservation> observations() {
        return signals.stream().filter(s -> s instanceof BacklogObservation).map(s -> (BacklogObservation) s)
                .toList();
    }

    private long polls(String buildId) {
        return temporal.calls(TemporalStatsSource.METHOD).stream()
                .filter(c -> ((DescribeWorkerDeploymentVersionRequest) c.request()).getReportTaskQueueStats())
                .filter(c -> ((DescribeWorkerDeploymentVersionRequest) c.request()).getDeploymentVersion()
                        .getBuildId().equals(buildId))
                .count();
    }

    @Test
    void emitsAnObservationPerQueueAndAFailureWhenTheBacklogAppearsOrGrows() throws Exception {
        setBacklog("v1", 0, false);
        version("v1").queue(QUEUE, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY, stats(0, 0, false));
        sync.syncNow();
        firstPoll();
        assertEquals(2, observations().size());
        BacklogObservation o = observations().get(0);
        assertEquals(V1, o.version());
        assertEquals(QUEUE, o.taskQueue());
        List<FakeTemporal.Call> polls = temporal.calls(TemporalStatsSource.METHOD);
        assertEquals(polls.get(polls.size() - 1).at(), o.observedAt());
        assertEquals(TemporalStatsSource.STALENESS, o.staleness());
        assertTrue(failures().isEmpty(), "no backlog, no failure");

        // Backlog appears: the whole backlog is unmatched.
        setBacklog("v1", 7, false);
        clock.advance(ACTIVE);
        source.pollDue();
        assertEquals(1, failures().size());
        SyncMatchFailure f = failures().get(0);
        assertEquals(7, f.notMatchedCount());
        assertEquals(WF, f.type());
        assertEquals(clock.instant().minus(TemporalStatsSource.STALENESS), f.observedAt(),
                "stamped at the observation's as-of time");
        BacklogObservation last = observations().get(observations().size() - 2);
        assertEquals(7, last.backlogCount());
        assertEquals(2.0, last.addRate());
        assertEquals(1.0, last.dispatchRate());
        assertEquals(Duration.ofSeconds(3), last.backlogAge());

        // The server's cache repeats the value: nothing new.
        clock.advance(ACTIVE);
        source.pollDue();
        assertEquals(1, failures().size());

        // Grows: the increase. Shrinks, then grows again: the increase over the last answer.
        setBacklog("v1", 10, false);
        clock.advance(ACTIVE);
        source.pollDue();
        setBacklog("v1", 4, false);
        clock.advance(ACTIVE);
        source.pollDue();
        setBacklog("v1", 6, false);
        clock.advance(ACTIVE);
        source.pollDue();
        assertEquals(List.of(7L, 3L, 2L), failures().stream().map(SyncMatchFailure::notMatchedCount).toList());

        // The queue's own rate limit is the bottleneck: reported as rate-limited, not as unmatched.
        setBacklog("v1", 9, true);
        clock.advance(ACTIVE);
        source.pollDue();
        SyncMatchFailure limited = failures().get(failures().size() - 1);
        assertEquals(0, limited.notMatchedCount());
        assertEquals(3, limited.rateLimitedCount());
    }

    @Test
    void aBacklogAlreadyThereWhenTheVersionIsFirstSeenCountsWhole() throws Exception {
        setBacklog("v1", 42, false);
        sync.syncNow();
        firstPoll();
        assertEquals(42, failures().get(0).notMatchedCount());
    }

    @Test
    void tellsTheRegistryWhichTaskQueuesAVersionHas() throws Exception {
        version("v1");
        sync.syncNow();
        assertTrue(registry.version(V1).orElseThrow().needsBootstrap());
        setBacklog("v1", 0, false);
        firstPoll();
        assertFalse(registry.version(V1).orElseThrow().needsBootstrap());
    }

    @Test
    void pollsActiveVersionsEveryActiveIntervalAndIdleOnesEveryIdleInterval() throws Exception {
        setBacklog("v1", 3, false);
        setBacklog("v2", 0, false);
        sync.syncNow();
        temporal.clearCalls();

        // The first idleAfter: both start active.
        run(IDLE_AFTER);
        assertEquals(60, polls("v1"), 1);
        assertEquals(60, polls("v2"), 1);

        temporal.clearCalls();
        run(Duration.ofSeconds(100));
        assertEquals(100, polls("v1"), 1, "backlog keeps v1 active");
        assertEquals(10, polls("v2"), 1, "v2 went idle");
        assertTrue(source.status().stream().filter(s -> s.version().equals(V1)).findFirst().orElseThrow().active());
        assertFalse(source.status().stream().filter(s -> s.version().equals(V2)).findFirst().orElseThrow().active());
        assertEquals(1.0, temporal.metrics.registry().get("wci.temporal.stats.versions").tag("mode", "idle")
                .gauge().value());

        // Live workers on v2 (e.g. invoked on a push signal): active again within one active interval.
        live.put(V2, 1);
        temporal.clearCalls();
        run(Duration.ofSeconds(10));
        assertEquals(10, polls("v2"), 1);
    }

    @Test
    void anIdleVersionWhoseRoutingChangesIsPolledAtOnceAndActiveAgain() throws Exception {
        setBacklog("v1", 3, false);
        setBacklog("v2", 0, false);
        temporal.deployment(ORDERS).current("v1");
        sync.syncNow();
        run(IDLE_AFTER.plus(Duration.ofSeconds(15)));
        assertFalse(source.status().stream().filter(s -> s.version().equals(V2)).findFirst().orElseThrow().active());

        // v2 becomes Current: new workflows start on it now, so waiting for the idle interval would delay the
        // first sync-match failure by up to 10 s.
        temporal.deployment(ORDERS).current("v2");
        sync.syncNow();
        temporal.clearCalls();
        run(Duration.ofMillis(300)); // the sync's describe may hold the budget's next slot (10/s)
        assertEquals(1, polls("v2"), "polled at once, not at the idle interval");
        run(Duration.ofSeconds(10));
        assertEquals(11, polls("v2"), 1, "then at the active interval");
        assertTrue(source.status().stream().filter(s -> s.version().equals(V2)).findFirst().orElseThrow().active());

        // While Current it stays active however quiet it is: the next burst lands on it.
        run(IDLE_AFTER.multipliedBy(2));
        assertTrue(source.status().stream().filter(s -> s.version().equals(V2)).findFirst().orElseThrow().active());

        // v1 becomes Current again and v2 drains: without work, v2 goes idle again after idleAfter.
        temporal.deployment(ORDERS).current("v1");
        sync.syncNow();
        run(IDLE_AFTER.plus(Duration.ofSeconds(5)));
        temporal.clearCalls();
        run(Duration.ofSeconds(30));
        assertEquals(3, polls("v2"), 1, "idle again");
    }

    @Test
    void aQuietCurrentVersionIsStillPolledEveryActiveInterval() throws Exception {
        setBacklog("v1", 0, false);
        temporal.deployment(ORDERS).current("v1");
        sync.syncNow();
        run(IDLE_AFTER.multipliedBy(3));
        temporal.clearCalls();
        run(Duration.ofSeconds(30));
        // Without the rule it would be read every idle interval (3 reads): a burst after a quiet spell would wait
        // up to 10 s longer to be seen.
        assertEquals(30, polls("v1"), 1);
        assertTrue(source.status().stream().filter(s -> s.version().equals(V1)).findFirst().orElseThrow().active());
    }

    @Test
    void callsNeverExceedTheBudgetAndIntervalsStretchFairly() throws Exception {
        for (int i = 1; i <= 12; i++) {
            setBacklog("v" + i, 5, false); // all active: 12 versions at 1/s need 12 describes/s, budget is 10/s
        }
        Instant start = clock.instant();
        sync.syncNow();
        Instant nextSync = clock.instant().plusSeconds(10);
        Instant end = clock.instant().plusSeconds(120);
        while (clock.instant().isBefore(end)) {
            if (!clock.instant().isBefore(nextSync)) {
                sync.syncNow(); // shares the budget, waiting for its slots
                nextSync = clock.instant().plusSeconds(10);
            }
            Duration wait = source.pollDue();
            clock.advance(wait.isZero() ? Duration.ofMillis(1) : (wait.compareTo(ACTIVE) > 0 ? ACTIVE : wait));
        }
        List<Instant> describes = temporal.calls().stream().filter(c -> c.method().startsWith("Describe"))
                .map(FakeTemporal.Call::at).toList();
        for (int i = 0; i + 10 < describes.size(); i++) {
            assertTrue(Duration.between(describes.get(i), describes.get(i + 10)).compareTo(Duration.ofSeconds(1)) >= 0,
                    "11 describes within one second at " + describes.get(i));
        }
        double seconds = Duration.between(start, clock.instant()).toMillis() / 1000.0;
        assertTrue(describes.size() >= 9.5 * seconds, "the budget is used, not wasted: " + describes.size());
        // Every version gets its share: 12 versions and the sync share 10/s.
        Map<String, Long> perVersion = new HashMap<>();
        for (int i = 1; i <= 12; i++) {
            perVersion.put("v" + i, polls("v" + i));
        }
        long min = perVersion.values().stream().mapToLong(Long::longValue).min().orElseThrow();
        long max = perVersion.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        assertTrue(max - min <= 2, "fair shares: " + perVersion);
        assertTrue(min >= 80, "each version polled about every 1.3 s: " + perVersion);
    }

    @Test
    void resourceExhaustedSlowsDownWithoutFailing() throws Exception {
        setBacklog("v1", 1, false);
        sync.syncNow();
        firstPoll();
        temporal.fail(TemporalStatsSource.METHOD, Status.RESOURCE_EXHAUSTED, 1);
        clock.advance(ACTIVE);
        source.pollDue();
        assertEquals(5, budget.effectivePerSecond());
        clock.advance(ACTIVE);
        source.pollDue();
        assertEquals(1, temporal.metrics.count(TemporalStatsSource.METHOD, Status.Code.RESOURCE_EXHAUSTED));
        assertEquals(2, source.status().get(0).polls(), "polling goes on at the normal interval");
    }

    @Test
    void unavailableBacksOffAndRecovers() throws Exception {
        setBacklog("v1", 1, false);
        sync.syncNow();
        temporal.clearCalls();
        temporal.fail(TemporalStatsSource.METHOD, Status.UNAVAILABLE, 4);
        run(Duration.ofSeconds(31)); // failures at 0, 2, 6, 14 s (backoff 2, 4, 8, 16 s), then ok at 30 s
        assertEquals(5, polls("v1"));
        assertEquals(4, source.status().get(0).failures());
        assertEquals(1, source.status().get(0).polls());
        run(Duration.ofSeconds(5));
        assertEquals(10, polls("v1"), 1, "back to the active interval");
    }

    @Test
    void aFailingSinkDoesNotStopPollingOtherVersions() throws Exception {
        setBacklog("v1", 1, false);
        setBacklog("v2", 1, false);
        sync.syncNow();
        source.close();
        source = newSource(clock, budget, s -> {
            if (s.version().equals(V1)) {
                throw new IllegalStateException("sink bug");
            }
            signals.add(s);
        });
        run(Duration.ofSeconds(3));
        assertTrue(observations().stream().anyMatch(o -> o.version().equals(V2)));
        assertTrue(temporal.metrics.registry().get("wci.temporal.loop.failures").tag("loop", "stats").counter()
                .count() >= 1);
    }

    @Test
    void versionsThatStopBeingManagedAreNoLongerPolled() throws Exception {
        setBacklog("v1", 0, false);
        sync.syncNow();
        firstPoll();
        version("v1").computeConfig = true;
        clock.advance(Duration.ofSeconds(1));
        sync.syncNow();
        temporal.clearCalls();
        run(Duration.ofSeconds(5));
        assertEquals(0, polls("v1"));
        assertTrue(source.status().isEmpty());
    }

    @Test
    void theBackgroundLoopPollsANewlyManagedVersionAtOnceAndStopsCleanly() throws Exception {
        Clock real = Clock.systemUTC();
        source.close();
        source = newSource(real, new DescribeBudget(50, real), signals::add);
        source.start();
        setBacklog("v1", 2, false);
        sync.syncNow();
        await().atMost(Duration.ofSeconds(60)).until(() -> !failures().isEmpty());
        source.close();
        int calls = temporal.calls().size();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(30))
                .until(() -> temporal.calls().size() == calls);
    }

    @Test
    void theConfiguredDefaultsAreTheRhythmTheSimulatorRuns() throws Exception {
        SignalsConfig.TemporalStats d = new dev.wci.server.config.ConfigLoader(name -> null)
                .load(java.nio.file.Path.of("src/test/resources/config/good/minimal.yaml")).signals().temporalStats();
        assertEquals(dev.wci.core.signal.stats.PollRhythm.defaults(),
                new dev.wci.core.signal.stats.PollRhythm(d.activeInterval(), d.idleInterval(), d.idleAfter()));
    }

    @Test
    void aVersionThisReplicaDoesNotOwnIsNeverPolledAndIsPolledAtOnceWhenTakenOn() throws Exception {
        notOwned.add(V2); // another replica holds its lease
        setBacklog("v1", 0, false);
        setBacklog("v2", 5, false);
        sync.syncNow();
        temporal.clearCalls();
        run(Duration.ofSeconds(30));
        assertTrue(polls("v1") >= 25, "the owned version is polled: " + polls("v1"));
        assertEquals(0, polls("v2"), "no describe RPC for a version another replica owns");
        assertTrue(signals.stream().noneMatch(sig -> sig.version().equals(V2)));
        assertEquals(List.of(V1), source.status().stream().map(TemporalStatsSource.VersionPollStatus::version)
                .toList());

        // Taken on: polled at the next round, and its standing backlog counts whole (a fresh signal state).
        notOwned.remove(V2);
        temporal.clearCalls();
        source.pollDue();
        assertEquals(1, polls("v2"));
        assertTrue(failures().stream().anyMatch(f -> f.version().equals(V2) && f.notMatchedCount() == 5),
                failures().toString());

        // Given up again (lease lost or released): dropped at once.
        notOwned.add(V2);
        run(Duration.ofSeconds(1));
        temporal.clearCalls();
        run(Duration.ofSeconds(20));
        assertEquals(0, polls("v2"));
    }
}
