package dev.wci.server.temporal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.Timestamp;
import dev.wci.core.census.CensusSink;
import dev.wci.core.census.CensusSnapshot;
import dev.wci.core.census.CensusStatus;
import dev.wci.core.census.CensusWorker;
import dev.wci.core.census.SlotLoad;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.registry.ConfiguredDeployment;
import dev.wci.core.registry.ConfiguredVersion;
import dev.wci.core.registry.VersionRegistry;
import dev.wci.core.testing.TestClock;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.server.config.SignalsConfig;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.temporal.api.enums.v1.WorkerStatus;
import io.temporal.api.worker.v1.WorkerHeartbeat;
import io.temporal.api.worker.v1.WorkerSlotsInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class TemporalCensusSourceTest {

    private static final String ORDERS = "orders";
    private static final DeploymentVersion V1 = new DeploymentVersion(ORDERS, "v1");
    private static final DeploymentVersion V2 = new DeploymentVersion(ORDERS, "v2");
    private static final String ARN = "arn:aws:lambda:us-east-1:123456789012:function:orders:1";
    private static final Duration ACTIVE = Duration.ofSeconds(1);
    private static final Duration IDLE = Duration.ofSeconds(10);
    private static final Duration IDLE_AFTER = Duration.ofSeconds(30);
    /** The capability check takes the first budget slot, the first read the next (1/5 s later). */
    private static final Duration FIRST_READ = Duration.ofMillis(300);

    private final TestClock clock = new TestClock();
    private final List<CensusSnapshot> snapshots = Collections.synchronizedList(new ArrayList<>());
    private final List<String> unavailable = Collections.synchronizedList(new ArrayList<>());
    private final List<String> readFailures = Collections.synchronizedList(new ArrayList<>());
    private final Set<DeploymentVersion> busy = ConcurrentHashMap.newKeySet();
    /** Versions of deployments another replica holds (HA). */
    private final Set<DeploymentVersion> notOwned = ConcurrentHashMap.newKeySet();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(TemporalCensusSource.class);
    private FakeTemporal temporal;
    private VersionRegistry registry;
    private RegistrySync sync;
    private DescribeBudget budget;
    private TemporalCensusSource source;

    private final CensusSink sink = new CensusSink() {
        @Override
        public void onCensus(CensusSnapshot snapshot) {
            snapshots.add(snapshot);
        }

        @Override
        public void onCensusUnavailable(DeploymentVersion version, String reason) {
            unavailable.add(version.buildId() + ": " + reason);
        }

        @Override
        public void onCensusReadFailed(DeploymentVersion version, String reason) {
            readFailures.add(version.buildId() + ": " + reason);
        }
    };

    @BeforeEach
    void setUp() throws Exception {
        logs.start();
        logger.addAppender(logs);
        temporal = new FakeTemporal(clock);
        List<ConfiguredVersion> versions = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            versions.add(new ConfiguredVersion("v" + i, new ComputeTarget("aws-lambda",
                    "arn:aws:lambda:us-east-1:123456789012:function:orders:" + i)));
        }
        registry = new VersionRegistry(List.of(new ConfiguredDeployment(ORDERS, false, versions)));
        sync = new RegistrySync(temporal.stubs, FakeTemporal.NAMESPACE, registry, new DescribeBudget(50, clock),
                temporal.metrics, clock, Duration.ofSeconds(10), clock::advance);
        source = newSource(5, 10);
    }

    private TemporalCensusSource newSource(double perSecond, int maxPages) {
        budget = new DescribeBudget(perSecond, clock);
        return new TemporalCensusSource(temporal.stubs, FakeTemporal.NAMESPACE, registry, budget, temporal.metrics,
                new SignalsConfig.Census(true, ACTIVE, IDLE, IDLE_AFTER, perSecond, maxPages),
                v -> !notOwned.contains(v), busy::contains, sink, clock, clock::advance);
    }

    @AfterEach
    void tearDown() throws Exception {
        logger.detachAppender(logs);
        source.close();
        sync.close();
        temporal.close();
    }

    private void manage(String... buildIds) throws Exception {
        for (String b : buildIds) {
            temporal.deployment(ORDERS).version(b);
        }
        sync.syncNow();
    }

    private static Timestamp ts(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    private WorkerHeartbeat entry(String identity, String queue, WorkerStatus status, Instant start, Instant beat) {
        return WorkerHeartbeat.newBuilder().setWorkerInstanceKey(identity + "/" + queue).setWorkerIdentity(identity)
                .setTaskQueue(queue).setDeploymentVersion(FakeTemporal.ref(ORDERS, "v1")).setStatus(status)
                .setStartTime(ts(start)).setHeartbeatTime(ts(beat)).build();
    }

    /** Runs the source for {@code d} of simulated time, as its loop would, but never sleeping. */
    private void run(Duration d) throws InterruptedException {
        Instant end = clock.instant().plus(d);
        while (clock.instant().isBefore(end)) {
            Duration wait = source.readDue();
            Duration left = Duration.between(clock.instant(), end);
            if (left.isNegative() || left.isZero()) {
                return; // a paged read waited for its budget slots past the end
            }
            Duration step = wait.compareTo(ACTIVE) > 0 ? ACTIVE : wait;
            clock.advance(step.compareTo(left) > 0 ? left : (step.isZero() ? Duration.ofMillis(1) : step));
        }
    }

    private long reads(String buildId) {
        return temporal.calls(TemporalCensusSource.METHOD).stream()
                .filter(c -> ((io.temporal.api.workflowservice.v1.ListWorkersRequest) c.request()).getQuery()
                        .contains("BuildId=\"" + buildId + "\""))
                .count();
    }

    private List<ILoggingEvent> warnings(String containing) {
        return logs.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .filter(e -> e.getFormattedMessage().contains(containing)).toList();
    }

    private double failures(String code) {
        Counter c = temporal.metrics.registry().find("wci.census.read.failures").tag("code", code).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void mapsEntriesToOneWorkerPerIdentity() throws Exception {
        manage("v1");
        Instant t0 = clock.instant();
        String a = "req-a@" + ARN;
        String b = "req-b@" + ARN;
        List<WorkerHeartbeat> entries = temporal.workers(ORDERS, "v1");
        // One Lambda worker polls two task queues: two entries, one worker; one queue's worker already stopping.
        entries.add(entry(a, "q-workflows", WorkerStatus.WORKER_STATUS_RUNNING, t0.minusSeconds(5), t0.minusSeconds(2)));
        entries.add(entry(a, "q-activities", WorkerStatus.WORKER_STATUS_SHUTTING_DOWN, t0.minusSeconds(6),
                t0.minusSeconds(1)));
        entries.add(entry(b, "q-workflows", WorkerStatus.WORKER_STATUS_SHUTTING_DOWN, t0.minusSeconds(20),
                t0.minusSeconds(9)));
        entries.add(entry("", "q-workflows", WorkerStatus.WORKER_STATUS_RUNNING, t0, t0)); // no identity: unusable
        entries.add(entry("odd@x", "q", WorkerStatus.WORKER_STATUS_UNSPECIFIED, t0, t0));  // no usable state

        run(FIRST_READ);

        assertEquals(1, snapshots.size());
        CensusSnapshot s = snapshots.get(0);
        assertEquals(V1, s.version());
        assertEquals(temporal.calls(TemporalCensusSource.METHOD).get(0).at(), s.asOf(), "as of the read");
        Map<String, CensusWorker> byId = s.workers().stream()
                .collect(Collectors.toMap(CensusWorker::identity, Function.identity()));
        assertEquals(Set.of(a, b), byId.keySet());
        CensusWorker wa = byId.get(a);
        assertEquals(CensusStatus.RUNNING, wa.status(), "the most alive entry wins");
        assertEquals(t0.minusSeconds(6), wa.startedAt(), "the earliest start");
        assertEquals(t0.minusSeconds(1), wa.lastHeartbeatAt(), "the latest heartbeat");
        assertEquals("req-a", wa.requestId().orElseThrow());
        assertEquals(CensusStatus.SHUTTING_DOWN, byId.get(b).status());
        assertEquals("DeploymentName=\"orders\" AND BuildId=\"v1\"",
                ((io.temporal.api.workflowservice.v1.ListWorkersRequest) temporal.calls(TemporalCensusSource.METHOD)
                        .get(0).request()).getQuery());

        TemporalCensusSource.VersionCensusStatus st = source.status().get(0);
        assertEquals(TemporalCensusSource.Availability.AVAILABLE, st.availability());
        assertEquals(1, st.running());
        assertEquals(1, st.shuttingDown());
        assertEquals(s.asOf(), st.asOf().orElseThrow());
        assertTrue(unavailable.isEmpty());
    }

    @Test
    void withoutTheDeprecatedFieldTheHeartbeatTimeIsUnknown() throws Exception {
        manage("v1");
        temporal.fillWorkersInfo = false;
        Instant t0 = clock.instant();
        temporal.workers(ORDERS, "v1").add(entry("req-a@" + ARN, "q", WorkerStatus.WORKER_STATUS_RUNNING,
                t0.minusSeconds(3), t0));
        run(FIRST_READ);
        CensusWorker w = snapshots.get(0).workers().get(0);
        assertEquals(t0.minusSeconds(3), w.startedAt());
        assertNull(w.lastHeartbeatAt());
    }

    private static WorkerSlotsInfo slotInfo(int available, int used) {
        return WorkerSlotsInfo.newBuilder().setCurrentAvailableSlots(available).setCurrentUsedSlots(used).build();
    }

    @Test
    void readsEachWorkersSlotsFromItsHeartbeatAndAbsentSlotsAreUnknown() throws Exception {
        manage("v1");
        Instant t0 = clock.instant();
        List<WorkerHeartbeat> entries = temporal.workers(ORDERS, "v1");
        // a: 30 activity slots (12 busy), 50 workflow slots: the smaller total. Its second queue reports 40.
        entries.add(entry("req-a@" + ARN, "q1", WorkerStatus.WORKER_STATUS_RUNNING, t0, t0).toBuilder()
                .setActivityTaskSlotsInfo(slotInfo(18, 12)).setWorkflowTaskSlotsInfo(slotInfo(50, 0)).build());
        entries.add(entry("req-a@" + ARN, "q2", WorkerStatus.WORKER_STATUS_RUNNING, t0, t0).toBuilder()
                .setActivityTaskSlotsInfo(slotInfo(40, 0)).build());
        // b: only workflow slots reported; c: none; d: an empty and a malformed info, both unknown.
        entries.add(entry("req-b@" + ARN, "q1", WorkerStatus.WORKER_STATUS_RUNNING, t0, t0).toBuilder()
                .setWorkflowTaskSlotsInfo(slotInfo(7, 1)).build());
        entries.add(entry("req-c@" + ARN, "q1", WorkerStatus.WORKER_STATUS_RUNNING, t0, t0));
        entries.add(entry("req-d@" + ARN, "q1", WorkerStatus.WORKER_STATUS_RUNNING, t0, t0).toBuilder()
                .setActivityTaskSlotsInfo(slotInfo(0, 0)).setWorkflowTaskSlotsInfo(slotInfo(-1, 5)).build());

        run(FIRST_READ);

        Map<String, Integer> slots = snapshots.get(0).workers().stream()
                .collect(Collectors.toMap(w -> w.requestId().orElseThrow(), CensusWorker::slots));
        assertEquals(Map.of("req-a", 30, "req-b", 8, "req-c", 0, "req-d", 0), slots);
    }

    @Test
    void withoutTheDeprecatedFieldTheSlotsAreUnknown() throws Exception {
        manage("v1");
        temporal.fillWorkersInfo = false;
        Instant t0 = clock.instant();
        temporal.workers(ORDERS, "v1").add(entry("req-a@" + ARN, "q", WorkerStatus.WORKER_STATUS_RUNNING, t0, t0)
                .toBuilder().setActivityTaskSlotsInfo(slotInfo(10, 0)).build());
        run(FIRST_READ);
        assertEquals(0, snapshots.get(0).workers().get(0).slots());
    }

    @Test
    void aServerFillingOnlyTheOlderFieldGivesTheSlotsToo() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        WorkerHeartbeat hb = entry("req-a@" + ARN, "q", WorkerStatus.WORKER_STATUS_RUNNING, t0, t0).toBuilder()
                .setActivityTaskSlotsInfo(slotInfo(3, 2)).build();
        Map<String, CensusWorker> into = new java.util.LinkedHashMap<>();
        TemporalCensusSource.merge(io.temporal.api.workflowservice.v1.ListWorkersResponse.newBuilder()
                .addWorkersInfo(io.temporal.api.worker.v1.WorkerInfo.newBuilder().setWorkerHeartbeat(hb)).build(), into);
        assertEquals(5, into.get("req-a@" + ARN).slots());
    }

    private static WorkerSlotsInfo loadInfo(int available, int used, int processed) {
        return slotInfo(available, used).toBuilder().setLastIntervalProcessedTasks(processed).build();
    }

    private static com.google.protobuf.Duration seconds(long s, int nanos) {
        return com.google.protobuf.Duration.newBuilder().setSeconds(s).setNanos(nanos).build();
    }

    @Test
    void readsEachWorkersLoadFromTheSlotInfoItsSlotsCameFromAndBoundsAbsurdValues() throws Exception {
        manage("v1");
        Instant t0 = clock.instant();
        List<WorkerHeartbeat> entries = temporal.workers(ORDERS, "v1");
        // a: 30 activity slots (12 busy, 40 done in the last 1.5 s), 50 workflow slots: the activity info's load.
        entries.add(entry("req-a@" + ARN, "q1", WorkerStatus.WORKER_STATUS_RUNNING, t0, t0).toBuilder()
                .setElapsedSinceLastHeartbeat(seconds(1, 500_000_000))
                .setActivityTaskSlotsInfo(loadInfo(18, 12, 40)).setWorkflowTaskSlotsInfo(loadInfo(50, 0, 900)).build());
        // b: only workflow slots; c: no interval; d: a negative count; e: an interval of years; f: no slot info.
        entries.add(entry("req-b@" + ARN, "q1", WorkerStatus.WORKER_STATUS_RUNNING, t0, t0).toBuilder()
                .setElapsedSinceLastHeartbeat(seconds(1, 0)).setWorkflowTaskSlotsInfo(loadInfo(7, 1, 3)).build());
        entries.add(entry("req-c@" + ARN, "q1", WorkerStatus.WORKER_STATUS_RUNNING, t0, t0).toBuilder()
                .setActivityTaskSlotsInfo(loadInfo(7, 1, 3)).build());
        entries.add(entry("req-d@" + ARN, "q1", WorkerStatus.WORKER_STATUS_RUNNING, t0, t0).toBuilder()
                .setElapsedSinceLastHeartbeat(seconds(1, 0)).setActivityTaskSlotsInfo(loadInfo(7, 1, -3)).build());
        entries.add(entry("req-e@" + ARN, "q1", WorkerStatus.WORKER_STATUS_RUNNING, t0, t0).toBuilder()
                .setElapsedSinceLastHeartbeat(seconds(Long.MAX_VALUE / 2, 0))
                .setActivityTaskSlotsInfo(loadInfo(7, 1, Integer.MAX_VALUE)).build());
        entries.add(entry("req-f@" + ARN, "q1", WorkerStatus.WORKER_STATUS_RUNNING, t0, t0).toBuilder()
                .setElapsedSinceLastHeartbeat(seconds(1, 0)).build());

        run(FIRST_READ);

        Map<String, CensusWorker> byId = snapshots.get(0).workers().stream()
                .collect(Collectors.toMap(w -> w.requestId().orElseThrow(), w -> w));
        assertEquals(new SlotLoad(12, 40, Duration.ofMillis(1500)), byId.get("req-a").load());
        assertEquals(new SlotLoad(1, 3, Duration.ofSeconds(1)), byId.get("req-b").load());
        assertNull(byId.get("req-c").load(), "no interval: no rate");
        assertNull(byId.get("req-d").load(), "malformed: unknown");
        assertNull(byId.get("req-e").load(), "an interval past the bound: unknown");
        assertNull(byId.get("req-f").load(), "a heartbeat without slot infos");
        assertEquals(0, byId.get("req-f").slots());
    }

    @Test
    void ofTwoEntriesOfOneWorkerTheLoadGoesWithTheFewerSlotsKept() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        WorkerHeartbeat q1 = entry("req-a@" + ARN, "q1", WorkerStatus.WORKER_STATUS_RUNNING, t0, t0).toBuilder()
                .setElapsedSinceLastHeartbeat(seconds(1, 0)).setActivityTaskSlotsInfo(loadInfo(36, 4, 9)).build();
        WorkerHeartbeat q2 = entry("req-a@" + ARN, "q2", WorkerStatus.WORKER_STATUS_RUNNING, t0, t0).toBuilder()
                .setElapsedSinceLastHeartbeat(seconds(1, 0)).setActivityTaskSlotsInfo(loadInfo(8, 2, 5)).build();
        Map<String, CensusWorker> into = new java.util.LinkedHashMap<>();
        TemporalCensusSource.merge(io.temporal.api.workflowservice.v1.ListWorkersResponse.newBuilder()
                .addWorkersInfo(io.temporal.api.worker.v1.WorkerInfo.newBuilder().setWorkerHeartbeat(q1))
                .addWorkersInfo(io.temporal.api.worker.v1.WorkerInfo.newBuilder().setWorkerHeartbeat(q2)).build(), into);
        assertEquals(10, into.get("req-a@" + ARN).slots());
        assertEquals(new SlotLoad(2, 5, Duration.ofSeconds(1)), into.get("req-a@" + ARN).load());
    }

    @Test
    void escapesQuotesInNames() {
        assertEquals("DeploymentName=\"a\\\"b\" AND BuildId=\"c\\\\d\"",
                TemporalCensusSource.query(new DeploymentVersion("a\"b", "c\\d")));
    }

    @Test
    void readsEveryPageUpToTheBoundAndBeyondItHasNoCensus() throws Exception {
        manage("v1", "v2");
        Instant t0 = clock.instant();
        for (int i = 0; i < 2 * TemporalCensusSource.PAGE_SIZE + 1; i++) { // three pages
            temporal.workers(ORDERS, "v1").add(entry("req-" + i + "@" + ARN, "q", WorkerStatus.WORKER_STATUS_RUNNING,
                    t0, t0));
            temporal.workers(ORDERS, "v2").add(entry("req-" + i + "@" + ARN, "q", WorkerStatus.WORKER_STATUS_RUNNING,
                    t0, t0));
        }
        source.close();
        source = newSource(5, 3);
        run(FIRST_READ);
        run(Duration.ofSeconds(2));
        assertEquals(2 * TemporalCensusSource.PAGE_SIZE + 1, snapshots.get(0).workers().size(), "all three pages");

        // The same census with a bound of two pages: no partial snapshot (the missing workers would look ended).
        source.close();
        snapshots.clear();
        temporal.clearCalls();
        source = newSource(5, 2);
        run(Duration.ofSeconds(3));
        assertTrue(snapshots.isEmpty(), snapshots.toString());
        assertTrue(reads("v1") >= 2 && reads("v1") % 2 == 0, "two pages per read, never a third: " + reads("v1"));
        assertTrue(unavailable.stream().anyMatch(u -> u.startsWith("v1: more census entries than 2 page(s)")),
                unavailable.toString());
        assertEquals(1, warnings("worker census of version orders:v1 unavailable").size(), "WARN once per streak");
        assertTrue(failures("TRUNCATED") >= 2);
        assertEquals(TemporalCensusSource.Availability.UNAVAILABLE, source.status().get(0).availability());

        // Fewer entries again: the census is back for the version.
        temporal.workers(ORDERS, "v1").subList(10, temporal.workers(ORDERS, "v1").size()).clear();
        run(Duration.ofSeconds(3));
        assertTrue(snapshots.stream().anyMatch(s -> s.version().equals(V1) && s.workers().size() == 10));
        assertEquals(TemporalCensusSource.Availability.AVAILABLE, source.status().get(0).availability());
    }

    @Test
    void withoutTheCapabilityItSaysSoOnceAndTellsTheSinkPerVersion() throws Exception {
        temporal.workerHeartbeats = false;
        manage("v1", "v2");
        run(Duration.ofSeconds(20));
        assertEquals(0, reads("v1") + reads("v2"), "no ListWorkers without the capability");
        assertEquals(1, temporal.calls(TemporalCensusSource.CAPABILITY_METHOD).size(), "checked once, not per round");
        assertEquals(List.of("v1: " + TemporalCensusSource.NO_CAPABILITY, "v2: " + TemporalCensusSource.NO_CAPABILITY),
                unavailable);
        assertEquals(1, warnings("worker census unavailable").size());
        assertTrue(warnings("worker census unavailable").get(0).getFormattedMessage().contains("ledger model"));
        assertEquals(TemporalCensusSource.Availability.UNAVAILABLE, source.availability());
        assertEquals(TemporalCensusSource.NO_CAPABILITY, source.status().get(0).unavailableReason());

        // A version managed later is told too, without another WARN.
        manage("v3");
        run(Duration.ofSeconds(1));
        assertTrue(unavailable.contains("v3: " + TemporalCensusSource.NO_CAPABILITY));
        assertEquals(1, warnings("worker census unavailable").size());

        // The server gains the capability: found at the next re-check, and the census is read.
        temporal.workerHeartbeats = true;
        run(TemporalCensusSource.CAPABILITY_RECHECK);
        assertTrue(reads("v1") > 0);
        assertEquals(TemporalCensusSource.Availability.AVAILABLE, source.availability());
        assertTrue(snapshots.stream().anyMatch(s -> s.version().equals(V1)));
    }

    @Test
    void aFailedCapabilityCheckIsRetriedWithBackoffAndIsNotNoCensus() throws Exception {
        manage("v1");
        temporal.fail(TemporalCensusSource.CAPABILITY_METHOD, Status.UNAVAILABLE.withDescription("frontend down"), 3);
        run(Duration.ofSeconds(5));
        assertEquals(0, reads("v1"), "no read before the capability is known");
        assertEquals(TemporalCensusSource.Availability.UNKNOWN, source.availability());
        assertTrue(unavailable.isEmpty(), "unknown is not unavailable: " + unavailable);
        run(Duration.ofSeconds(30));
        assertEquals(4, temporal.calls(TemporalCensusSource.CAPABILITY_METHOD).size(), "backed off, then answered");
        assertEquals(1, warnings("cannot check whether namespace default has a worker census").size());
        assertEquals(TemporalCensusSource.Availability.AVAILABLE, source.availability());
        assertTrue(reads("v1") > 0);
        assertEquals(3, failures("UNAVAILABLE"));
    }

    @Test
    void listWorkersRefusedMakesTheCensusUnavailable() throws Exception {
        manage("v1");
        temporal.fail(TemporalCensusSource.METHOD, Status.PERMISSION_DENIED.withDescription("no visibility"), 100);
        run(Duration.ofSeconds(30));
        assertEquals(1, reads("v1"), "not asked again before the re-check");
        assertEquals(1, unavailable.size());
        assertTrue(unavailable.get(0).contains("PERMISSION_DENIED"), unavailable.get(0));
        assertEquals(1, warnings("worker census unavailable").size());
        assertTrue(snapshots.isEmpty());
    }

    @Test
    void transientErrorsSkipTheSnapshotAreCountedAndLoggedOncePerStreak() throws Exception {
        manage("v1");
        busy.add(V1);
        temporal.workers(ORDERS, "v1").add(entry("req-a@" + ARN, "q", WorkerStatus.WORKER_STATUS_RUNNING,
                clock.instant(), clock.instant()));
        temporal.fail(TemporalCensusSource.METHOD, Status.UNAVAILABLE.withDescription("frontend down"), 3);
        run(Duration.ofSeconds(2));
        assertTrue(snapshots.isEmpty());
        assertTrue(unavailable.isEmpty(), "a transient error is not 'no census'");
        assertFalse(readFailures.isEmpty(), "the scaler hears of each failed read (it holds the last facts)");
        run(Duration.ofSeconds(30));
        assertEquals(3, failures("UNAVAILABLE"));
        assertEquals(3, readFailures.size(), readFailures.toString());
        assertTrue(readFailures.stream().allMatch(f -> f.startsWith("v1: UNAVAILABLE")), readFailures.toString());
        assertEquals(1, warnings("cannot read the worker census of version orders:v1").size());
        assertFalse(snapshots.isEmpty(), "read again after the streak");
        assertEquals(3, source.status().get(0).failures());
        assertTrue(logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains("works again after 3 failure")));
    }

    @Test
    void resourceExhaustedSlowsTheBudget() throws Exception {
        manage("v1");
        temporal.fail(TemporalCensusSource.METHOD, Status.RESOURCE_EXHAUSTED, 1);
        run(FIRST_READ);
        assertEquals(2.5, budget.effectivePerSecond(), 1e-9);
    }

    @Test
    void readsBusyVersionsEveryActiveIntervalAndIdleOnesEveryIdleInterval() throws Exception {
        manage("v1", "v2");
        busy.add(V1);
        run(IDLE_AFTER.plusSeconds(1)); // both start active; v2 turns idle after idleAfter
        temporal.clearCalls();
        run(Duration.ofSeconds(40));
        assertTrue(reads("v1") >= 38 && reads("v1") <= 41, "v1 every second: " + reads("v1"));
        assertTrue(reads("v2") >= 3 && reads("v2") <= 5, "v2 every 10 s: " + reads("v2"));

        // v2 turns busy (e.g. WCI invoked workers for it): read within one active interval, then every second.
        busy.add(V2);
        temporal.clearCalls();
        run(Duration.ofSeconds(2).plusMillis(100));
        assertTrue(reads("v2") >= 2, "v2 read soon after it turned busy: " + reads("v2"));
    }

    @Test
    void aRunningWorkerKeepsTheVersionActiveEvenWhenTheLedgerHasNone() throws Exception {
        manage("v1");
        temporal.workers(ORDERS, "v1").add(entry("someone@else", "q", WorkerStatus.WORKER_STATUS_RUNNING,
                clock.instant(), clock.instant()));
        run(IDLE_AFTER.plusSeconds(20));
        temporal.clearCalls();
        run(Duration.ofSeconds(10));
        assertTrue(reads("v1") >= 9, "every second: " + reads("v1"));
    }

    @Test
    void staysInsideItsBudgetAndServesEveryVersion() throws Exception {
        source.close();
        source = newSource(2, 10);
        Set<String> all = new HashSet<>();
        for (int i = 1; i <= 12; i++) {
            all.add("v" + i);
        }
        manage(all.toArray(String[]::new));
        for (int i = 1; i <= 12; i++) {
            busy.add(new DeploymentVersion(ORDERS, "v" + i));
        }
        run(Duration.ofSeconds(1));
        temporal.clearCalls();
        run(Duration.ofSeconds(30));
        List<FakeTemporal.Call> calls = temporal.calls(TemporalCensusSource.METHOD);
        assertTrue(calls.size() <= 61, "at most 2/s: " + calls.size());
        for (int i = 0; i + 2 < calls.size(); i++) {
            assertTrue(Duration.between(calls.get(i).at(), calls.get(i + 2).at()).compareTo(Duration.ofSeconds(1)) >= 0,
                    "never three calls within a second");
        }
        for (String b : all) {
            assertTrue(reads(b) >= 3, b + " read " + reads(b) + " times: none starves");
        }
    }

    @Test
    void versionsThatAreNoLongerManagedAreNotRead() throws Exception {
        manage("v1", "v2");
        run(FIRST_READ);
        run(Duration.ofSeconds(2));
        assertTrue(reads("v2") > 0);
        temporal.deployment(ORDERS).versions.remove("v2");
        sync.syncNow();
        temporal.clearCalls();
        run(Duration.ofSeconds(20));
        assertEquals(0, reads("v2"));
        assertEquals(List.of(V1), source.status().stream().map(TemporalCensusSource.VersionCensusStatus::version)
                .toList());
    }

    @Test
    void aVersionThisReplicaDoesNotOwnIsNeverRead() throws Exception {
        notOwned.add(V2); // another replica holds its lease
        manage("v1", "v2");
        busy.add(V1);
        busy.add(V2);
        run(Duration.ofSeconds(30));
        assertTrue(reads("v1") >= 25, "the owned version is read: " + reads("v1"));
        assertEquals(0, reads("v2"), "no ListWorkers RPC for a version another replica owns");
        assertTrue(snapshots.stream().noneMatch(sn -> sn.version().equals(V2)));
        assertEquals(List.of(V1), source.status().stream().map(TemporalCensusSource.VersionCensusStatus::version)
                .toList());

        notOwned.remove(V2);
        temporal.clearCalls();
        run(Duration.ofSeconds(1));
        assertTrue(reads("v2") >= 1, "read at once when owned");
    }

    @Test
    void readNowDeliversAFreshSnapshotAtOnceInItsOwnBudgetSlots() throws Exception {
        manage("v1", "v2");
        run(FIRST_READ.plusSeconds(1)); // capability checked, both read
        run(IDLE_AFTER.plusSeconds(1)); // both idle: next reads 10 s apart
        temporal.workers(ORDERS, "v1").add(entry("req-a@" + ARN, "q", WorkerStatus.WORKER_STATUS_RUNNING,
                clock.instant(), clock.instant()));
        snapshots.clear();
        temporal.clearCalls();
        Instant since = clock.instant();
        assertEquals(2, source.readNow(List.of(V1, V2), since));
        assertEquals(1, reads("v1"));
        assertEquals(1, reads("v2"));
        CensusSnapshot v1 = snapshots.stream().filter(sn -> sn.version().equals(V1)).findFirst().orElseThrow();
        assertEquals(1, v1.workers().size(), "the worker started since the last read is there");
        assertTrue(!temporal.calls(TemporalCensusSource.METHOD).get(1).at()
                .isBefore(temporal.calls(TemporalCensusSource.METHOD).get(0).at().plusMillis(200)),
                "each read in its own slot of the 5/s budget");
        // Read since the request: not again.
        assertEquals(0, source.readNow(List.of(V1, V2), since));
        assertEquals(2, temporal.calls(TemporalCensusSource.METHOD).size());
    }

    @Test
    void readNowReadsNothingBeforeTheCensusIsKnownToBeAvailable() throws Exception {
        manage("v1");
        assertEquals(0, source.readNow(List.of(V1), clock.instant()));
        assertEquals(0, reads("v1"));
    }

    @Test
    void theConfiguredDefaultsAreCoresCensusRhythm() throws Exception {
        SignalsConfig.Census d = new dev.wci.server.config.ConfigLoader(name -> null)
                .load(java.nio.file.Path.of("src/test/resources/config/good/minimal.yaml")).signals().census();
        assertEquals(dev.wci.core.signal.stats.PollRhythm.censusDefaults(), d.rhythm());
    }
}
