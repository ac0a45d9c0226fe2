package dev.wci.server.temporal;

import dev.wci.core.registry.Conflict;
import dev.wci.core.registry.ConfiguredDeployment;
import dev.wci.core.registry.ConfiguredVersion;
import dev.wci.core.registry.DeploymentObservation;
import dev.wci.core.registry.DrainageStatus;
import dev.wci.core.registry.RegisteredTaskQueue;
import dev.wci.core.registry.RegistryChange;
import dev.wci.core.registry.Routing;
import dev.wci.core.registry.VersionObservation;
import dev.wci.core.registry.VersionRegistry;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.server.config.DeploymentConfig;
import dev.wci.server.lambdaendpoint.LambdaEndpointTargets;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.Counter;
import io.temporal.api.compute.v1.ComputeConfig;
import io.temporal.api.deployment.v1.RoutingConfig;
import io.temporal.api.deployment.v1.WorkerDeploymentInfo;
import io.temporal.api.deployment.v1.WorkerDeploymentVersion;
import io.temporal.api.deployment.v1.WorkerDeploymentVersionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkerDeploymentRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkerDeploymentResponse;
import io.temporal.api.workflowservice.v1.DescribeWorkerDeploymentVersionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkerDeploymentVersionResponse;
import io.temporal.serviceclient.WorkflowServiceStubs;
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
import java.util.TreeSet;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link VersionRegistry} in step with Temporal: every {@code interval} (and when asked,
 * {@link #requestSync()}), for each configured deployment it calls {@code DescribeWorkerDeployment} (routing:
 * Current, Ramping and its percentage; the versions Temporal has) and {@code DescribeWorkerDeploymentVersion}
 * for the versions that matter (drainage, {@code compute_config}, task queues, and for
 * {@code targetsFromMetadata} deployments the {@value #METADATA_TARGET_KEY} metadata), then hands the result to
 * {@link VersionRegistry#update}.
 *
 * <p>Which versions are described: those mapped in the file, and for {@code targetsFromMetadata} deployments
 * every version Temporal lists, except that a drained version not in the file is described only every
 * {@value #DRAINED_REFRESH_SYNCS} syncs (its last answer is reused in between): deployments keep up to 100
 * old versions, and describing them all every sync would eat the budget. Other versions are taken from the
 * deployment's summaries, without a describe.
 *
 * <p>Only deployments this replica reads ({@code reads}: with HA, those whose lease it holds) are synced by the loop;
 * the others keep what was last read of them. A deployment taken on is read at once by {@link #syncNow(String)}.
 *
 * <p>A deployment or version Temporal does not know ({@code NotFound}) is a normal state (not created yet, or
 * deleted). Any other failure leaves what the registry knew unchanged (a version's last answer is reused) and
 * the sync goes on; the loop never dies and backs off while Temporal fails. Every call goes through the shared
 * {@link DescribeBudget}, waiting for its slot. Logs a warning once per version when it becomes server-managed
 * and once per conflict.
 */
public final class RegistrySync implements AutoCloseable {

    /** The version metadata key naming a version's Lambda target (qualified ARN, as a JSON string). */
    public static final String METADATA_TARGET_KEY = MetadataTarget.KEY;
    private static final Logger log = LoggerFactory.getLogger(RegistrySync.class);
    static final int DRAINED_REFRESH_SYNCS = 10;

    private final WorkflowServiceStubs stubs;
    private final String namespace;
    private final VersionRegistry registry;
    private final DescribeBudget budget;
    private final TemporalRpcMetrics metrics;
    private final Clock clock;
    private final Duration interval;
    private final Sleeper sleeper;
    private final Counter loopFailures;
    private final boolean lambdaEndpoint;
    private final Predicate<String> reads;

    // Confined to the syncing thread (syncNow is synchronized).
    private final Map<DeploymentVersion, CachedVersion> lastAnswers = new HashMap<>();
    private final Set<Conflict> reportedConflicts = new HashSet<>();
    private long syncCount;

    private final BackgroundLoop loop;
    /** Backoff after syncs with failed describe calls; only the loop's thread touches it. */
    private Duration failureBackoff = Duration.ZERO;

    private record CachedVersion(VersionObservation observation, long syncNumber) {
    }

    /** What one sync did. */
    public record SyncReport(Instant at, int deployments, int describeCalls, int failures,
                             List<RegistryChange> changes) {
    }

    public RegistrySync(TemporalConnection connection, VersionRegistry registry, DescribeBudget budget, Clock clock,
                        Duration interval) {
        this(connection, registry, budget, clock, interval, false);
    }

    /**
     * @param lambdaEndpoint whether WCI is the Lambda endpoint of Temporal's embedded controller
     *                       ({@code signals.lambdaEndpoint}): then a {@code compute_config} naming the version's own
     *                       target hands its invokes to WCI and does not make the version server-managed
     */
    public RegistrySync(TemporalConnection connection, VersionRegistry registry, DescribeBudget budget, Clock clock,
                        Duration interval, boolean lambdaEndpoint) {
        this(connection, registry, budget, clock, interval, lambdaEndpoint, d -> true);
    }

    /**
     * @param reads whether the loop reads a deployment now (with HA: this replica holds its lease); the others keep
     *              what was last read of them
     */
    public RegistrySync(TemporalConnection connection, VersionRegistry registry, DescribeBudget budget, Clock clock,
                        Duration interval, boolean lambdaEndpoint, Predicate<String> reads) {
        this(connection.stubs(), connection.namespace(), registry, budget, connection.metrics(), clock, interval,
                Sleeper.REAL, lambdaEndpoint, reads);
    }

    RegistrySync(WorkflowServiceStubs stubs, String namespace, VersionRegistry registry, DescribeBudget budget,
                 TemporalRpcMetrics metrics, Clock clock, Duration interval, Sleeper sleeper) {
        this(stubs, namespace, registry, budget, metrics, clock, interval, sleeper, false);
    }

    RegistrySync(WorkflowServiceStubs stubs, String namespace, VersionRegistry registry, DescribeBudget budget,
                 TemporalRpcMetrics metrics, Clock clock, Duration interval, Sleeper sleeper, boolean lambdaEndpoint) {
        this(stubs, namespace, registry, budget, metrics, clock, interval, sleeper, lambdaEndpoint, d -> true);
    }

    RegistrySync(WorkflowServiceStubs stubs, String namespace, VersionRegistry registry, DescribeBudget budget,
                 TemporalRpcMetrics metrics, Clock clock, Duration interval, Sleeper sleeper, boolean lambdaEndpoint,
                 Predicate<String> reads) {
        this.lambdaEndpoint = lambdaEndpoint;
        this.reads = Objects.requireNonNull(reads, "reads");
        this.stubs = Objects.requireNonNull(stubs, "stubs");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.budget = Objects.requireNonNull(budget, "budget");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("sync interval must be positive, got " + interval);
        }
        this.interval = interval;
        this.loopFailures = Counter.builder("wci.temporal.loop.failures")
                .description("Unexpected failures of a Temporal background loop (it retries with backoff)")
                .tag("loop", "registry-sync").register(metrics.registry());
        this.loop = new BackgroundLoop("wci-registry-sync", "registry sync", this::round, loopFailures, log);
    }

    /** The registry's view of the configured deployments (a version without task queue types serves all). */
    public static List<ConfiguredDeployment> configuredDeployments(List<DeploymentConfig> deployments) {
        return deployments.stream().map(d -> new ConfiguredDeployment(d.name(), d.targetsFromMetadata(),
                d.versions().stream().map(v -> v.taskQueueTypes().isEmpty()
                        ? new ConfiguredVersion(v.buildId(), v.target())
                        : new ConfiguredVersion(v.buildId(), v.target(), v.taskQueueTypes())).toList())).toList();
    }

    /**
     * Reads every configured deployment this replica reads ({@code reads}) from Temporal now and updates the
     * registry; blocks (waiting for budget slots) until done. Safe to call from any thread; calls are serialized.
     *
     * @throws InterruptedException if interrupted while waiting for a budget slot
     */
    public synchronized SyncReport syncNow() throws InterruptedException {
        return sync(registry.deploymentNames().stream().filter(reads).toList());
    }

    /**
     * Reads one configured deployment from Temporal now, whatever {@code reads} says (a deployment just taken on is
     * read before anything is decided for it), and updates the registry.
     *
     * @throws IllegalArgumentException if the deployment is not configured
     * @throws InterruptedException if interrupted while waiting for a budget slot
     */
    public synchronized SyncReport syncNow(String deployment) throws InterruptedException {
        if (!registry.deploymentNames().contains(deployment)) {
            throw new IllegalArgumentException("deployment " + deployment + " is not configured");
        }
        return sync(List.of(deployment));
    }

    private SyncReport sync(List<String> deployments) throws InterruptedException {
        syncCount++;
        int calls = 0;
        int failures = 0;
        List<RegistryChange> changes = new ArrayList<>();
        for (String name : deployments) {
            DeploymentResult r = syncDeployment(registry.configured(name));
            calls += r.calls;
            failures += r.failed ? 1 : 0;
            changes.addAll(r.changes);
        }
        return new SyncReport(clock.instant(), deployments.size(), calls, failures, List.copyOf(changes));
    }

    private static final class DeploymentResult {
        int calls;
        boolean failed;
        List<RegistryChange> changes = List.of();
    }

    @SuppressWarnings("deprecation") // reads the deprecated string form too, for servers that only send that
    private DeploymentResult syncDeployment(ConfiguredDeployment config) throws InterruptedException {
        DeploymentResult result = new DeploymentResult();
        String name = config.name();
        DescribeWorkerDeploymentResponse response;
        Instant at;
        try {
            sleeper.sleep(budget.reserve());
            result.calls++;
            at = clock.instant();
            response = call("DescribeWorkerDeployment", () -> stubs.blockingStub().describeWorkerDeployment(
                    DescribeWorkerDeploymentRequest.newBuilder().setNamespace(namespace).setDeploymentName(name)
                            .build()));
        } catch (StatusRuntimeException e) {
            stopIfInterrupted();
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                log.debug("deployment {} does not exist in Temporal (yet)", name);
                result.changes = apply(DeploymentObservation.absent(name, clock.instant()));
            } else {
                log.warn("cannot describe deployment {}: {}; keeping what is known", name, describe(e));
                result.failed = true;
            }
            return result;
        }
        WorkerDeploymentInfo info = response.getWorkerDeploymentInfo();
        Routing routing = routing(name, info.getRoutingConfig());
        Map<String, ConfiguredVersion> yaml = new LinkedHashMap<>();
        config.versions().forEach(v -> yaml.put(v.buildId(), v));

        List<VersionObservation> versions = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        for (WorkerDeploymentInfo.WorkerDeploymentVersionSummary summary : info.getVersionSummariesList()) {
            Optional<DeploymentVersion> parsed = TemporalProtos.version(name, summary.getDeploymentVersion(),
                    summary.hasDeploymentVersion(), summary.getVersion());
            if (parsed.isEmpty() || !parsed.get().deploymentName().equals(name) || !seen.add(parsed.get().buildId())) {
                continue;
            }
            DeploymentVersion version = parsed.get();
            boolean inFile = yaml.containsKey(version.buildId());
            VersionObservation fromSummary = new VersionObservation(version.buildId(),
                    TemporalProtos.drainage(summary.getStatus(), summary.getDrainageStatus()), List.of(),
                    // The summary does not name the function: a delegated compute config is recognised only
                    // from the version's own description below.
                    summary.hasComputeConfig() && summary.getComputeConfig().getScalingGroupsCount() > 0,
                    Optional.empty(), Optional.empty());
            if (!inFile && !config.targetsFromMetadata()) {
                versions.add(fromSummary);
                continue;
            }
            CachedVersion cached = lastAnswers.get(version);
            if (!inFile && cached != null && fromSummary.drainage() == DrainageStatus.DRAINED
                    && syncCount - cached.syncNumber() < DRAINED_REFRESH_SYNCS) {
                versions.add(cached.observation());
                continue;
            }
            sleeper.sleep(budget.reserve());
            result.calls++;
            try {
                DescribeWorkerDeploymentVersionResponse vr = call("DescribeWorkerDeploymentVersion",
                        () -> stubs.blockingStub().describeWorkerDeploymentVersion(
                                DescribeWorkerDeploymentVersionRequest.newBuilder().setNamespace(namespace)
                                        .setDeploymentVersion(WorkerDeploymentVersion.newBuilder()
                                                .setDeploymentName(name).setBuildId(version.buildId()))
                                        .build()));
                VersionObservation observed = observe(version, vr, config.targetsFromMetadata(),
                        yaml.get(version.buildId()));
                lastAnswers.put(version, new CachedVersion(observed, syncCount));
                versions.add(observed);
            } catch (StatusRuntimeException e) {
                stopIfInterrupted();
                if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                    // Deleted between the two calls: it does not exist.
                    lastAnswers.remove(version);
                    continue;
                }
                log.warn("cannot describe version {}: {}; keeping its last known state", version, describe(e));
                result.failed = true;
                versions.add(cached != null ? cached.observation() : fromSummary);
            }
        }
        lastAnswers.keySet().removeIf(v -> v.deploymentName().equals(name) && !seen.contains(v.buildId()));
        result.changes = apply(new DeploymentObservation(name, true, routing, versions, at));
        return result;
    }

    private VersionObservation observe(DeploymentVersion version, DescribeWorkerDeploymentVersionResponse response,
                                       boolean readMetadata, ConfiguredVersion configured) {
        WorkerDeploymentVersionInfo info = response.getWorkerDeploymentVersionInfo();
        Set<RegisteredTaskQueue> queues = new TreeSet<>();
        response.getVersionTaskQueuesList().forEach(q ->
                TemporalProtos.taskQueue(q.getName(), q.getType()).ifPresent(queues::add));
        info.getTaskQueueInfosList().forEach(q ->
                TemporalProtos.taskQueue(q.getName(), q.getType()).ifPresent(queues::add));
        boolean computeConfig = serverInvokes(info.hasComputeConfig(), info.getComputeConfig(), configured);
        MetadataTarget metadata = MetadataTarget.none();
        if (readMetadata && info.hasMetadata() && info.getMetadata().containsEntries(MetadataTarget.KEY)) {
            metadata = MetadataTarget.parse(info.getMetadata().getEntriesOrThrow(MetadataTarget.KEY));
        }
        return new VersionObservation(version.buildId(),
                TemporalProtos.drainage(info.getStatus(), info.getDrainageInfo().getStatus()), List.copyOf(queues),
                computeConfig, metadata.target(), metadata.problem());
    }

    /**
     * Whether Temporal's own controller invokes the version: a compute config is set, and it does not hand the
     * invokes to WCI's Lambda endpoint (see {@link LambdaEndpointTargets#delegatedToWci}).
     */
    private boolean serverInvokes(boolean has, ComputeConfig computeConfig, ConfiguredVersion configured) {
        if (!has || computeConfig.getScalingGroupsCount() == 0) {
            return false;
        }
        return !(lambdaEndpoint && configured != null
                && LambdaEndpointTargets.delegatedToWci(computeConfig, Optional.of(configured.target())));
    }

    @SuppressWarnings("deprecation") // reads the deprecated string forms too, for servers that only send those
    static Routing routing(String deploymentName, RoutingConfig rc) {
        Optional<DeploymentVersion> current = TemporalProtos.version(deploymentName, rc.getCurrentDeploymentVersion(),
                rc.hasCurrentDeploymentVersion(), rc.getCurrentVersion());
        Optional<DeploymentVersion> ramping = TemporalProtos.version(deploymentName, rc.getRampingDeploymentVersion(),
                rc.hasRampingDeploymentVersion(), rc.getRampingVersion());
        double pct = Math.max(0, Math.min(100, rc.getRampingVersionPercentage()));
        if (current.isPresent() && current.equals(ramping)) {
            // Not allowed by Temporal; if seen, Current is what the version gets.
            ramping = Optional.empty();
            pct = 0;
        }
        return new Routing(current, ramping, Float.isNaN(rc.getRampingVersionPercentage()) ? 0 : pct);
    }

    private List<RegistryChange> apply(DeploymentObservation observation) {
        List<RegistryChange> changes;
        try {
            changes = registry.update(observation);
        } catch (RuntimeException e) {
            // A listener failed; the registry is updated regardless. Report, do not stop syncing.
            log.error("a registry listener failed on the update of deployment {}", observation.deploymentName(), e);
            loopFailures.increment();
            changes = List.of();
        }
        for (RegistryChange c : changes) {
            report(c);
        }
        registry.snapshot().deployments().get(observation.deploymentName()).versions().values().stream()
                .flatMap(v -> v.conflicts().stream())
                .filter(c -> c.kind() != Conflict.Kind.SERVER_MANAGED && reportedConflicts.add(c))
                .forEach(c -> log.warn("version {}: {}", c.version(), c.message()));
        // A conflict that was fixed and comes back is reported again.
        reportedConflicts.retainAll(new HashSet<>(registry.snapshot().conflicts()));
        return changes;
    }

    private static void report(RegistryChange change) {
        if (change instanceof RegistryChange.VersionServerManaged s) {
            log.warn("version {} is managed by Temporal's own worker controller (compute_config is set): WCI will "
                    + "not invoke it{}", s.after().version(),
                    s.after().target().map(t -> ", although it is mapped to " + t.address()).orElse(""));
        } else if (change instanceof RegistryChange.VersionManaged m) {
            log.info("version {} is managed: target {} ({}), routing {}", m.entry().version(),
                    m.entry().target().orElseThrow().address(), m.entry().targetSource().orElseThrow(),
                    m.entry().routing());
        } else if (change instanceof RegistryChange.VersionUnmanaged u) {
            log.info("version {} is no longer managed: {}", u.before().version(),
                    u.after().map(a -> a.state().toString()).orElse("gone from Temporal"));
        } else if (change instanceof RegistryChange.TargetChanged t) {
            log.info("version {} target changed from {} to {}", t.after().version(),
                    t.before().target().orElseThrow().address(), t.after().target().orElseThrow().address());
        } else if (change instanceof RegistryChange.RoutingChanged r) {
            log.info("deployment {} routing: {} -> {}", r.deploymentName(), r.before(), r.after());
        }
    }

    private <T> T call(String method, java.util.function.Supplier<T> rpc) {
        try {
            return metrics.call(method, rpc);
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                budget.onResourceExhausted();
            }
            throw e;
        }
    }

    /** A blocking call interrupted by {@link #close()} ends as CANCELLED with the flag set: stop, quietly. */
    private static void stopIfInterrupted() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("registry sync stopped");
        }
    }

    static String describe(StatusRuntimeException e) {
        Status s = e.getStatus();
        return s.getCode() + (s.getDescription() == null ? "" : " (" + s.getDescription() + ")");
    }

    // --- background loop ----------------------------------------------------------------------------------

    /** Starts syncing in the background: now, then every interval, and whenever {@link #requestSync()} is called. */
    public void start() {
        loop.start();
    }

    /** Asks for a sync as soon as possible (e.g. a signal named a version the registry does not know). */
    public void requestSync() {
        loop.wake();
    }

    /** One round: a sync; after failed describe calls, the next comes sooner, backing off from 1 s. */
    private Duration round() throws InterruptedException {
        SyncReport report = syncNow();
        if (report.failures() > 0) {
            failureBackoff = BackgroundLoop.nextBackoff(failureBackoff);
            return BackgroundLoop.min(interval, failureBackoff);
        }
        failureBackoff = Duration.ZERO;
        return interval;
    }

    /** Whether the loop's thread ended without {@link #close()}: nothing is synced any more. */
    public boolean loopDead() {
        return loop.dead();
    }

    /** Stops the background loop and waits for it (up to 5 s). The connection stays open. */
    @Override
    public void close() {
        loop.close();
    }
}
