package dev.wci.server.service;

import dev.wci.core.audit.DecisionAudit;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.invoke.InvokeExecutor;
import dev.wci.core.registry.DeploymentEntry;
import dev.wci.core.registry.RegistrySnapshot;
import dev.wci.core.registry.VersionEntry;
import dev.wci.core.registry.VersionRegistry;
import dev.wci.core.scaling.BacklogSources;
import dev.wci.core.scaling.GroupStatus;
import dev.wci.core.scaling.ReactiveScaler;
import dev.wci.core.scaling.ScaleDecision;
import dev.wci.core.scaling.SizingResult;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.RoutingState;
import dev.wci.server.http.HttpSurface;
import dev.wci.server.temporal.TemporalCensusSource;
import dev.wci.server.temporal.TemporalConnection;
import dev.wci.server.temporal.TemporalStatsSource;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Builds the {@code /status} document from every part's own view. Values are plain JSON-friendly records. */
public final class StatusReport {

    /** The whole document. */
    public record Status(Instant generatedAt, boolean ready, List<String> problems, TemporalView temporal,
                         LimitsView limits, List<DeploymentView> deployments, List<DecisionView> recentDecisions) {
    }

    public record TemporalView(boolean reachable, String detail, List<String> warnings, CensusSummary census) {
    }

    /**
     * Whether WCI reads the worker census of the namespace.
     *
     * @param state  {@code available}, {@code unavailable} (the scaler uses its ledger model), {@code unknown} (not
     *               checked yet) or {@code disabled} (by {@code signals.census.enabled})
     * @param detail why it is unavailable or disabled, else null
     */
    public record CensusSummary(String state, String detail) {
    }

    /** Totals over all versions. */
    public record LimitsView(int liveWorkers, int maxWorkersTotal, Double budgetTotalRemaining,
                             int invokesInFlight, int invokesWaiting, long ignoredSignals) {
    }

    /**
     * One deployment as the registry knows it. {@code notReadHere}: why this replica does not read it from Temporal now
     * (with HA: another replica holds its lease), so its routing and versions are as this replica last read them
     * (at {@code syncedAt}, null if never); null when it reads it.
     */
    public record DeploymentView(String name, String current, String ramping, double rampingPercentage,
                                 boolean existsInTemporal, Instant syncedAt, String notReadHere,
                                 List<VersionView> versions) {
    }

    /** One version: routing, mapping, validation, the scaler's view, bootstrap and polling. */
    public record VersionView(String buildId, String routing, String management, String target, String targetSource,
                              boolean mutableTarget, List<String> conflicts, List<String> taskQueues,
                              ValidationView validation, GroupView scaler, BootstrapView bootstrap, PollView polling,
                              VersionCensusView census) {
    }

    /**
     * One version's worker census as the census source read it (what the scaler made of it is in each group's
     * {@link CensusView}).
     *
     * @param availability      {@code AVAILABLE}, {@code UNAVAILABLE} or {@code UNKNOWN}
     * @param unavailableReason why it is unavailable, else null
     * @param running           workers the last snapshot listed as running (any process's)
     * @param shuttingDown      workers the last snapshot listed as shutting down
     * @param asOf              when the last snapshot was read
     * @param ageSeconds        how old that snapshot is now
     * @param gap               workers the ledger counts as ready minus workers the census lists as running
     * @param reads             snapshots read so far
     * @param failures          reads that gave no snapshot
     * @param nextReadAt        when the census of the version is read next
     */
    public record VersionCensusView(String availability, String unavailableReason, int running, int shuttingDown,
                                    Instant asOf, Double ageSeconds, int gap, long reads, long failures,
                                    Instant nextReadAt) {
    }

    public record ValidationView(String state, String failure, List<String> warnings, Instant checkedAt) {
    }

    public record GroupView(int starting, int ready, double backlog, double arrivalRate, double workerThroughput,
                            double coldStartSeconds, boolean queueRateLimited, String circuitOpenBecause,
                            Instant throttleBackoffUntil, String invokeLoopSuspect, int invokeTokens,
                            Double budgetRemainingWorkerSeconds, int ledgerSize, long phantomsEnded, String circuit,
                            CensusView census) {
    }

    /**
     * The worker census of a group: while {@code live}, {@code starting}/{@code ready} above come from it (ready =
     * listed as running, adopted included); otherwise from the model. {@code heldSince}: reads have failed since
     * then and the last facts are held through the outage. {@code slotsPerWorker}: the fewest slots a listed worker
     * reported in its heartbeat (0 until one did).
     */
    public record CensusView(boolean live, Instant asOf, String unavailable, int running, int adopted, long seen,
                             long failedStarts, Instant heldSince, int slotsPerWorker) {
    }

    public record BootstrapView(int attempts, Instant lastAttemptAt, Instant nextAttemptAt, String lastOutcome) {
    }

    public record PollView(boolean active, long polls, long failures, Instant lastPolledAt, Instant nextPollAt) {
    }

    /**
     * One recorded decision: what it asked for and got, and what it was computed from, so that a reader can redo
     * the count ({@code sizing}: the sizing step's parts, null for a decision that was not sized, e.g. a bootstrap;
     * {@code backlogSources}: how the backlog was learnt, null likewise).
     */
    public record DecisionView(Instant decidedAt, String version, String group, String reason, int requested,
                               int invoked, List<String> trims, String trigger, double backlog, double arrivalRate,
                               double workerThroughput, double coldStartSeconds, int desired, int live,
                               LiveView liveWorkers, boolean liveFromCensus, SizingView sizing,
                               BacklogSourcesView backlogSources) {
    }

    /**
     * How a decision's backlog was learnt: {@code picture + pushed + grown} is the backlog. {@code picture}: what the
     * fresh stats pictures show waiting, as of {@code pictureAgeSeconds} before the decision (null: no fresh picture);
     * {@code pushed} / {@code grown}: sync-match failures added to it, by origin (push, stats growth);
     * {@code pushedInPicture} / {@code grownInPicture}: failures since the picture's moment that it already shows;
     * {@code earlier}: failures remembered from before the cut-off (the picture's moment, the drain target, an idle
     * exit), not added.
     */
    public record BacklogSourcesView(long picture, Double pictureAgeSeconds, long pushed, long grown,
                                     long pushedInPicture, long grownInPicture, long earlier) {
    }

    /** The live workers a decision saw: {@code late} and {@code expiring} hold cap slots but do not cover demand. */
    public record LiveView(int starting, int ready, int expiring, int late) {
    }

    /**
     * How the sizing step came to its count: the backlog projected one cold start ahead, the workers the demand
     * needs ({@code uncappedDesired}: before the unproven default's cap, {@code capped} when it bound), those the
     * backlog trend asked for on its own, and the count split into replacements and growth.
     */
    public record SizingView(double backlogWhenReady, int desired, int uncappedDesired, boolean capped, int trendWant,
                             int replace, int grow) {
    }

    private final Clock clock;
    private final VersionRegistry registry;
    private final ReactiveScaler scaler;
    private final TargetRegistrations targets;
    private final Bootstrapper bootstrapper;
    private final DecisionAudit audit;
    private final InvokeExecutor executor;
    private final int maxWorkersTotal;

    StatusReport(Clock clock, VersionRegistry registry, ReactiveScaler scaler, TargetRegistrations targets,
                 Bootstrapper bootstrapper, DecisionAudit audit, InvokeExecutor executor, int maxWorkersTotal) {
        this.clock = clock;
        this.registry = registry;
        this.scaler = scaler;
        this.targets = targets;
        this.bootstrapper = bootstrapper;
        this.audit = audit;
        this.executor = executor;
        this.maxWorkersTotal = maxWorkersTotal;
    }

    /**
     * @param census the census of each version ({@link TemporalCensusSource#status()}), empty when it is off
     * @param censusSummary whether the namespace's census is read
     * @param notReadHere why this replica does not read a deployment from Temporal now, null when it does
     */
    Status build(HttpSurface.Readiness readiness, TemporalStatsSource stats,
                 List<TemporalCensusSource.VersionCensusStatus> census, CensusSummary censusSummary,
                 TemporalConnection.Health health, Function<String, String> notReadHere) {
        Map<DeploymentVersion, GroupStatus> groups = new HashMap<>();
        scaler.status().forEach(g -> groups.putIfAbsent(g.group().version(), g));
        Map<DeploymentVersion, TargetRegistrations.TargetState> validations = new HashMap<>();
        targets.snapshot().forEach(s -> validations.put(s.managed().version(), s));
        Map<DeploymentVersion, Bootstrapper.BootstrapState> boots = new HashMap<>();
        bootstrapper.status().forEach(b -> boots.put(b.version(), b));
        Map<DeploymentVersion, TemporalStatsSource.VersionPollStatus> polls = new HashMap<>();
        if (stats != null) {
            stats.status().forEach(p -> polls.put(p.version(), p));
        }

        Map<DeploymentVersion, TemporalCensusSource.VersionCensusStatus> censuses = new HashMap<>();
        census.forEach(c -> censuses.put(c.version(), c));
        Map<DeploymentVersion, List<GroupStatus>> allGroups = new HashMap<>();
        scaler.status().forEach(g -> allGroups.computeIfAbsent(g.group().version(), k -> new ArrayList<>()).add(g));

        RegistrySnapshot snapshot = registry.snapshot();
        List<DeploymentView> deployments = new ArrayList<>();
        for (DeploymentEntry d : snapshot.deployments().values()) {
            List<VersionView> versions = new ArrayList<>();
            for (VersionEntry v : d.versions().values()) {
                versions.add(version(v, groups.get(v.version()), validations.get(v.version()),
                        boots.get(v.version()), polls.get(v.version()),
                        censusView(censuses.get(v.version()), allGroups.getOrDefault(v.version(), List.of()))));
            }
            deployments.add(new DeploymentView(d.name(),
                    d.routing().current().map(DeploymentVersion::buildId).orElse(null),
                    d.routing().ramping().map(DeploymentVersion::buildId).orElse(null),
                    d.routing().rampingPercentage(), d.existsInTemporal(), d.syncedAt().orElse(null),
                    notReadHere.apply(d.name()), versions));
        }
        List<ScaleDecision> recent = audit.recent();
        List<DecisionView> decisions = new ArrayList<>();
        for (int i = recent.size() - 1; i >= 0 && decisions.size() < 100; i--) {
            decisions.add(decision(recent.get(i)));
        }
        return new Status(clock.instant(), readiness.ready(), readiness.problems(),
                new TemporalView(health.ok(), health.detail(), health.warnings(), censusSummary),
                new LimitsView(scaler.totalLive(), maxWorkersTotal, finite(scaler.totalBudgetRemaining()), executor.inFlight(),
                        executor.waiting(), scaler.ignoredSignals()),
                deployments, decisions);
    }

    private static VersionView version(VersionEntry v, GroupStatus g, TargetRegistrations.TargetState t,
                                       Bootstrapper.BootstrapState b, TemporalStatsSource.VersionPollStatus p,
                                       VersionCensusView census) {
        ValidationView validation = null;
        if (t != null) {
            Optional<TargetValidation> last = t.validation();
            validation = last.map(r -> r instanceof TargetValidation.Invalid inv
                            ? new ValidationView("invalid", inv.failure().toString(), List.of(), r.checkedAt())
                            : new ValidationView("valid", null, ((TargetValidation.Valid) r).warnings(), r.checkedAt()))
                    .orElse(new ValidationView("pending", null, List.of(), null));
        }
        GroupView group = g == null ? null : new GroupView(g.live().starting(), g.live().ready(), g.backlog(),
                g.arrivalRate(), g.workerThroughput(), g.coldStartMillis() / 1000.0, g.rateLimited(),
                g.circuitOpenedBy() == null ? null : g.circuitOpenedBy().toString(), g.backoffUntil(),
                g.invokeLoopSuspect(), g.invokeTokens(), finite(g.budgetRemaining()), g.ledgerSize(),
                g.phantomsEnded(), g.circuit(), new CensusView(g.census().live(), g.census().asOf(),
                        g.census().unavailableReason(), g.census().confirmed(), g.census().adopted(), g.census().seen(),
                        g.census().failedStarts(), g.census().heldSince(), g.census().slotsPerWorker()));
        BootstrapView boot = b == null ? null
                : new BootstrapView(b.attempts(), b.lastAttemptAt(), b.nextAttemptAt(), b.lastOutcome());
        PollView poll = p == null ? null : new PollView(p.active(), p.polls(), p.failures(),
                p.lastPolledAt().orElse(null), p.nextPollAt());
        return new VersionView(v.version().buildId(), routing(v.routing()), v.state().name(),
                v.target().map(x -> x.address()).orElse(null), v.targetSource().map(Enum::name).orElse(null),
                v.target().map(x -> x.mutableAllowed()).orElse(false),
                v.conflicts().stream().map(Object::toString).toList(),
                v.temporal().taskQueues().stream().map(q -> q.name() + " (" + q.type() + ")").toList(),
                validation, group, boot, poll, census);
    }

    private VersionCensusView censusView(TemporalCensusSource.VersionCensusStatus c, List<GroupStatus> groups) {
        if (c == null) {
            return null;
        }
        int ready = groups.stream().mapToInt(g -> g.live().ready()).sum();
        Double age = c.asOf().map(at -> java.time.Duration.between(at, clock.instant()).toMillis() / 1000.0)
                .orElse(null);
        return new VersionCensusView(c.availability().name(), c.unavailableReason(), c.running(), c.shuttingDown(),
                c.asOf().orElse(null), age, c.gap(ready), c.reads(), c.failures(), c.nextReadAt());
    }

    private static String routing(RoutingState r) {
        if (r instanceof RoutingState.Ramping ramping) {
            return "RAMPING " + ramping.percentage() + "%";
        }
        return r.getClass().getSimpleName().toUpperCase(java.util.Locale.ROOT);
    }

    private static DecisionView decision(ScaleDecision d) {
        return new DecisionView(d.decidedAt(), d.group().version().toString(), d.group().name(), d.reason().name(),
                d.requested(), d.count(),
                d.trims().stream().map(t -> t.limit() + " " + t.before() + "->" + t.after()).toList(),
                d.inputs().trigger(), d.inputs().backlog(), d.inputs().arrivalRate(), d.inputs().workerThroughput(),
                d.inputs().coldStartMillis() / 1000.0, d.inputs().desired(), d.inputs().live().live(),
                new LiveView(d.inputs().live().starting(), d.inputs().live().ready(), d.inputs().live().expiring(),
                        d.inputs().live().late()),
                d.inputs().fromCensus(), sizing(d.inputs().sizing()), sources(d.inputs().backlogSources()));
    }

    private static BacklogSourcesView sources(BacklogSources s) {
        return s == null ? null
                : new BacklogSourcesView(s.picture(), s.pictureAgeMillis() < 0 ? null : s.pictureAgeMillis() / 1000.0,
                        s.pushed(), s.grown(), s.pushedInPicture(), s.grownInPicture(), s.earlier());
    }

    private static SizingView sizing(SizingResult s) {
        return s == null ? null
                : new SizingView(s.backlogWhenReady(), s.desired(), s.uncapped(), s.capped(), s.trendWant(), s.replace(),
                        s.grow());
    }

    /** JSON has no infinity: an unlimited budget is null. */
    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
