package dev.wci.server.metrics;

import dev.wci.core.compute.InvocationResult;
import dev.wci.core.invoke.InvokeObserver;
import dev.wci.core.limits.LimitKind;
import dev.wci.core.limits.LimitTrim;
import dev.wci.core.registry.RegistrySnapshot;
import dev.wci.core.registry.VersionEntry;
import dev.wci.core.scaling.GroupStatus;
import dev.wci.core.scaling.ScaleDecision;
import dev.wci.core.scaling.ScalerObserver;
import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.signal.MatchingSignal;
import dev.wci.core.version.ScalingGroupId;
import dev.wci.server.temporal.TemporalCensusSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * WCI's own meters (names and meanings in docs/metrics.md). Counters are updated as things happen; the per-version
 * gauges are refreshed from the scaler's status on every scrape ({@link #refresh}).
 */
public final class WciMetrics implements InvokeObserver, ScalerObserver {

    private final MeterRegistry registry;
    private final Timer reaction;
    private final Timer invokeLatency;
    private final MultiGauge workers;
    private final MultiGauge backlog;
    private final MultiGauge throughput;
    private final MultiGauge coldStart;
    private final MultiGauge budgetRemaining;
    private final MultiGauge invokeTokens;
    private final MultiGauge circuitOpen;
    private final MultiGauge backoff;
    private final MultiGauge invokeLoop;
    private final MultiGauge versions;
    private final MultiGauge censusAvailable;
    private final MultiGauge censusListed;
    private final MultiGauge censusGap;
    private final MultiGauge censusAge;
    private final MultiGauge censusWorkers;
    private final MultiGauge censusLive;
    private final AtomicInteger ready = new AtomicInteger();

    public WciMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.reaction = Timer.builder("wci.reaction")
                .description("Signal seen to invoke sent, for decisions a signal triggered")
                .publishPercentiles(0.5, 0.99).publishPercentileHistogram(false)
                .register(registry);
        this.invokeLatency = Timer.builder("wci.invoke.latency")
                .description("Invoke call sent to the provider's answer, per invocation")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        this.workers = MultiGauge.builder("wci.workers").description("Live workers in the ledger, by state")
                .register(registry);
        this.backlog = MultiGauge.builder("wci.backlog.tasks").description("Backlog the scaler sizes for")
                .register(registry);
        this.throughput = MultiGauge.builder("wci.worker.throughput.tasks.per.second")
                .description("Learned tasks per second of one worker").register(registry);
        this.coldStart = MultiGauge.builder("wci.cold.start.seconds").description("Learned cold-start estimate")
                .register(registry);
        this.budgetRemaining = MultiGauge.builder("wci.budget.remaining.worker.seconds")
                .description("Worker-seconds left in the version's rolling hour (+Inf without a budget)")
                .register(registry);
        this.invokeTokens = MultiGauge.builder("wci.invoke.tokens")
                .description("Invokes the target's rate bucket allows right now").register(registry);
        this.circuitOpen = MultiGauge.builder("wci.target.circuit.open")
                .description("1 while the target is invalid (circuit open)").register(registry);
        this.backoff = MultiGauge.builder("wci.target.throttle.backoff")
                .description("1 while the target is in throttle backoff").register(registry);
        this.invokeLoop = MultiGauge.builder("wci.target.invoke.loop.suspect")
                .description("1 while the target is held back as an invoke loop").register(registry);
        this.versions = MultiGauge.builder("wci.versions")
                .description("1 per version known to the registry, labelled with its management state (managed,"
                        + " server_managed, not_in_temporal, unmapped) and routing").register(registry);
        this.censusAvailable = MultiGauge.builder("wci.census.available")
                .description("1 while the worker census of the version is read; 0 when the scaler runs on its model")
                .register(registry);
        this.censusListed = MultiGauge.builder("wci.census.listed.workers")
                .description("Workers the version's last census lists, any process's, by state (running, shutting_down)")
                .register(registry);
        this.censusGap = MultiGauge.builder("wci.census.gap.workers")
                .description("Workers the ledger counts as ready minus workers the census lists as running")
                .register(registry);
        this.censusAge = MultiGauge.builder("wci.census.age.seconds")
                .description("Age of the version's last census snapshot").register(registry);
        this.censusWorkers = MultiGauge.builder("wci.census.workers")
                .description("Workers Temporal's worker census lists as running (adopted: not invoked by this process)")
                .register(registry);
        this.censusLive = MultiGauge.builder("wci.census.live")
                .description("1 while the group's worker counts come from the census, 0 while from the model")
                .register(registry);
        Gauge.builder("wci.ready", ready, AtomicInteger::get)
                .description("1 when Temporal is reachable and every deployment was read (as /readyz)")
                .register(registry);
        // At 0 from the start: a series that first appears at its first trim hides that trim from increase(), so
        // WciBudgetExhausted and WciWorkerCapReached would miss a one-off trim.
        for (LimitKind limit : LimitKind.values()) {
            registry.counter("wci.limit.trims", "limit", lower(limit.name()));
        }
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** A signal arrived from {@code source}. */
    public void signal(String source, MatchingSignal signal) {
        registry.counter("wci.signals", "source", source, "kind",
                signal instanceof BacklogObservation ? "backlog_observation" : "sync_match_failure").increment();
    }

    /** The time from a signal being seen to its decision's invoke being sent. */
    public void reaction(Duration elapsed) {
        reaction.record(elapsed);
    }

    public Timer reactionTimer() {
        return reaction;
    }

    /** A decision the scaler recorded: invoking ones by reason, holds with the limits that trimmed them. */
    public void decision(ScaleDecision d) {
        registry.counter("wci.decisions", "reason", lower(d.reason().name()),
                "invokes", Boolean.toString(d.invokes())).increment();
        for (LimitTrim t : d.trims()) {
            registry.counter("wci.limit.trims", "limit", lower(t.limit().name())).increment(t.before() - t.after());
        }
    }

    @Override
    public void sent(ScaleDecision decision) {
        registry.counter("wci.invoke.requests", "reason", lower(decision.reason().name())).increment();
    }

    @Override
    public void result(ScaleDecision decision, InvocationResult result, Duration latency) {
        String outcome = result instanceof InvocationResult.Failed f ? lower(f.failure().failureClass().name()) : "accepted";
        Counter.builder("wci.invocations").description("Invocations by outcome")
                .tags("deployment", decision.group().version().deploymentName(),
                        "build_id", decision.group().version().buildId(), "result", outcome)
                .register(registry).increment();
        invokeLatency.record(latency.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Invoke to first listed by the census, per version: the real cold start, census delay included. */
    @Override
    public void workerSeen(ScalingGroupId group, String invocationId, Duration coldStart) {
        Timer.builder("wci.worker.cold.start")
                .description("Invoking decision to the worker's readiness as the worker census shows it")
                .tags(versionTags(group))
                .serviceLevelObjectives(COLD_START_BUCKETS) // a compact histogram: nine buckets per group
                .register(registry).record(coldStart.isNegative() ? Duration.ZERO : coldStart);
    }

    @Override
    public void workerAdopted(ScalingGroupId group, String identity) {
        Counter.builder("wci.workers.adopted")
                .description("Running workers the census listed that this process did not invoke")
                .tags(versionTags(group)).register(registry).increment();
    }

    @Override
    public void failedStart(ScalingGroupId group, String invocationId, String requestId, Duration unseenFor) {
        Counter.builder("wci.worker.failed.starts")
                .description("Accepted invocations whose worker the census never listed within the bound")
                .tags(versionTags(group)).register(registry).increment();
    }

    private static Tags versionTags(ScalingGroupId group) {
        return Tags.of("deployment", group.version().deploymentName(), "build_id", group.version().buildId(),
                "group", group.name());
    }

    private static final Duration[] COLD_START_BUCKETS = {Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(60)};

    /** Refreshes the per-group gauges from the scaler's status (call before a scrape). */
    public void refresh(List<GroupStatus> groups) {
        List<MultiGauge.Row<?>> w = new ArrayList<>();
        List<MultiGauge.Row<?>> b = new ArrayList<>();
        List<MultiGauge.Row<?>> tp = new ArrayList<>();
        List<MultiGauge.Row<?>> cs = new ArrayList<>();
        List<MultiGauge.Row<?>> budget = new ArrayList<>();
        List<MultiGauge.Row<?>> tokens = new ArrayList<>();
        List<MultiGauge.Row<?>> open = new ArrayList<>();
        List<MultiGauge.Row<?>> off = new ArrayList<>();
        List<MultiGauge.Row<?>> loop = new ArrayList<>();
        List<MultiGauge.Row<?>> census = new ArrayList<>();
        List<MultiGauge.Row<?>> censusOn = new ArrayList<>();
        for (GroupStatus g : groups) {
            Tags tags = Tags.of("deployment", g.group().version().deploymentName(),
                    "build_id", g.group().version().buildId(), "group", g.group().name());
            w.add(MultiGauge.Row.of(tags.and("state", "starting"), g.live().starting()));
            w.add(MultiGauge.Row.of(tags.and("state", "ready"), g.live().ready()));
            b.add(MultiGauge.Row.of(tags, g.backlog()));
            tp.add(MultiGauge.Row.of(tags, g.workerThroughput()));
            cs.add(MultiGauge.Row.of(tags, g.coldStartMillis() / 1000.0));
            budget.add(MultiGauge.Row.of(tags, g.budgetRemaining()));
            tokens.add(MultiGauge.Row.of(tags, g.invokeTokens()));
            open.add(MultiGauge.Row.of(tags, g.circuitOpenedBy() != null ? 1 : 0));
            off.add(MultiGauge.Row.of(tags, g.backoffUntil() != null ? 1 : 0));
            loop.add(MultiGauge.Row.of(tags, g.invokeLoopSuspect() != null ? 1 : 0));
            census.add(MultiGauge.Row.of(tags.and("state", "running"), g.census().confirmed()));
            census.add(MultiGauge.Row.of(tags.and("state", "adopted"), g.census().adopted()));
            censusOn.add(MultiGauge.Row.of(tags, g.census().live() ? 1 : 0));
        }
        workers.register(w, true);
        backlog.register(b, true);
        throughput.register(tp, true);
        coldStart.register(cs, true);
        budgetRemaining.register(budget, true);
        invokeTokens.register(tokens, true);
        circuitOpen.register(open, true);
        backoff.register(off, true);
        invokeLoop.register(loop, true);
        censusWorkers.register(census, true);
        censusLive.register(censusOn, true);
    }

    /**
     * Refreshes the census source's gauges per version: availability, workers listed by state, the snapshot's age,
     * and the gap between the ledger's ready workers and the census's running ones (call before a scrape).
     */
    public void refreshCensus(List<TemporalCensusSource.VersionCensusStatus> census, List<GroupStatus> groups,
                              Instant now) {
        Map<dev.wci.core.version.DeploymentVersion, Integer> ready = new HashMap<>();
        groups.forEach(g -> ready.merge(g.group().version(), g.live().ready(), Integer::sum));
        List<MultiGauge.Row<?>> available = new ArrayList<>();
        List<MultiGauge.Row<?>> workerRows = new ArrayList<>();
        List<MultiGauge.Row<?>> gap = new ArrayList<>();
        List<MultiGauge.Row<?>> age = new ArrayList<>();
        for (TemporalCensusSource.VersionCensusStatus c : census) {
            Tags tags = Tags.of("deployment", c.version().deploymentName(), "build_id", c.version().buildId());
            boolean isAvailable = c.availability() == TemporalCensusSource.Availability.AVAILABLE;
            available.add(MultiGauge.Row.of(tags, isAvailable ? 1 : 0));
            if (isAvailable && c.asOf().isPresent()) {
                workerRows.add(MultiGauge.Row.of(tags.and("state", "running"), c.running()));
                workerRows.add(MultiGauge.Row.of(tags.and("state", "shutting_down"), c.shuttingDown()));
                gap.add(MultiGauge.Row.of(tags, c.gap(ready.getOrDefault(c.version(), 0))));
                age.add(MultiGauge.Row.of(tags, Duration.between(c.asOf().get(), now).toMillis() / 1000.0));
            }
        }
        censusAvailable.register(available, true);
        censusListed.register(workerRows, true);
        censusGap.register(gap, true);
        censusAge.register(age, true);
    }

    /** Refreshes the per-version registry gauge and readiness (call before a scrape). */
    public void refreshVersions(RegistrySnapshot snapshot, boolean isReady) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (VersionEntry v : snapshot.versions()) {
            String routing = v.routing().getClass().getSimpleName();
            rows.add(MultiGauge.Row.of(Tags.of("deployment", v.version().deploymentName(),
                    "build_id", v.version().buildId(), "state", lower(v.state().name()),
                    "routing", lower(routing)), 1));
        }
        versions.register(rows, true);
        ready.set(isReady ? 1 : 0);
    }

    private static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
