package dev.wci.server.temporal;

import dev.wci.core.registry.RegisteredTaskQueue;
import dev.wci.core.registry.RegistryChange;
import dev.wci.core.registry.RegistryListener;
import dev.wci.core.registry.VersionEntry;
import dev.wci.core.registry.VersionRegistry;
import dev.wci.core.signal.SignalSink;
import dev.wci.core.signal.stats.PollRhythm;
import dev.wci.core.signal.stats.QueueStats;
import dev.wci.core.signal.stats.StatsSignals;
import dev.wci.core.signal.stats.VersionPoll;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.RoutingState;
import dev.wci.server.config.SignalsConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.temporal.api.deployment.v1.WorkerDeploymentVersion;
import io.temporal.api.taskqueue.v1.TaskQueueStats;
import io.temporal.api.workflowservice.v1.DescribeWorkerDeploymentVersionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkerDeploymentVersionResponse;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code temporal-stats} signal source: polls {@code DescribeWorkerDeploymentVersion} with
 * {@code report_task_queue_stats=true} for every managed version. Works against any Temporal with the Worker
 * Deployment API, Temporal Cloud included. This class only makes the calls: when each version is due comes from
 * core's {@link VersionPoll} on the configured {@link PollRhythm}, and the signals from core's {@link StatsSignals}
 * (both described there), the very code the simulator runs.
 *
 * <p>The poll rhythm's inputs here: a version that becomes managed is polled at once; "live workers"
 * ({@code liveWorkers}) keep it active and pull an idle one's next poll within {@code activeInterval}; a routing
 * change (it becomes Current or Ramping, or starts draining) makes it active and due at once; a Current or Ramping
 * version stays active however long it is quiet (new work lands on it). Only versions this replica reads
 * ({@code owned}: with HA, those of deployments whose lease it holds) are polled at all: one turning owned is
 * polled at once with a fresh signal state, one no longer owned is dropped. Every poll takes a
 * slot of the shared {@link DescribeBudget}; when the budget cannot serve every version at its interval, the
 * version due the longest goes first, so every interval stretches in the same proportion and none starves.
 *
 * <p><b>Failures.</b> {@code ResourceExhausted} slows the budget down; other errors back the version off
 * (doubling, up to a minute); the loop itself never dies: an unexpected exception is logged, counted in
 * {@code wci.temporal.loop.failures{loop="stats"}} and retried with backoff. Each answer also tells the registry
 * which task queues the version has ({@link VersionRegistry#updateTaskQueues}): none means a bootstrap
 * invocation is needed.
 */
public final class TemporalStatsSource implements AutoCloseable {

    /** How old stats are taken to be ({@link StatsSignals#STALENESS}). */
    public static final Duration STALENESS = StatsSignals.STALENESS;
    static final String METHOD = "DescribeWorkerDeploymentVersion";
    private static final Logger log = LoggerFactory.getLogger(TemporalStatsSource.class);

    private final WorkflowServiceStubs stubs;
    private final String namespace;
    private final VersionRegistry registry;
    private final DescribeBudget budget;
    private final TemporalRpcMetrics metrics;
    private final PollRhythm rhythm;
    private final Predicate<DeploymentVersion> owned;
    private final ToIntFunction<DeploymentVersion> liveWorkers;
    private final SignalSink sink;
    private final Clock clock;
    private final Counter loopFailures;
    private final RegistryListener wakeOnChange;

    // Guarded by this.
    private final Map<DeploymentVersion, Tracked> tracked = new TreeMap<>();
    private volatile List<VersionPollStatus> status = List.of();

    private final BackgroundLoop loop;

    private static final class Tracked {
        final DeploymentVersion version;
        final VersionPoll poll;
        final StatsSignals signals;
        RoutingState routing;
        long polls;
        long failures;

        Tracked(DeploymentVersion version, PollRhythm rhythm, Instant now) {
            this.version = version;
            this.poll = new VersionPoll(rhythm, now);
            this.signals = new StatsSignals(version);
        }
    }

    /**
     * How one version is being polled, for the status page.
     *
     * @param active       polled at the active interval (else idle)
     * @param polls        successful polls so far
     * @param failures     failed polls so far
     * @param lastPolledAt the last successful poll
     * @param nextPollAt   when it is due next
     */
    public record VersionPollStatus(DeploymentVersion version, boolean active, long polls, long failures,
                                    Optional<Instant> lastPolledAt, Instant nextPollAt) {
    }

    /** Polls every managed version (no HA: this process reads them all). */
    public TemporalStatsSource(TemporalConnection connection, VersionRegistry registry, DescribeBudget budget,
                               SignalsConfig.TemporalStats config, ToIntFunction<DeploymentVersion> liveWorkers,
                               SignalSink sink, Clock clock) {
        this(connection, registry, budget, config, v -> true, liveWorkers, sink, clock);
    }

    /**
     * @param owned whether this replica polls a managed version now (with HA: it holds the deployment's lease and
     *              has read its census since taking it on)
     */
    public TemporalStatsSource(TemporalConnection connection, VersionRegistry registry, DescribeBudget budget,
                               SignalsConfig.TemporalStats config, Predicate<DeploymentVersion> owned,
                               ToIntFunction<DeploymentVersion> liveWorkers, SignalSink sink, Clock clock) {
        this(connection.stubs(), connection.namespace(), registry, budget, connection.metrics(), config, owned,
                liveWorkers, sink, clock);
    }

    TemporalStatsSource(WorkflowServiceStubs stubs, String namespace, VersionRegistry registry, DescribeBudget budget,
                        TemporalRpcMetrics metrics, SignalsConfig.TemporalStats config,
                        Predicate<DeploymentVersion> owned, ToIntFunction<DeploymentVersion> liveWorkers,
                        SignalSink sink, Clock clock) {
        this.stubs = Objects.requireNonNull(stubs, "stubs");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.budget = Objects.requireNonNull(budget, "budget");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.rhythm = config.rhythm();
        this.owned = Objects.requireNonNull(owned, "owned");
        this.liveWorkers = Objects.requireNonNull(liveWorkers, "liveWorkers");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.loopFailures = Counter.builder("wci.temporal.loop.failures")
                .description("Unexpected failures of a Temporal background loop (it retries with backoff)")
                .tag("loop", "stats").register(metrics.registry());
        this.loop = new BackgroundLoop("wci-temporal-stats", "stats polling", this::round, loopFailures, log);
        Gauge.builder("wci.temporal.describe.budget", budget, DescribeBudget::effectivePerSecond)
                .description("Describe calls per second WCI allows itself now (lower while Temporal pushes back)")
                .register(metrics.registry());
        Gauge.builder("wci.temporal.stats.versions", this, s -> s.countMode(true)).tag("mode", "active")
                .description("Versions polled for task queue stats, by polling mode").register(metrics.registry());
        Gauge.builder("wci.temporal.stats.versions", this, s -> s.countMode(false)).tag("mode", "idle")
                .description("Versions polled for task queue stats, by polling mode").register(metrics.registry());
        this.wakeOnChange = change -> {
            if (change instanceof RegistryChange.VersionManaged || change instanceof RegistryChange.TargetChanged
                    || change instanceof RegistryChange.RoutingChanged) {
                wakeUp();
            }
        };
        registry.addListener(wakeOnChange);
    }

    /**
     * Polls every version that is due, as far as the budget allows now, and emits the signals.
     *
     * @return how long until something is due (a version, or a budget slot)
     */
    public synchronized Duration pollDue() {
        try {
            return pollRound();
        } finally {
            status = tracked.values().stream().map(t -> new VersionPollStatus(t.version, t.poll.active(), t.polls,
                    t.failures, t.poll.lastPolledAt(), t.poll.nextDue())).toList();
        }
    }

    private Duration pollRound() {
        Instant now = clock.instant();
        refreshTracked(now);
        while (true) {
            Tracked next = tracked.values().stream()
                    .min(Comparator.comparing((Tracked t) -> t.poll.nextDue()).thenComparing(t -> t.version))
                    .orElse(null);
            if (next == null) {
                return rhythm.idleInterval();
            }
            if (next.poll.nextDue().isAfter(now)) {
                return Duration.between(now, next.poll.nextDue());
            }
            if (loop.isClosed()) {
                return rhythm.idleInterval();
            }
            Duration slot = budget.tryAcquire();
            if (!slot.isZero()) {
                return slot;
            }
            poll(next);
            now = clock.instant();
        }
    }

    private void refreshTracked(Instant now) {
        Set<DeploymentVersion> managed = new HashSet<>();
        for (VersionEntry e : registry.snapshot().managed()) {
            if (!owned.test(e.version())) {
                continue; // another replica polls it (HA): dropped with its state, polled afresh when taken on
            }
            managed.add(e.version());
            Tracked t = tracked.computeIfAbsent(e.version(), v -> new Tracked(v, rhythm, now));
            if (t.routing != null && !t.routing.equals(e.routing())) {
                t.poll.workMoved(now);
            }
            t.routing = e.routing();
            t.poll.receivesNewWork(e.routing() instanceof RoutingState.Current
                    || e.routing() instanceof RoutingState.Ramping);
        }
        tracked.keySet().retainAll(managed);
        for (Tracked t : tracked.values()) {
            if (!t.poll.active() && liveWorkers.applyAsInt(t.version) > 0) {
                t.poll.workersLive();
            }
        }
    }

    private void poll(Tracked t) {
        DeploymentVersion v = t.version;
        DescribeWorkerDeploymentVersionResponse response;
        try {
            response = metrics.call(METHOD, () -> stubs.blockingStub().describeWorkerDeploymentVersion(
                    DescribeWorkerDeploymentVersionRequest.newBuilder().setNamespace(namespace)
                            .setDeploymentVersion(WorkerDeploymentVersion.newBuilder()
                                    .setDeploymentName(v.deploymentName()).setBuildId(v.buildId()))
                            .setReportTaskQueueStats(true)
                            .build()));
        } catch (StatusRuntimeException e) {
            if (loop.isClosed() && Thread.currentThread().isInterrupted()) {
                return; // close() interrupted the call: not a failure
            }
            failed(t, e);
            return;
        }
        Instant at = clock.instant();
        try {
            boolean busy = emit(t, response, at) || liveWorkers.applyAsInt(v) > 0;
            int failuresBefore = t.poll.consecutiveFailures();
            t.poll.polled(at, busy);
            t.polls++;
            if (failuresBefore > 0) {
                log.info("polling version {} works again after {} failure(s)", v, failuresBefore);
            }
        } catch (RuntimeException e) {
            // A sink or registry listener failed: count it, keep polling this version (and the others).
            loopFailures.increment();
            log.error("handling the stats of version {} failed", v, e);
            t.poll.failed(at);
        }
    }

    /** Emits the signals of one answer (core's {@link StatsSignals}); returns whether the version is busy. */
    private boolean emit(Tracked t, DescribeWorkerDeploymentVersionResponse response, Instant at) {
        List<RegisteredTaskQueue> queues = new ArrayList<>();
        List<QueueStats> stats = new ArrayList<>();
        for (DescribeWorkerDeploymentVersionResponse.VersionTaskQueue q : response.getVersionTaskQueuesList()) {
            Optional<RegisteredTaskQueue> queue = TemporalProtos.taskQueue(q.getName(), q.getType());
            if (queue.isEmpty()) {
                continue;
            }
            queues.add(queue.get());
            if (!q.hasStats()) {
                continue;
            }
            TaskQueueStats s = q.getStats();
            stats.add(new QueueStats(q.getName(), queue.get().type(), s.getApproximateBacklogCount(),
                    s.hasApproximateBacklogAge() ? TemporalProtos.duration(s.getApproximateBacklogAge()) : null,
                    TemporalProtos.rate(s.getTasksAddRate()), TemporalProtos.rate(s.getTasksDispatchRate()),
                    s.getRateLimitingActive()));
        }
        boolean busy = t.signals.accept(stats, at, sink);
        registry.updateTaskQueues(t.version, queues, at);
        return busy;
    }

    private void failed(Tracked t, StatusRuntimeException e) {
        Instant at = clock.instant();
        t.failures++;
        Status.Code code = e.getStatus().getCode();
        if (code == Status.Code.RESOURCE_EXHAUSTED) {
            // Temporal's own limit: the budget slows every describe down; this version keeps its interval.
            budget.onResourceExhausted();
            log.warn("Temporal rejected a describe of version {} as over its rate limit; describe budget now {}/s",
                    t.version, String.format("%.2f", budget.effectivePerSecond()));
            t.poll.throttled(at);
            return;
        }
        if (t.poll.consecutiveFailures() == 0) {
            if (code == Status.Code.NOT_FOUND) {
                log.info("version {} is not in Temporal any more; polling it less until the registry catches up",
                        t.version);
            } else {
                log.warn("cannot poll version {}: {}; retrying with backoff", t.version, RegistrySync.describe(e));
            }
        }
        t.poll.failed(at);
    }

    /** How each managed version is being polled, as of the end of the last round (never blocks on a poll). */
    public List<VersionPollStatus> status() {
        return status;
    }

    private double countMode(boolean active) {
        return status.stream().filter(t -> t.active() == active).count();
    }

    // --- background loop ----------------------------------------------------------------------------------

    /** Starts polling on a daemon thread. */
    public void start() {
        loop.start();
    }

    /** Makes the loop look at the registry now (a version became managed). */
    public void wakeUp() {
        loop.wake();
    }

    /** One round: poll what is due; live workers are not announced, so look again within one active interval. */
    private Duration round() {
        return BackgroundLoop.min(pollDue(), rhythm.activeInterval());
    }

    /** Whether the loop's thread ended without {@link #close()}: nothing is polled any more. */
    public boolean loopDead() {
        return loop.dead();
    }

    /** Stops polling and waits for the loop to end (up to 5 s). The connection stays open. */
    @Override
    public void close() {
        loop.close();
        registry.removeListener(wakeOnChange);
    }
}
