package dev.wci.sim;

import dev.wci.core.audit.DecisionAudit;
import dev.wci.core.census.CensusSnapshot;
import dev.wci.core.census.CensusStatus;
import dev.wci.core.invoke.InvokeExecutor;
import dev.wci.core.invoke.InvokeObserver;
import dev.wci.core.limits.Limits;
import dev.wci.core.loop.ControlLoop;
import dev.wci.core.scaling.ReactiveScaler;
import dev.wci.core.scaling.ScalingPolicy;
import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.signal.stats.PollRhythm;
import dev.wci.core.signal.stats.QueueStats;
import dev.wci.core.signal.stats.StatsSignals;
import dev.wci.core.signal.stats.VersionPoll;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroup;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Algorithm {@value #NAME}: the real WCI scaler, limits, invoke executor and control loop, unchanged, on
 * simulated time, fed as the server feeds them:
 * <ul>
 *   <li>the same push signals as {@code reference-no-sync};</li>
 *   <li>stats read on the server's default rhythm ({@link PollRhythm#defaults()}: 1 s while active, 10 s idle,
 *       idle after 60 s) by core's {@link VersionPoll}, turned into signals by core's {@link StatsSignals} (which
 *       assumes the server's 5 s staleness, whatever the model's is): the very code of the server's
 *       {@code temporal-stats} source, whose round also runs at least once per active interval;</li>
 *   <li>the worker census ({@link SimContext#census}) read on the server's default census rhythm
 *       ({@link PollRhythm#censusDefaults()}: 1 s while busy, 10 s idle, idle after 30 s) by the same
 *       {@link VersionPoll}, with the server's notion of busy (a running worker in the last census, live workers in
 *       the ledger, or an active stats poll), and handed to the scaler's {@code onCensus}: a worker shows up 1–2 s
 *       (its first heartbeat) plus up to one read interval after it became ready.</li>
 * </ul>
 * The scaler is ticked every {@link #TICK}.
 */
public final class WciSimAlgorithm implements SimAlgorithm {

    public static final String NAME = "wci";
    static final Duration TICK = Duration.ofMillis(250);
    private final ScalingPolicy policy;
    private final PollRhythm rhythm = PollRhythm.defaults();
    private final PollRhythm censusRhythm = PollRhythm.censusDefaults();
    private final DecisionAudit audit = new DecisionAudit(256);
    private final Map<DeploymentVersion, VersionPoll> polls = new LinkedHashMap<>();
    private final Map<DeploymentVersion, StatsSignals> signals = new HashMap<>();
    private final Map<DeploymentVersion, VersionPoll> censusPolls = new LinkedHashMap<>();
    private ControlLoop loop;
    private ReactiveScaler scaler;
    private SimContext ctx;

    public WciSimAlgorithm(ScalingPolicy policy) {
        this.policy = policy;
    }

    public WciSimAlgorithm() {
        this(ScalingPolicy.defaults());
    }

    /**
     * The policy an operator would configure for the simulated workers: their idle exit and shutdown buffer,
     * everything else the documented defaults.
     */
    public static ScalingPolicy policyFor(SimConfig config) {
        return ScalingPolicy.builder()
                .workerIdleExit(config.idleExit() == null ? Duration.ZERO : config.idleExit())
                .shutdownBuffer(config.shutdownBuffer())
                // The operator sizes the caps to the account, as the docs ask; the default version cap (200)
                // would otherwise be a limit the reference does not have.
                .maxWorkersPerVersion(config.accountConcurrency())
                .maxWorkersTotal(config.accountConcurrency())
                .build();
    }

    /**
     * {@code registry} with {@value #NAME} configured for the simulated workers ({@link #policyFor}), as an operator
     * would configure it for theirs. Both {@code wci simulate} and the random benchmark use it, so a draw re-run alone
     * gives the same numbers.
     */
    public static SimAlgorithms configuredFor(SimAlgorithms registry, SimConfig config) {
        if (!registry.contains(NAME)) {
            return registry;
        }
        ScalingPolicy policy = policyFor(config);
        return registry.with(NAME, () -> new WciSimAlgorithm(policy));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean usesPushSignals() {
        return true;
    }

    @Override
    public void start(SimContext context) {
        this.ctx = context;
        long[] ids = {0};
        scaler = new ReactiveScaler(policy, new Limits(policy, ctx.random()), audit, ctx.clock(),
                () -> "wci-" + (++ids[0]));
        InvokeExecutor executor = new InvokeExecutor(Map.of(ctx.compute().type(), ctx.compute()), scaler,
                InvokeObserver.NONE, ctx.clock(), 64);
        loop = new ControlLoop(scaler, executor);
        Instant now = ctx.clock().instant();
        for (ScalingGroup g : ctx.groups()) {
            DeploymentVersion v = g.id().version();
            scaler.register(g, ctx.targetFacts(v));
            VersionPoll poll = new VersionPoll(rhythm, now);
            poll.receivesNewWork(true); // the simulator's arrivals all land on their version, as on a Current one
            polls.put(v, poll);
            signals.put(v, new StatsSignals(v));
            censusPolls.put(v, new VersionPoll(censusRhythm, now));
        }
        ctx.schedule(Duration.ZERO, this::statsRound);
        ctx.schedule(Duration.ZERO, this::censusRound);
        ctx.repeat(TICK, TICK, loop::tick);
    }

    /** One round of the stats source (see {@link #round}): a read turns the version's stats into signals. */
    private void statsRound() {
        Instant now = ctx.clock().instant();
        Instant next = round(polls, rhythm, now, v -> scaler.live(v) > 0, v -> {
            BacklogObservation o = ctx.observe(v);
            QueueStats stats = new QueueStats(o.taskQueue(), o.type(), o.backlogCount(), o.backlogAge(),
                    o.addRate(), o.dispatchRate(), o.rateLimitingActive());
            return signals.get(v).accept(List.of(stats), now, loop) || scaler.live(v) > 0;
        });
        ctx.schedule(Duration.between(now, next), this::statsRound);
    }

    /** One round of the census source (see {@link #round}): a read hands the version's census to the scaler. */
    private void censusRound() {
        Instant now = ctx.clock().instant();
        Instant next = round(censusPolls, censusRhythm, now, this::censusBusy, v -> {
            CensusSnapshot census = ctx.census(v);
            scaler.onCensus(census);
            return census.workers().stream().anyMatch(w -> w.status() == CensusStatus.RUNNING) || censusBusy(v);
        });
        ctx.schedule(Duration.between(now, next), this::censusRound);
    }

    /**
     * One round of a polling source, as the server runs its stats and census sources: idle versions that turned
     * busy are pulled forward, every due version is read ({@code read} answers whether it is busy), and the next
     * round is when the next version is due, at the latest one active interval later.
     */
    private static Instant round(Map<DeploymentVersion, VersionPoll> polls, PollRhythm rhythm, Instant now,
                                 Predicate<DeploymentVersion> busy, Predicate<DeploymentVersion> read) {
        for (Map.Entry<DeploymentVersion, VersionPoll> e : polls.entrySet()) {
            if (!e.getValue().active() && busy.test(e.getKey())) {
                e.getValue().workersLive();
            }
        }
        Instant next = now.plus(rhythm.activeInterval());
        for (Map.Entry<DeploymentVersion, VersionPoll> e : polls.entrySet()) {
            VersionPoll poll = e.getValue();
            if (!poll.nextDue().isAfter(now)) {
                poll.polled(now, read.test(e.getKey()));
            }
            if (poll.nextDue().isBefore(next)) {
                next = poll.nextDue();
            }
        }
        return next;
    }

    /** The server's census notion of busy: live workers in the ledger, or stats polled as active (demand). */
    private boolean censusBusy(DeploymentVersion v) {
        return scaler.live(v) > 0 || polls.get(v).active();
    }

    @Override
    public void onSyncMatchFailure(SyncMatchFailure signal) {
        loop.accept(signal);
    }

    /** The decisions taken, most recent last (for tests). */
    public DecisionAudit audit() {
        return audit;
    }
}
