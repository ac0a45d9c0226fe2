package dev.wci.server.service;

import dev.wci.core.audit.DecisionAudit;
import dev.wci.core.compute.ComputeProvider;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.invoke.InvokeExecutor;
import dev.wci.core.invoke.InvokeObserver;
import dev.wci.core.limits.Limits;
import dev.wci.core.loop.ControlLoop;
import dev.wci.core.registry.ConfiguredDeployment;
import dev.wci.core.registry.ConfiguredVersion;
import dev.wci.core.registry.DeploymentEntry;
import dev.wci.core.registry.ManagementState;
import dev.wci.core.registry.RegistrySnapshot;
import dev.wci.core.registry.VersionEntry;
import dev.wci.core.registry.VersionRegistry;
import dev.wci.core.scaling.CensusPolicy;
import dev.wci.core.scaling.GroupStatus;
import dev.wci.core.scaling.ReactiveScaler;
import dev.wci.core.scaling.ScaleDecision;
import dev.wci.core.scaling.ScalingPolicy;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.lambda.LambdaComputeProvider;
import dev.wci.server.config.DeploymentConfig;
import dev.wci.server.config.SignalsConfig;
import dev.wci.server.config.VersionConfig;
import dev.wci.server.config.WciConfig;
import dev.wci.server.http.HttpSurface;
import dev.wci.server.lambdaendpoint.FunctionMap;
import dev.wci.server.lambdaendpoint.LambdaEndpointServer;
import dev.wci.server.lambdaendpoint.LambdaEndpointTargets;
import dev.wci.server.lease.DeploymentReads;
import dev.wci.server.lease.LeaseGatedProvider;
import dev.wci.server.lease.LeaseService;
import dev.wci.server.metrics.WciMetrics;
import dev.wci.server.push.PushSignalServer;
import dev.wci.server.scrape.MatchingMetricsSettings;
import dev.wci.server.scrape.MatchingMetricsSource;
import dev.wci.server.scrape.VersionTaskQueue;
import dev.wci.server.temporal.DescribeBudget;
import dev.wci.server.temporal.RegistrySync;
import dev.wci.server.temporal.TemporalCensusSource;
import dev.wci.server.temporal.TemporalConnection;
import dev.wci.server.temporal.TemporalRpcMetrics;
import dev.wci.server.temporal.TemporalStatsSource;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller process: one configuration, one Temporal namespace, the compute providers it is given. Wires
 * signal sources → {@link ControlLoop} (scaler + executor) → providers, keeps the scaler's groups in line with
 * the version registry, bootstraps new versions, and serves /metrics, /healthz, /readyz and /status.
 *
 * <p>Temporal being unreachable is not fatal: the service starts, reports not ready, and its loops retry.
 */
public final class WciService implements AutoCloseable {

    /** How often the scaler re-evaluates every group (refresh, retries after backoff, ledger pruning). */
    static final Duration TICK = Duration.ofMillis(250);
    static final Duration REGISTRY_SYNC_INTERVAL = Duration.ofSeconds(10);
    static final Duration REVALIDATE_EVERY = Duration.ofMinutes(5);
    static final Duration HOUSEKEEPING_EVERY = Duration.ofSeconds(2);
    /** In-flight invokes are given this long to finish on shutdown. */
    static final Duration DRAIN_INVOKES = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(WciService.class);

    private final WciConfig config;
    private final Clock clock;
    private final PrometheusMeterRegistry meters;
    private final WciMetrics metrics;
    private final DecisionAudit audit;
    private final ReactiveScaler scaler;
    private final InvokeExecutor executor;
    private final ControlLoop loop;
    private final TargetRegistrations targets;
    private final Bootstrapper bootstrapper;
    private final VersionRegistry registry;
    private final Map<String, ScalingPolicy> policies = new HashMap<>();
    private final ScheduledExecutorService scheduler;
    private final HttpSurface http;
    private final StatusReport statusReport;
    private TemporalConnection temporal;
    private RegistrySync registrySync;
    private TemporalStatsSource statsSource;
    private volatile TemporalCensusSource censusSource;
    private PushSignalServer pushServer;
    private LambdaEndpointServer lambdaEndpoint;
    private final Map<String, ComputeProvider> providers;
    private MatchingMetricsSource matchingMetrics;
    /** The leases when {@code ha} is on (set at start), else null: then every deployment is this process's. */
    private volatile LeaseService leases;
    /** Which deployments this replica reads and how far (with HA), and the order of a takeover's reads. */
    private final DeploymentReads reads;
    private volatile TemporalConnection.Health health = new TemporalConnection.Health(false, "not checked yet");
    private volatile boolean closed;

    /**
     * Builds the service and binds its HTTP listener (a taken port fails here). Nothing runs until {@link #start()}.
     *
     * @param providers compute providers by type (e.g. {@code aws-lambda}); the caller closes them
     */
    public WciService(WciConfig config, Map<String, ComputeProvider> providers, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.providers = Map.copyOf(providers);
        this.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.metrics = new WciMetrics(meters);
        new JvmMemoryMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
        this.audit = new DecisionAudit(500, metrics::decision);
        ScalingPolicy global = config.scaling();
        this.scaler = new ReactiveScaler(global, new Limits(global, new SplittableRandom()), audit, clock,
                () -> UUID.randomUUID().toString(), CensusPolicy.defaults(), new ScalerEventLog(metrics, clock));
        InvokeFailureLog failureLog = new InvokeFailureLog(clock);
        InvokeObserver observers = new InvokeObserver() {
            @Override
            public void sent(ScaleDecision decision) {
                metrics.sent(decision);
            }

            @Override
            public void result(ScaleDecision decision, InvocationResult result, Duration latency) {
                metrics.result(decision, result, latency);
                failureLog.result(decision, result, latency);
            }

            @Override
            public void retryAfterCapped(ScaleDecision decision, Duration asked, Duration waited) {
                failureLog.retryAfterCapped(decision, asked, waited);
            }
        };
        this.executor = new InvokeExecutor(config.ha().enabled() ? gated(providers) : providers, scaler, observers, clock,
                config.limits().maxInFlightInvokes());
        this.loop = new ControlLoop(scaler, executor);
        this.targets = new TargetRegistrations(scaler, providers, clock, REVALIDATE_EVERY, meters);
        this.bootstrapper = new Bootstrapper(scaler, executor, clock, meters);
        List<ConfiguredDeployment> deployments = new ArrayList<>();
        for (DeploymentConfig d : config.deployments()) {
            policies.put(d.name(), d.scaling());
            List<ConfiguredVersion> versions = new ArrayList<>();
            for (VersionConfig v : d.versions()) {
                versions.add(new ConfiguredVersion(v.buildId(), v.target(), v.taskQueueTypes()));
            }
            deployments.add(new ConfiguredDeployment(d.name(), d.targetsFromMetadata(), versions));
        }
        this.registry = new VersionRegistry(deployments);
        this.scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "wci-loop");
            t.setDaemon(true);
            return t;
        });
        this.reads = new DeploymentReads(config.ha().enabled(), d -> {
            LeaseService l = leases;
            return l != null && l.holds(d);
        }, takeoverSteps(), scheduler, config.ha().renewInterval());
        this.statusReport = new StatusReport(clock, registry, scaler, targets, bootstrapper, audit, executor,
                global.maxWorkersTotal());
        this.http = new HttpSurface(config.http().host(), config.http().port(), new HttpSurface.Endpoints() {
            @Override
            public String metrics() {
                WciService.this.metrics.refresh(scaler.status());
                WciService.this.metrics.refreshVersions(registry.snapshot(), readiness().ready());
                TemporalCensusSource census = censusSource;
                WciService.this.metrics.refreshCensus(census == null ? List.of() : census.status(), scaler.status(),
                        clock.instant());
                return meters.scrape();
            }

            @Override
            public HttpSurface.Readiness readiness() {
                return WciService.this.readiness();
            }

            @Override
            public Object status() {
                LeaseService l = leases;
                return new StatusDocument(WciService.this.status(), l == null ? null : l.status());
            }
        });
    }

    /**
     * Starts everything: HTTP, the Temporal connection, registry sync, signal sources, the scaler's tick.
     *
     * @throws UncheckedIOException when the push listener cannot bind
     * @throws dev.wci.server.temporal.TemporalSetupException when the Temporal settings cannot be used (e.g. TLS files)
     */
    public synchronized void start() {
        try {
            startParts();
        } catch (RuntimeException e) {
            close(); // what already runs stops with the failure
            throw e;
        }
    }

    private void startParts() {
        http.start();
        TemporalRpcMetrics rpc = new TemporalRpcMetrics(meters);
        temporal = TemporalConnection.open(config.temporal(), rpc);
        DescribeBudget budget = new DescribeBudget(config.temporal().describeBudgetPerSecond(), clock);
        registry.addListener(change -> {
            if (!closed) {
                try {
                    scheduler.execute(guarded("target sync", this::syncTargets));
                } catch (RejectedExecutionException e) {
                    // shutting down: nothing to sync
                }
            }
        });
        // Before the leases: a deployment taken on is read through it at once (readRegistry).
        registrySync = new RegistrySync(temporal, registry, budget, clock, REGISTRY_SYNC_INTERVAL,
                config.signals().lambdaEndpoint().enabled(), this::mayInvoke);
        registrySync.start();
        if (config.ha().enabled()) {
            leases = LeaseService.start(config.ha(), config.temporal().namespace(),
                    config.deployments().stream().map(DeploymentConfig::name).toList(),
                    TemporalConnection.stubsOptions(config.temporal()), meters, clock, reads);
        }
        if (config.signals().temporalStats().enabled()) {
            statsSource = new TemporalStatsSource(temporal, registry, budget, config.signals().temporalStats(),
                    this::pollsStats, scaler::live, new SourceSink("temporal-stats", loop, metrics), clock);
            statsSource.start();
        }
        SignalsConfig.Census census = config.signals().census();
        if (census.enabled()) {
            // ListWorkers is a visibility read: Temporal limits it apart from the describe calls, so its own budget.
            censusSource = new TemporalCensusSource(temporal, registry, new DescribeBudget(census.readsPerSecond(), clock),
                    census, this::readsCensus, this::censusBusy, scaler, clock);
            censusSource.start();
        } else {
            log.info("worker census off (signals.census.enabled: false): the scaler runs on its ledger model");
        }
        if (config.signals().push().enabled()) {
            pushServer = new PushSignalServer(config.signals().push(), config.temporal().namespace(), registry,
                    (v, q) -> registry.version(v).map(e -> e.temporal().taskQueues().contains(q)).orElse(false),
                    new SourceSink("push", loop, metrics), meters, clock);
            try {
                pushServer.start();
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
        if (config.signals().lambdaEndpoint().enabled()) {
            if (!(providers.get(LambdaComputeProvider.TYPE) instanceof LambdaComputeProvider lambda)) {
                throw new IllegalStateException("signals.lambdaEndpoint needs the aws-lambda compute provider");
            }
            lambdaEndpoint = LambdaEndpointServer.create(config.signals().lambdaEndpoint(), this::mappedFunction,
                    lambda.settings(), lambda.baseCredentials(), new SourceSink("lambda-endpoint", loop, metrics),
                    registrySync::requestSync, meters, clock);
            lambdaEndpoint.start();
        }
        SignalsConfig.MatchingMetrics scrape = config.signals().matchingMetrics();
        if (scrape.enabled()) {
            matchingMetrics = new MatchingMetricsSource(new MatchingMetricsSettings(scrape.endpoints(), scrape.interval(),
                    scrape.timeout(), config.temporal().namespace(), scrape.metricPrefix(), scrape.maxSeries(),
                    scrape.maxTasksPerSecond()), registry,
                    this::knownTaskQueues, new SourceSink("matching-metrics", loop, metrics), meters, clock);
            matchingMetrics.start();
        }
        scheduler.scheduleWithFixedDelay(guarded("tick", loop::tick), TICK.toMillis(), TICK.toMillis(),
                TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(guarded("housekeeping", this::housekeeping), 0,
                HOUSEKEEPING_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        log.info("WCI started: namespace {} at {}, {} deployment(s), HTTP on {}:{}{}", config.temporal().namespace(),
                config.temporal().address(), config.deployments().size(), config.http().host(), http.port(),
                pushServer != null ? ", push on port " + pushServer.port() : "");
    }

    /** The version whose Lambda target is {@code qualifiedArn}, for the Lambda endpoint (no call to Temporal). */
    private Optional<FunctionMap.MappedFunction> mappedFunction(String qualifiedArn) {
        for (VersionEntry v : registry.snapshot().versions()) {
            Optional<ComputeTarget> t = v.target().filter(c -> LambdaComputeProvider.TYPE.equals(c.provider()));
            if (t.isPresent() && LambdaEndpointTargets.sameFunction(t.get().address(), qualifiedArn)) {
                return Optional.of(new FunctionMap.MappedFunction(v.version(), t.get(), v.isManaged(),
                        List.copyOf(v.temporal().taskQueues())));
            }
        }
        return Optional.empty();
    }

    /** Whether this replica reads a version's census (with HA: held, groups registered; {@link DeploymentReads}). */
    private boolean readsCensus(DeploymentVersion version) {
        return reads.readsCensus(version.deploymentName());
    }

    /** Whether the scaler may have groups for a deployment ({@link DeploymentReads#managesGroups}). */
    private boolean managesGroups(String deployment) {
        return reads.managesGroups(deployment);
    }

    /** Whether this replica polls a version's stats (with HA: held, census read since; {@link DeploymentReads}). */
    private boolean pollsStats(DeploymentVersion version) {
        return reads.pollsStats(version.deploymentName());
    }

    /** A version's census is read often while the ledger has workers for it or its stats show demand. */
    private boolean censusBusy(DeploymentVersion version) {
        if (scaler.live(version) > 0) {
            return true;
        }
        TemporalStatsSource stats = statsSource;
        return stats != null && stats.status().stream().anyMatch(p -> p.version().equals(version) && p.active());
    }

    /** Task queues of every known version, as the registry last read them from Temporal (no call to Temporal). */
    private List<VersionTaskQueue> knownTaskQueues() {
        List<VersionTaskQueue> queues = new ArrayList<>();
        for (VersionEntry v : registry.snapshot().versions()) {
            v.temporal().taskQueues().forEach(q -> queues.add(new VersionTaskQueue(v.version(), q.name())));
        }
        return queues;
    }

    /** Health of Temporal, bootstraps, re-validation: the slow periodic work. */
    private void housekeeping() {
        health = temporal.check(Duration.ofSeconds(2));
        syncTargets();
        Set<DeploymentVersion> circuitOpen = new HashSet<>();
        for (GroupStatus g : scaler.status()) {
            if (g.circuitOpenedBy() != null) {
                circuitOpen.add(g.group().version());
            }
        }
        targets.revalidateDue(circuitOpen);
        bootstrapper.check(registry.snapshot(), targets::isRegistered);
    }

    /**
     * The scaler's groups follow the registry: mapped versions that Temporal does not run itself, of deployments
     * whose lease this replica holds when HA is on (and whose registry it read since: {@link #managesGroups}).
     */
    private CompletableFuture<Void> syncTargets() {
        List<ManagedVersion> desired = new ArrayList<>();
        for (VersionEntry v : registry.snapshot().versions()) {
            boolean ours = (v.state() == ManagementState.MANAGED || v.state() == ManagementState.NOT_IN_TEMPORAL)
                    && managesGroups(v.version().deploymentName());
            if (ours && v.target().isPresent()) {
                desired.add(new ManagedVersion(v.version(), v.target().get(), v.taskQueueTypes(),
                        policies.getOrDefault(v.version().deploymentName(), config.scaling())));
            }
        }
        return targets.sync(desired);
    }

    /** Whether this process may invoke for a deployment now: always without HA, else while it holds the lease. */
    private boolean mayInvoke(String deployment) {
        return reads.mayInvoke(deployment);
    }

    private Map<String, ComputeProvider> gated(Map<String, ComputeProvider> providers) {
        Map<String, ComputeProvider> out = new HashMap<>();
        providers.forEach((type, p) -> out.put(type, new LeaseGatedProvider(p, this::mayInvoke)));
        return out;
    }

    /**
     * A takeover's reads, in the order {@link DeploymentReads} runs them: the deployment's routing and versions, the
     * scaler's groups, the census of the deployment's managed versions, then the stats polls. Nothing once closed.
     */
    private DeploymentReads.Steps takeoverSteps() {
        return new DeploymentReads.Steps() {
            @Override
            public boolean readRegistry(String deployment) throws InterruptedException {
                return closed || registrySync.syncNow(deployment).failures() == 0;
            }

            @Override
            public CompletableFuture<?> syncGroups() {
                return closed ? CompletableFuture.completedFuture(null) : syncTargets();
            }

            @Override
            public int readCensus(String deployment) throws InterruptedException {
                TemporalCensusSource census = censusSource;
                if (census == null || closed) {
                    return 0;
                }
                List<DeploymentVersion> versions = registry.snapshot().managed().stream().map(VersionEntry::version)
                        .filter(v -> v.deploymentName().equals(deployment)).toList();
                return census.readNow(versions, clock.instant());
            }

            @Override
            public void wakeStats() {
                TemporalStatsSource stats = statsSource;
                if (stats != null) {
                    stats.wakeUp();
                }
            }
        };
    }

    /** The /status document: the service's status, and the leases when HA is on. */
    public record StatusDocument(@com.fasterxml.jackson.annotation.JsonUnwrapped StatusReport.Status status,
                                 LeaseService.Status ha) {
    }

    /** This replica's last lease changes (empty when HA is off). */
    public List<dev.wci.core.lease.LeaseEvent> leaseHistory() {
        LeaseService l = leases;
        return l == null ? List.of() : l.history();
    }

    /** The leases' view for /status, or null when HA is off. */
    public LeaseService.Status haStatus() {
        LeaseService l = leases;
        return l == null ? null : l.status();
    }

    /**
     * Stops at once as a killed process would, for failover tests: the leases are abandoned, not released (the
     * other replicas take them over once their TTL passes), then everything else stops.
     */
    public void crash() {
        LeaseService l = leases;
        if (l != null) {
            l.abandon();
        }
        close();
    }

    private Runnable guarded(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                // A periodic task that throws would never run again: log and keep the schedule.
                log.warn("{} failed: {}", what, e.toString(), e);
            }
        };
    }

    /**
     * Ready when Temporal answers, every deployment was read from it at least once, and the Temporal loops still
     * run.
     */
    public HttpSurface.Readiness readiness() {
        List<String> problems = new ArrayList<>();
        if (closed) {
            problems.add("shutting down");
        }
        TemporalConnection.Health h = health;
        if (!h.ok()) {
            problems.add("Temporal at " + config.temporal().address() + " is not reachable: " + h.detail());
        }
        if (registrySync != null && registrySync.loopDead()) {
            problems.add("the registry sync loop stopped (see the log); restart WCI");
        }
        if (statsSource != null && statsSource.loopDead()) {
            problems.add("the temporal-stats polling loop stopped (see the log); restart WCI");
        }
        RegistrySnapshot snapshot = registry.snapshot();
        for (DeploymentEntry d : snapshot.deployments().values()) {
            // With HA a deployment another replica holds is not read here: a standby is ready without it.
            if (d.syncedAt().isEmpty() && mayInvoke(d.name())) {
                problems.add("deployment " + d.name() + " not read from Temporal yet");
            }
        }
        return new HttpSurface.Readiness(problems.isEmpty(), problems);
    }

    /** The /status document. */
    public StatusReport.Status status() {
        TemporalCensusSource census = censusSource;
        Map<String, String> owners = new HashMap<>();
        LeaseService l = leases;
        if (l != null) {
            l.status().leases().stream().filter(v -> v.owner() != null)
                    .forEach(v -> owners.put(v.deployment(), v.owner()));
        }
        return statusReport.build(readiness(), statsSource, census == null ? List.of() : census.status(),
                censusSummary(census), health, d -> notReadHere(d, owners.get(d)));
    }

    /** Why this replica does not read a deployment from Temporal now (null: it does): with HA, it is held elsewhere. */
    private String notReadHere(String deployment, String owner) {
        if (mayInvoke(deployment)) {
            return null;
        }
        return (owner == null ? "held by no replica yet" : "held by replica " + owner)
                + ": not read here; routing and versions as this replica last read them";
    }

    private StatusReport.CensusSummary censusSummary(TemporalCensusSource census) {
        if (!config.signals().census().enabled()) {
            return new StatusReport.CensusSummary("disabled", "signals.census.enabled is false: the scaler runs on "
                    + "its ledger model");
        }
        if (census == null) {
            return new StatusReport.CensusSummary("unknown", null);
        }
        TemporalCensusSource.Availability a = census.availability();
        String detail = a != TemporalCensusSource.Availability.UNAVAILABLE ? null
                : census.unavailableReason() + "; the scaler runs on its ledger model";
        return new StatusReport.CensusSummary(a.name().toLowerCase(java.util.Locale.ROOT), detail);
    }

    public int httpPort() {
        return http.port();
    }

    /** The push endpoint's port, or -1 when push is off. */
    public int pushPort() {
        return pushServer == null ? -1 : pushServer.port();
    }

    public PrometheusMeterRegistry meters() {
        return meters;
    }

    public ReactiveScaler scaler() {
        return scaler;
    }

    public VersionRegistry registry() {
        return registry;
    }

    /**
     * Graceful stop: sources first (no new signals), then the scaler's tick, then in-flight invokes are given
     * {@link #DRAIN_INVOKES} to finish; then HTTP and the Temporal connection close.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.info("WCI stopping");
        if (pushServer != null) {
            pushServer.close();
        }
        if (lambdaEndpoint != null) {
            lambdaEndpoint.close();
        }
        if (matchingMetrics != null) {
            matchingMetrics.close();
        }
        if (statsSource != null) {
            statsSource.close();
        }
        if (censusSource != null) {
            censusSource.close();
        }
        if (registrySync != null) {
            registrySync.close();
        }
        scheduler.shutdownNow();
        try {
            if (!executor.awaitIdle(DRAIN_INVOKES)) {
                log.warn("{} invoke request(s) still in flight after {} s; stopping anyway", executor.inFlight(),
                        DRAIN_INVOKES.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (leases != null) {
            leases.close(); // after the in-flight invokes: released leases are taken over at once
        }
        http.close();
        if (temporal != null) {
            temporal.close();
        }
        log.info("WCI stopped");
    }
}
