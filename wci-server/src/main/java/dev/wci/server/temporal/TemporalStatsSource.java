package dev.wci.server.temporal;

import dev.wci.core.registry.RegisteredTaskQueue;
import dev.wci.core.registry.RegistryChange;
import dev.wci.core.registry.RegistryListener;
import dev.wci.core.registry.VersionEntry;
import dev.wci.core.registry.VersionRegistry;
import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.signal.SignalSink;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.RoutingState;
import dev.wci.core.version.TaskQueueType;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code temporal-stats} signal source: polls {@code DescribeWorkerDeploymentVersion} with
 * {@code report_task_queue_stats=true} for every managed version and turns the answer into signals. Works
 * against any Temporal with the Worker Deployment API, Temporal Cloud included.
 *
 * <p><b>Adaptive polling.</b> A version is <em>active</em> while one of its queues has a backlog or an add rate
 * above zero, or it has live workers ({@code liveWorkers}), and for {@code idleAfter} after that; it is polled
 * every {@code activeInterval} while active and every {@code idleInterval} once idle. A version that becomes
 * managed is polled at once, and an idle version that gains live workers is polled again within
 * {@code activeInterval}. A version whose routing changes (it becomes Current or Ramping, or starts draining) is
 * active again and polled at once: the change moves new work to or from it. Every poll takes a slot of the shared
 * {@link DescribeBudget}; when the budget cannot serve every version at its interval, the version due the longest
 * goes first, so every interval stretches in the same proportion and none starves.
 *
 * <p><b>Signals.</b> For every task queue in the answer, a {@link BacklogObservation}. Its {@code staleness} is
 * {@link #STALENESS} (5 s): Temporal caches these stats for 5 s per layer, so the value is between 0 and ~10 s
 * old; 5 s is the typical age (two layers, each half a cache period on average) and keeps the scaler from
 * either trusting the numbers as current or discarding them as too old.
 *
 * <p>Then a {@link SyncMatchFailure} when the backlog appeared or grew: tasks were added that no worker took.
 * The rule, per queue: the first time a queue is seen (since the version became managed) a backlog above zero
 * counts whole; afterwards an increase over the previous answer counts as the increase. A flat or shrinking
 * backlog emits nothing (the server's cache repeats values, and a steady backlog is sizing work, told by the
 * observation). When the queue's own rate limit is active, the increase is reported as rate-limited, not as
 * unmatched: more workers would not help. The failure is stamped at the observation's as-of time
 * ({@code observedAt - staleness}), which the scaler takes as "already in that observation's backlog", so the
 * same tasks are not counted twice.
 *
 * <p><b>Failures.</b> {@code ResourceExhausted} slows the budget down; other errors back the version off
 * (doubling, up to a minute); the loop itself never dies: an unexpected exception is logged, counted in
 * {@code wci.temporal.loop.failures{loop="stats"}} and retried with backoff. Each answer also tells the registry
 * which task queues the version has ({@link VersionRegistry#updateTaskQueues}): none means a bootstrap
 * invocation is needed.
 */
public final class TemporalStatsSource implements AutoCloseable {

    /** How old stats are taken to be (see the type description). */
    public static final Duration STALENESS = Duration.ofSeconds(5);
    static final String METHOD = "DescribeWorkerDeploymentVersion";
    private static final Logger log = LoggerFactory.getLogger(TemporalStatsSource.class);

    private final WorkflowServiceStubs stubs;
    private final String namespace;
    private final VersionRegistry registry;
    private final DescribeBudget budget;
    private final TemporalRpcMetrics metrics;
    private final Duration activeInterval;
    private final Duration idleInterval;
    private final Duration idleAfter;
    private final ToIntFunction<DeploymentVersion> liveWorkers;
    private final SignalSink sink;
    private final Clock clock;
    private final Counter loopFailures;
    private final RegistryListener wakeOnChange;

    // Guarded by this.
    private final Map<DeploymentVersion, Tracked> tracked = new TreeMap<>();
    private volatile List<VersionPollStatus> status = List.of();

    private final BackgroundLoop loop;

    private record QueueKey(String name, TaskQueueType type) {
    }

    private static final class Tracked {
        final DeploymentVersion version;
        final Map<QueueKey, Long> lastBacklog = new HashMap<>();
        Instant nextDue;
        Instant lastActiveAt;
        Instant lastPolledAt;
        RoutingState routing;
        boolean active = true;
        int consecutiveFailures;
        long polls;
        long failures;

        Tracked(DeploymentVersion version, Instant now) {
            this.version = version;
            this.nextDue = now;
            // A version starts active: it was just deployed or WCI just started, and its first minute matters.
            this.lastActiveAt = now;
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

    public TemporalStatsSource(TemporalConnection connection, VersionRegistry registry, DescribeBudget budget,
                               SignalsConfig.TemporalStats config, ToIntFunction<DeploymentVersion> liveWorkers,
                               SignalSink sink, Clock clock) {
        this(connection.stubs(), connection.namespace(), registry, budget, connection.metrics(), config, liveWorkers,
                sink, clock);
    }

    TemporalStatsSource(WorkflowServiceStubs stubs, String namespace, VersionRegistry registry, DescribeBudget budget,
                        TemporalRpcMetrics metrics, SignalsConfig.TemporalStats config,
                        ToIntFunction<DeploymentVersion> liveWorkers, SignalSink sink, Clock clock) {
        this.stubs = Objects.requireNonNull(stubs, "stubs");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.budget = Objects.requireNonNull(budget, "budget");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.activeInterval = positive(config.activeInterval(), "activeInterval");
        this.idleInterval = positive(config.idleInterval(), "idleInterval");
        this.idleAfter = Objects.requireNonNull(config.idleAfter(), "idleAfter");
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

    private static Duration positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("signals.temporalStats." + name + " must be positive, got " + d);
        }
        return d;
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
            status = tracked.values().stream().map(t -> new VersionPollStatus(t.version, t.active, t.polls,
                    t.failures, Optional.ofNullable(t.lastPolledAt), t.nextDue)).toList();
        }
    }

    private Duration pollRound() {
        Instant now = clock.instant();
        refreshTracked(now);
        while (true) {
            Tracked next = tracked.values().stream()
                    .min(Comparator.comparing((Tracked t) -> t.nextDue).thenComparing(t -> t.version))
                    .orElse(null);
            if (next == null) {
                return idleInterval;
            }
            if (next.nextDue.isAfter(now)) {
                return Duration.between(now, next.nextDue);
            }
            if (loop.isClosed()) {
                return idleInterval;
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
            managed.add(e.version());
            Tracked t = tracked.computeIfAbsent(e.version(), v -> new Tracked(v, now));
            if (t.routing != null && !t.routing.equals(e.routing())) {
                // Routing moved work (e.g. the version became Current): its new tasks arrive now, not at the
                // idle interval.
                t.lastActiveAt = now;
                t.active = true;
                if (t.nextDue.isAfter(now)) {
                    t.nextDue = now;
                }
            }
            t.routing = e.routing();
        }
        tracked.keySet().retainAll(managed);
        for (Tracked t : tracked.values()) {
            if (!t.active && t.lastPolledAt != null && liveWorkers.applyAsInt(t.version) > 0) {
                Instant soon = t.lastPolledAt.plus(activeInterval);
                if (soon.isBefore(t.nextDue)) {
                    t.nextDue = soon;
                }
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
            if (busy) {
                t.lastActiveAt = at;
            }
            t.active = Duration.between(t.lastActiveAt, at).compareTo(idleAfter) < 0;
            t.nextDue = at.plus(t.active ? activeInterval : idleInterval);
            t.lastPolledAt = at;
            t.polls++;
            if (t.consecutiveFailures > 0) {
                log.info("polling version {} works again after {} failure(s)", v, t.consecutiveFailures);
            }
            t.consecutiveFailures = 0;
        } catch (RuntimeException e) {
            // A sink or registry listener failed: count it, keep polling this version (and the others).
            loopFailures.increment();
            log.error("handling the stats of version {} failed", v, e);
            backOff(t, at);
        }
    }

    /** Emits the signals of one answer; returns whether the version is busy (backlog or arrivals). */
    private boolean emit(Tracked t, DescribeWorkerDeploymentVersionResponse response, Instant at) {
        DeploymentVersion v = t.version;
        List<RegisteredTaskQueue> queues = new ArrayList<>();
        Set<QueueKey> present = new HashSet<>();
        boolean busy = false;
        for (DescribeWorkerDeploymentVersionResponse.VersionTaskQueue q : response.getVersionTaskQueuesList()) {
            Optional<RegisteredTaskQueue> queue = TemporalProtos.taskQueue(q.getName(), q.getType());
            if (queue.isEmpty()) {
                continue;
            }
            queues.add(queue.get());
            if (!q.hasStats()) {
                continue;
            }
            TaskQueueType type = queue.get().type();
            QueueKey key = new QueueKey(q.getName(), type);
            present.add(key);
            TaskQueueStats s = q.getStats();
            long backlog = Math.max(0, s.getApproximateBacklogCount());
            double addRate = TemporalProtos.rate(s.getTasksAddRate());
            Duration age = s.hasApproximateBacklogAge() ? TemporalProtos.duration(s.getApproximateBacklogAge())
                    : Duration.ZERO;
            sink.accept(new BacklogObservation(v, q.getName(), type, backlog, age.isNegative() ? Duration.ZERO : age,
                    addRate, TemporalProtos.rate(s.getTasksDispatchRate()), s.getRateLimitingActive(), at, STALENESS));
            Long previous = t.lastBacklog.put(key, backlog);
            long increase = previous == null ? backlog : backlog - previous;
            if (increase > 0) {
                boolean rateLimited = s.getRateLimitingActive();
                sink.accept(new SyncMatchFailure(v, q.getName(), type, rateLimited ? 0 : increase,
                        rateLimited ? increase : 0, at.minus(STALENESS)));
            }
            busy |= backlog > 0 || addRate > 0;
        }
        t.lastBacklog.keySet().retainAll(present);
        registry.updateTaskQueues(v, queues, at);
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
            t.nextDue = at.plus(t.active ? activeInterval : idleInterval);
            return;
        }
        if (t.consecutiveFailures == 0) {
            if (code == Status.Code.NOT_FOUND) {
                log.info("version {} is not in Temporal any more; polling it less until the registry catches up",
                        t.version);
            } else {
                log.warn("cannot poll version {}: {}; retrying with backoff", t.version, RegistrySync.describe(e));
            }
        }
        backOff(t, at);
    }

    private void backOff(Tracked t, Instant at) {
        t.consecutiveFailures++;
        Duration base = t.active ? activeInterval : idleInterval;
        Duration cap = base.compareTo(BackgroundLoop.MAX_BACKOFF) > 0 ? base : BackgroundLoop.MAX_BACKOFF;
        Duration wait = base.multipliedBy(1L << Math.min(t.consecutiveFailures, 16));
        t.nextDue = at.plus(wait.compareTo(cap) > 0 ? cap : wait);
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
        return BackgroundLoop.min(pollDue(), activeInterval);
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
