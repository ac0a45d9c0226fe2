package dev.wci.server.temporal;

import dev.wci.core.census.CensusSink;
import dev.wci.core.census.CensusSnapshot;
import dev.wci.core.census.CensusStatus;
import dev.wci.core.census.CensusWorker;
import dev.wci.core.census.SlotLoad;
import dev.wci.core.registry.RegistryChange;
import dev.wci.core.registry.RegistryListener;
import dev.wci.core.registry.VersionEntry;
import dev.wci.core.registry.VersionRegistry;
import dev.wci.core.signal.stats.PollRhythm;
import dev.wci.core.signal.stats.VersionPoll;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.server.config.SignalsConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.temporal.api.worker.v1.WorkerInfo;
import io.temporal.api.worker.v1.WorkerHeartbeat;
import io.temporal.api.worker.v1.WorkerListInfo;
import io.temporal.api.worker.v1.WorkerSlotsInfo;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.ListWorkersRequest;
import io.temporal.api.workflowservice.v1.ListWorkersResponse;
import io.temporal.serviceclient.WorkflowServiceStubs;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker census: reads which workers of each managed version Temporal knows, from the workers' own heartbeats
 * ({@code ListWorkers} with {@code DeploymentName="<d>" AND BuildId="<b>"}, a public API, so Temporal Cloud too),
 * and hands each version's list to a {@link CensusSink} as a {@link CensusSnapshot}.
 *
 * <p><b>Capability.</b> Before the first read, and every {@link #CAPABILITY_RECHECK} while it is missing, the
 * namespace is asked whether it has worker heartbeats ({@code DescribeNamespace} → capability
 * {@code workerHeartbeats}). Without it, or when {@code ListWorkers} answers {@code UNIMPLEMENTED} or
 * {@code PERMISSION_DENIED}, the census is <em>unavailable</em>: one WARN line says so and what it means, every
 * managed version (and each one managed later) gets {@link CensusSink#onCensusUnavailable}, and the scaler keeps
 * its ledger model. A version with more census entries than {@code maxPages} pages hold is unavailable too (a
 * partial list would make the missing workers look ended).
 *
 * <p><b>Rhythm.</b> When each version is due comes from core's {@link VersionPoll} on the configured
 * {@link PollRhythm} ({@code signals.census}), the same rule the stats source and the simulator follow: a version is
 * read every {@code activeInterval} while it is busy (the {@code busy} predicate: the ledger has workers or there is
 * demand, or the last census listed a running worker) and for {@code idleAfter} after, else every
 * {@code idleInterval}; a version that becomes managed is read at once, an idle one that turns busy within
 * {@code activeInterval} of its last read. Only versions this replica reads ({@code owned}: with HA, those of
 * deployments whose lease it holds) are read at all; a takeover asks for a fresh read at once ({@link #readNow}).
 * Every page takes a slot of this source's {@link DescribeBudget}:
 * {@code ListWorkers} is a visibility read, which Temporal limits separately from the describe calls (10/s per
 * namespace by default, shared with the namespace's own list calls), so it has its own budget; when that budget
 * cannot serve every version at its interval the version due longest goes first.
 *
 * <p><b>Entries.</b> The SDK heartbeats once per worker and task queue: entries with the same identity are one
 * Lambda worker, merged as the most alive status ({@code RUNNING} over {@code SHUTTING_DOWN} over
 * {@code SHUTDOWN}), the earliest start, the latest heartbeat and the fewest slots reported (see {@link #slots}).
 * A stopped worker's entry stays (as {@code SHUTTING_DOWN} or {@code SHUTDOWN}) until Temporal expires it after
 * ~5 min.
 *
 * <p><b>Failures.</b> Other errors are transient: counted in {@code wci_census_read_failures_total{code}},
 * logged once per streak, the snapshot skipped and the version backed off (doubling up to a minute); the scaler
 * falls back by itself once its last snapshot is too old. {@code RESOURCE_EXHAUSTED} also halves the budget.
 */
public final class TemporalCensusSource implements AutoCloseable {

    static final String METHOD = "ListWorkers";
    static final String CAPABILITY_METHOD = "DescribeNamespace";
    /** Entries asked for per page. */
    static final int PAGE_SIZE = 500;
    /** How often a missing capability (or a refused ListWorkers) is checked again. */
    static final Duration CAPABILITY_RECHECK = Duration.ofMinutes(5);
    static final String NO_CAPABILITY = "the namespace does not advertise the workerHeartbeats capability "
            + "(Temporal server older than 1.30, or worker heartbeats turned off)";
    private static final Logger log = LoggerFactory.getLogger(TemporalCensusSource.class);

    private final WorkflowServiceStubs stubs;
    private final String namespace;
    private final VersionRegistry registry;
    private final DescribeBudget budget;
    private final TemporalRpcMetrics metrics;
    private final SignalsConfig.Census config;
    private final PollRhythm rhythm;
    private final Predicate<DeploymentVersion> owned;
    private final Predicate<DeploymentVersion> busy;
    private final CensusSink sink;
    private final Clock clock;
    private final Sleeper sleeper;
    private final MeterRegistry meters;
    private final Counter loopFailures;
    private final RegistryListener wakeOnChange;
    private final BackgroundLoop loop;

    // Guarded by this.
    private final Map<DeploymentVersion, Tracked> tracked = new TreeMap<>();
    // Written under this, read by /status without it.
    private volatile Availability availability = Availability.UNKNOWN;
    private volatile String unavailableReason;
    private Instant capabilityDue;
    private int capabilityFailures;
    private volatile List<VersionCensusStatus> status = List.of();

    /** Whether the namespace's census can be read. */
    public enum Availability {
        /** Not checked yet (or the check failed so far). */
        UNKNOWN,
        /** The namespace has worker heartbeats and lets WCI list them. */
        AVAILABLE,
        /** No census: the scaler runs on its ledger model. */
        UNAVAILABLE
    }

    private static final class Tracked {
        final DeploymentVersion version;
        final VersionPoll poll;
        boolean unavailableSent;
        String unavailableReason;
        long reads;
        long failures;
        CensusSnapshot last;

        Tracked(DeploymentVersion version, PollRhythm rhythm, Instant now) {
            this.version = version;
            this.poll = new VersionPoll(rhythm, now);
        }
    }

    /**
     * The census of one version as last read, for /status and metrics.
     *
     * @param availability       whether the census is read for this version ({@code UNAVAILABLE} with a reason)
     * @param unavailableReason  why not, when unavailable
     * @param running            workers the last snapshot listed as running
     * @param shuttingDown       workers the last snapshot listed as shutting down
     * @param asOf               when the last snapshot was read (empty before the first)
     * @param active             read at the active interval (else idle)
     * @param reads              snapshots delivered so far
     * @param failures           failed reads so far (transient errors, truncated lists)
     * @param nextReadAt         when it is due next
     */
    public record VersionCensusStatus(DeploymentVersion version, Availability availability, String unavailableReason,
                                      int running, int shuttingDown, Optional<Instant> asOf, boolean active,
                                      long reads, long failures, Instant nextReadAt) {

        /**
         * Workers the ledger counts as ready minus workers this census lists as running: above zero, WCI believes
         * in workers that are gone (or not listed yet). Starting workers are left out: the census cannot list them
         * before they start.
         */
        public int gap(int believedReady) {
            return believedReady - running;
        }
    }

    /** A census of every managed version (no HA: this process reads them all). */
    public TemporalCensusSource(TemporalConnection connection, VersionRegistry registry, DescribeBudget budget,
                                SignalsConfig.Census config, Predicate<DeploymentVersion> busy, CensusSink sink,
                                Clock clock) {
        this(connection, registry, budget, config, v -> true, busy, sink, clock);
    }

    /**
     * @param owned whether this replica reads a managed version now (with HA: it holds the deployment's lease);
     *              a version turning owned is read at once, one no longer owned is dropped with its state
     */
    public TemporalCensusSource(TemporalConnection connection, VersionRegistry registry, DescribeBudget budget,
                                SignalsConfig.Census config, Predicate<DeploymentVersion> owned,
                                Predicate<DeploymentVersion> busy, CensusSink sink, Clock clock) {
        this(connection.stubs(), connection.namespace(), registry, budget, connection.metrics(), config, owned, busy,
                sink, clock, Sleeper.REAL);
    }

    TemporalCensusSource(WorkflowServiceStubs stubs, String namespace, VersionRegistry registry, DescribeBudget budget,
                         TemporalRpcMetrics metrics, SignalsConfig.Census config, Predicate<DeploymentVersion> owned,
                         Predicate<DeploymentVersion> busy, CensusSink sink, Clock clock, Sleeper sleeper) {
        this.stubs = Objects.requireNonNull(stubs, "stubs");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.budget = Objects.requireNonNull(budget, "budget");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.config = Objects.requireNonNull(config, "config");
        if (config.maxPages() < 1) {
            throw new IllegalArgumentException("signals.census.maxPages must be at least 1, got " + config.maxPages());
        }
        this.rhythm = config.rhythm();
        this.owned = Objects.requireNonNull(owned, "owned");
        this.busy = Objects.requireNonNull(busy, "busy");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.meters = metrics.registry();
        this.capabilityDue = clock.instant();
        this.loopFailures = Counter.builder("wci.temporal.loop.failures")
                .description("Unexpected failures of a Temporal background loop (it retries with backoff)")
                .tag("loop", "census").register(meters);
        this.loop = new BackgroundLoop("wci-temporal-census", "worker census", this::round, loopFailures, log);
        this.wakeOnChange = change -> {
            if (change instanceof RegistryChange.VersionManaged) {
                wakeUp();
            }
        };
        registry.addListener(wakeOnChange);
    }

    /**
     * Reads every version that is due, as far as the budget allows now, and delivers the snapshots.
     *
     * @return how long until something is due (a version, the capability check, or a budget slot)
     */
    public synchronized Duration readDue() throws InterruptedException {
        try {
            return readRound();
        } finally {
            status = tracked.values().stream().map(this::statusOf).toList();
        }
    }

    private VersionCensusStatus statusOf(Tracked t) {
        int running = 0;
        int shuttingDown = 0;
        if (t.last != null) {
            for (CensusWorker w : t.last.workers()) {
                if (w.status() == CensusStatus.RUNNING) {
                    running++;
                } else if (w.status() == CensusStatus.SHUTTING_DOWN) {
                    shuttingDown++;
                }
            }
        }
        Availability a = t.unavailableReason != null ? Availability.UNAVAILABLE : availability;
        return new VersionCensusStatus(t.version, a, a == Availability.UNAVAILABLE
                ? (t.unavailableReason != null ? t.unavailableReason : unavailableReason) : null,
                running, shuttingDown, Optional.ofNullable(t.last).map(CensusSnapshot::asOf), t.poll.active(),
                t.reads, t.failures, t.poll.nextDue());
    }

    private Duration readRound() throws InterruptedException {
        Instant now = clock.instant();
        refreshTracked(now);
        if (availability != Availability.AVAILABLE) {
            if (now.isBefore(capabilityDue)) {
                return Duration.between(now, capabilityDue);
            }
            Duration slot = budget.tryAcquire();
            if (!slot.isZero()) {
                return slot;
            }
            checkCapability();
            if (availability != Availability.AVAILABLE) {
                return Duration.between(clock.instant(), capabilityDue);
            }
        }
        while (true) {
            Tracked next = tracked.values().stream()
                    .min(Comparator.comparing((Tracked t) -> t.poll.nextDue()).thenComparing(t -> t.version))
                    .orElse(null);
            if (next == null) {
                return config.idleInterval();
            }
            now = clock.instant();
            if (next.poll.nextDue().isAfter(now)) {
                return Duration.between(now, next.poll.nextDue());
            }
            if (loop.isClosed()) {
                return config.idleInterval();
            }
            Duration slot = budget.tryAcquire();
            if (!slot.isZero()) {
                return slot;
            }
            read(next);
            if (availability != Availability.AVAILABLE) {
                return Duration.between(clock.instant(), capabilityDue);
            }
        }
    }

    /** The registry's managed versions this replica owns are the ones read; busy idle versions are pulled in. */
    private void refreshTracked(Instant now) {
        Set<DeploymentVersion> managed = new HashSet<>();
        for (VersionEntry e : registry.snapshot().managed()) {
            if (!owned.test(e.version())) {
                continue; // another replica reads it (HA): dropped with its state, read afresh when taken on
            }
            managed.add(e.version());
            Tracked t = tracked.computeIfAbsent(e.version(), v -> new Tracked(v, rhythm, now));
            if (availability == Availability.UNAVAILABLE && !t.unavailableSent) {
                t.unavailableSent = true;
                sink.onCensusUnavailable(t.version, unavailableReason);
            }
        }
        tracked.keySet().retainAll(managed);
        for (Tracked t : tracked.values()) {
            if (!t.poll.active() && busy.test(t.version)) {
                t.poll.workersLive();
            }
        }
    }

    private void checkCapability() {
        Instant at = clock.instant();
        boolean has;
        try {
            has = metrics.call(CAPABILITY_METHOD, () -> stubs.blockingStub().describeNamespace(
                    DescribeNamespaceRequest.newBuilder().setNamespace(namespace).build()))
                    .getNamespaceInfo().getCapabilities().getWorkerHeartbeats();
        } catch (StatusRuntimeException e) {
            if (loop.isClosed() && Thread.currentThread().isInterrupted()) {
                return;
            }
            Status.Code code = e.getStatus().getCode();
            if (code == Status.Code.RESOURCE_EXHAUSTED) {
                budget.onResourceExhausted();
            }
            if (capabilityFailures++ == 0) {
                log.warn("cannot check whether namespace {} has a worker census: {}; retrying with backoff",
                        namespace, RegistrySync.describe(e));
            }
            failureCounter(code).increment();
            Duration wait = config.activeInterval().multipliedBy(1L << Math.min(capabilityFailures, 16));
            capabilityDue = at.plus(BackgroundLoop.min(wait, BackgroundLoop.MAX_BACKOFF));
            return;
        }
        capabilityFailures = 0;
        if (has) {
            becomeAvailable();
        } else {
            becomeUnavailable(NO_CAPABILITY, at);
        }
    }

    private void becomeAvailable() {
        if (availability == Availability.UNAVAILABLE) {
            log.info("worker census of namespace {} is available again: WCI follows its workers' heartbeats",
                    namespace);
        } else {
            log.info("worker census of namespace {} is available: WCI follows its workers' heartbeats", namespace);
        }
        availability = Availability.AVAILABLE;
        unavailableReason = null;
        Instant now = clock.instant();
        for (Tracked t : tracked.values()) {
            t.unavailableSent = false;
            t.poll.dueBy(now);
        }
    }

    private void becomeUnavailable(String reason, Instant at) {
        if (availability != Availability.UNAVAILABLE || !reason.equals(unavailableReason)) {
            log.warn("worker census unavailable for namespace {}: {}. WCI cannot see its workers' real lifecycles "
                    + "and falls back to its ledger model (predicted cold starts and idle exits)", namespace, reason);
        }
        availability = Availability.UNAVAILABLE;
        unavailableReason = reason;
        capabilityDue = at.plus(CAPABILITY_RECHECK);
        for (Tracked t : tracked.values()) {
            t.last = null;
            if (!t.unavailableSent) {
                t.unavailableSent = true;
                sink.onCensusUnavailable(t.version, reason);
            }
        }
    }

    private void read(Tracked t) throws InterruptedException {
        DeploymentVersion v = t.version;
        Instant asOf = clock.instant();
        Map<String, CensusWorker> workers = new LinkedHashMap<>();
        ByteString token = ByteString.EMPTY;
        int pages = 0;
        try {
            do {
                if (pages > 0) {
                    sleeper.sleep(budget.reserve()); // a further page waits for its own slot
                }
                ListWorkersResponse page = listPage(v, token);
                pages++;
                merge(page, workers);
                token = page.getNextPageToken();
            } while (!token.isEmpty() && pages < config.maxPages());
        } catch (StatusRuntimeException e) {
            if (loop.isClosed() && Thread.currentThread().isInterrupted()) {
                return; // close() interrupted the call: not a failure
            }
            failed(t, e);
            return;
        }
        Instant at = clock.instant();
        if (!token.isEmpty()) {
            t.failures++;
            failureCounter("TRUNCATED").increment();
            String reason = "more census entries than " + config.maxPages() + " page(s) of " + PAGE_SIZE
                    + " hold (signals.census.maxPages)";
            if (t.unavailableReason == null) {
                log.warn("worker census of version {} unavailable: {}; the scaler uses its ledger model for it",
                        v, reason);
            }
            t.unavailableReason = reason;
            t.last = null;
            sink.onCensusUnavailable(v, reason);
            t.poll.polled(at, true);
            return;
        }
        CensusSnapshot snapshot = new CensusSnapshot(v, asOf, List.copyOf(workers.values()));
        if (t.poll.consecutiveFailures() > 0) {
            log.info("reading the worker census of version {} works again after {} failure(s)", v,
                    t.poll.consecutiveFailures());
        }
        if (t.unavailableReason != null) {
            log.info("worker census of version {} is available again", v);
            t.unavailableReason = null;
        }
        t.reads++;
        t.last = snapshot;
        try {
            sink.onCensus(snapshot);
        } catch (RuntimeException e) {
            // The sink failed: count it and keep reading this version (and the others).
            loopFailures.increment();
            log.error("handling the worker census of version {} failed", v, e);
        }
        boolean running = workers.values().stream().anyMatch(w -> w.status() == CensusStatus.RUNNING);
        t.poll.polled(at, running || busy.test(v));
    }

    private ListWorkersResponse listPage(DeploymentVersion v, ByteString token) {
        return metrics.call(METHOD, () -> stubs.blockingStub().listWorkers(ListWorkersRequest.newBuilder()
                .setNamespace(namespace).setQuery(query(v)).setPageSize(PAGE_SIZE).setNextPageToken(token).build()));
    }

    /** The list query of one version; quotes and backslashes in names are escaped. */
    static String query(DeploymentVersion v) {
        return "DeploymentName=\"" + escape(v.deploymentName()) + "\" AND BuildId=\"" + escape(v.buildId()) + "\"";
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /**
     * Adds one page's entries, merged by identity. {@code workers} (limited info) is the current field; the
     * deprecated {@code workers_info} carries the heartbeat time, the slot infos and the load, used while the server
     * still fills it (without it all are unknown).
     */
    @SuppressWarnings("deprecation")
    static void merge(ListWorkersResponse page, Map<String, CensusWorker> into) {
        Map<String, Instant> heartbeats = new HashMap<>();
        Map<String, Beat> beats = new HashMap<>();
        for (WorkerInfo info : page.getWorkersInfoList()) {
            WorkerHeartbeat hb = info.getWorkerHeartbeat();
            if (info.hasWorkerHeartbeat() && hb.hasHeartbeatTime()) {
                heartbeats.merge(hb.getWorkerInstanceKey(), instant(hb.getHeartbeatTime()),
                        TemporalCensusSource::later);
            }
            if (info.hasWorkerHeartbeat() && slots(hb) > 0) {
                beats.merge(hb.getWorkerInstanceKey(), beat(hb), Beat::fewer);
            }
        }
        if (page.getWorkersCount() == 0) {
            // A server that fills only the older field.
            for (WorkerInfo info : page.getWorkersInfoList()) {
                var hb = info.getWorkerHeartbeat();
                add(into, hb.getWorkerIdentity(), hb.getStatus(), hb.hasStartTime() ? instant(hb.getStartTime()) : null,
                        hb.hasHeartbeatTime() ? instant(hb.getHeartbeatTime()) : null, beat(hb));
            }
            return;
        }
        for (WorkerListInfo w : page.getWorkersList()) {
            add(into, w.getWorkerIdentity(), w.getStatus(), w.hasStartTime() ? instant(w.getStartTime()) : null,
                    heartbeats.get(w.getWorkerInstanceKey()), beats.getOrDefault(w.getWorkerInstanceKey(), Beat.UNKNOWN));
        }
    }

    /** A heartbeat's slot count (0: unknown) and the load of the slots it was taken from (null: unknown). */
    record Beat(int slots, SlotLoad load) {
        static final Beat UNKNOWN = new Beat(0, null);

        /** Of two entries of one worker, the one with fewer known slots, its load with it. */
        static Beat fewer(Beat a, Beat b) {
            return fewerKnown(a.slots, b.slots) == a.slots ? a : b;
        }
    }

    /** A heartbeat's slots ({@link #slots(WorkerHeartbeat)}) and, from the same slot info, its load. */
    static Beat beat(WorkerHeartbeat hb) {
        int slots = slots(hb);
        if (slots == 0) {
            return Beat.UNKNOWN;
        }
        boolean activity = hb.hasActivityTaskSlotsInfo() && total(hb.getActivityTaskSlotsInfo()) == slots;
        return new Beat(slots, load(activity ? hb.getActivityTaskSlotsInfo() : hb.getWorkflowTaskSlotsInfo(),
                hb.hasElapsedSinceLastHeartbeat() ? hb.getElapsedSinceLastHeartbeat() : null));
    }

    /** The longest heartbeat interval a load is taken over: beyond it the counts are too coarse, or malformed. */
    static final Duration MAX_LOAD_INTERVAL = Duration.ofMinutes(10);

    /**
     * A slot info's load: the slots in use and the tasks processed since the previous heartbeat, over the interval
     * the heartbeat reports; null (unknown) without the interval or with a negative or absurd value.
     */
    static SlotLoad load(WorkerSlotsInfo info, com.google.protobuf.Duration elapsed) {
        if (elapsed == null || elapsed.getSeconds() < 0 || elapsed.getNanos() < 0) {
            return null;
        }
        Duration interval = Duration.ofSeconds(elapsed.getSeconds(), elapsed.getNanos());
        int used = info.getCurrentUsedSlots();
        int processed = info.getLastIntervalProcessedTasks();
        if (interval.isZero() || interval.compareTo(MAX_LOAD_INTERVAL) > 0 || used < 0 || processed < 0) {
            return null;
        }
        return new SlotLoad(used, processed, interval);
    }

    /**
     * The tasks a worker runs at once, from one heartbeat: available + used slots, the smaller of its activity and
     * workflow slot totals where both are reported (a backlog of either kind may wait for it, and a bound of waiting
     * tasks per slot must not overrate a worker); 0 when neither is (unknown).
     */
    static int slots(WorkerHeartbeat hb) {
        int activity = hb.hasActivityTaskSlotsInfo() ? total(hb.getActivityTaskSlotsInfo()) : 0;
        int workflow = hb.hasWorkflowTaskSlotsInfo() ? total(hb.getWorkflowTaskSlotsInfo()) : 0;
        return fewerKnown(activity, workflow);
    }

    /** A slot info's total, 0 (unknown) when it is empty or malformed (a negative count). */
    private static int total(WorkerSlotsInfo info) {
        int available = info.getCurrentAvailableSlots();
        int used = info.getCurrentUsedSlots();
        return available < 0 || used < 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, (long) available + used);
    }

    /** The smaller of two slot counts, 0 standing for unknown. */
    private static int fewerKnown(int a, int b) {
        return a == 0 ? b : b == 0 ? a : Math.min(a, b);
    }

    private static void add(Map<String, CensusWorker> into, String identity,
                            io.temporal.api.enums.v1.WorkerStatus status, Instant startedAt, Instant heartbeatAt,
                            Beat beat) {
        Optional<CensusStatus> s = status(status);
        if (identity.isEmpty() || s.isEmpty()) {
            return; // nothing to match an invocation with, or a state the census cannot use
        }
        CensusWorker w = new CensusWorker(identity, s.get(), startedAt, heartbeatAt, beat.slots(), beat.load());
        into.merge(identity, w, (a, b) -> {
            CensusWorker kept = fewerKnown(a.slots(), b.slots()) == a.slots() ? a : b; // its load with its slots
            return new CensusWorker(identity, a.status().ordinal() <= b.status().ordinal() ? a.status() : b.status(),
                    earlier(a.startedAt(), b.startedAt()), later(a.lastHeartbeatAt(), b.lastHeartbeatAt()),
                    kept.slots(), kept.load());
        });
    }

    static Optional<CensusStatus> status(io.temporal.api.enums.v1.WorkerStatus s) {
        return switch (s) {
            case WORKER_STATUS_RUNNING -> Optional.of(CensusStatus.RUNNING);
            case WORKER_STATUS_SHUTTING_DOWN -> Optional.of(CensusStatus.SHUTTING_DOWN);
            case WORKER_STATUS_SHUTDOWN -> Optional.of(CensusStatus.SHUTDOWN);
            default -> Optional.empty();
        };
    }

    private static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    private static Instant earlier(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
    }

    private static Instant later(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
    }

    private void failed(Tracked t, StatusRuntimeException e) {
        Instant at = clock.instant();
        Status.Code code = e.getStatus().getCode();
        if (code == Status.Code.UNIMPLEMENTED || code == Status.Code.PERMISSION_DENIED) {
            failureCounter(code).increment();
            becomeUnavailable("ListWorkers answered " + RegistrySync.describe(e), at);
            return;
        }
        t.failures++;
        failureCounter(code).increment();
        if (code == Status.Code.RESOURCE_EXHAUSTED) {
            budget.onResourceExhausted();
        }
        if (t.poll.consecutiveFailures() == 0) {
            log.warn("cannot read the worker census of version {}: {}; skipping it and retrying with backoff "
                    + "(the scaler holds the last census facts meanwhile)", t.version, RegistrySync.describe(e));
        }
        // A passing failure: the scaler holds the last facts rather than reading the silence as workers gone.
        sink.onCensusReadFailed(t.version, RegistrySync.describe(e));
        // Also RESOURCE_EXHAUSTED: the visibility limit is shared with the namespace's own list calls, so the
        // version backs off besides the budget slowing down.
        t.poll.failed(at);
    }

    private Counter failureCounter(Status.Code code) {
        return failureCounter(code.name());
    }

    private Counter failureCounter(String code) {
        return Counter.builder("wci.census.read.failures")
                .description("Worker census reads that gave no snapshot, by gRPC code (TRUNCATED: too many entries)")
                .tag("code", code).register(meters);
    }

    /**
     * Reads the census of {@code versions} now, ahead of their rhythm, each in its own budget slot, and delivers the
     * snapshots before returning: a replica that takes a deployment over gets a fresh picture of the workers the
     * previous owner started before it acts on any stats. A version read since {@code since} is not read again;
     * nothing is read while the census is not known to be available (the loop checks that first; without it the
     * scaler was told, or is told at the loop's next round).
     *
     * @return the versions read
     */
    public synchronized int readNow(Collection<DeploymentVersion> versions, Instant since)
            throws InterruptedException {
        int read = 0;
        try {
            for (DeploymentVersion v : versions) {
                if (availability != Availability.AVAILABLE || loop.isClosed()) {
                    break;
                }
                Tracked t = tracked.computeIfAbsent(v, x -> new Tracked(x, rhythm, clock.instant()));
                if (t.poll.lastPolledAt().filter(at -> !at.isBefore(since)).isPresent()) {
                    continue;
                }
                sleeper.sleep(budget.reserve());
                read(t);
                read++;
            }
        } finally {
            status = tracked.values().stream().map(this::statusOf).toList();
        }
        return read;
    }

    /** The census of each managed version, as of the end of the last round (never blocks on a read). */
    public List<VersionCensusStatus> status() {
        return status;
    }

    /** Whether the namespace's census can be read, as far as known. */
    public Availability availability() {
        return availability;
    }

    /** Why the namespace's census cannot be read, or null. */
    public String unavailableReason() {
        return unavailableReason;
    }

    // --- background loop ----------------------------------------------------------------------------------

    /** Starts reading on a daemon thread. */
    public void start() {
        loop.start();
    }

    /** Makes the loop look at the registry now (a version became managed). */
    public void wakeUp() {
        loop.wake();
    }

    /** One round: read what is due; a version turning busy is not announced, so look again within one interval. */
    private Duration round() throws InterruptedException {
        return BackgroundLoop.min(readDue(), config.activeInterval());
    }

    /** Stops reading and waits for the loop to end (up to 5 s). The connection stays open. */
    @Override
    public void close() {
        loop.close();
        registry.removeListener(wakeOnChange);
    }
}
