package dev.wci.core.sim;

import dev.wci.core.audit.DecisionAudit;
import dev.wci.core.invoke.InvokeExecutor;
import dev.wci.core.invoke.InvokeObserver;
import dev.wci.core.limits.Limits;
import dev.wci.core.loop.ControlLoop;
import dev.wci.core.scaling.ReactiveScaler;
import dev.wci.core.scaling.ScalingPolicy;
import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroup;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Algorithm {@value #NAME}: the real WCI scaler, limits, invoke executor and control loop, unchanged, on
 * simulated time. It gets the same push signals as {@code reference-no-sync} and, like the server's
 * {@code temporal-stats} source, polls each version's stats: every {@link #ACTIVE_POLL} while the version
 * has demand or workers, every {@link #IDLE_POLL} otherwise, and at once when a push signal arrives for
 * an idle version. The scaler is ticked every {@link #TICK}.
 */
public final class WciSimAlgorithm implements SimAlgorithm {

    public static final String NAME = "wci";
    static final Duration TICK = Duration.ofMillis(250);
    static final Duration ACTIVE_POLL = Duration.ofSeconds(2);
    static final Duration IDLE_POLL = Duration.ofSeconds(10);

    private final ScalingPolicy policy;
    private final DecisionAudit audit = new DecisionAudit(256);
    private final Map<DeploymentVersion, Poller> pollers = new HashMap<>();
    private ControlLoop loop;
    private ReactiveScaler scaler;
    private SimContext ctx;

    /**
     * One pending stats poll of a version. Pulling a poll forward replaces the version's poller, which
     * cancels the one already scheduled: it finds it is no longer current and does nothing.
     */
    private final class Poller implements Runnable {
        private final DeploymentVersion version;
        private boolean active;

        Poller(DeploymentVersion version) {
            this.version = version;
        }

        @Override
        public void run() {
            if (pollers.get(version) != this) {
                return;
            }
            BacklogObservation o = ctx.observe(version);
            loop.accept(o);
            active = o.backlogCount() > 0 || o.addRate() > 0 || scaler.totalLive() > 0;
            Poller next = new Poller(version);
            next.active = active;
            pollers.put(version, next);
            ctx.schedule(active ? ACTIVE_POLL : IDLE_POLL, next);
        }
    }

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
        for (ScalingGroup g : ctx.groups()) {
            DeploymentVersion v = g.id().version();
            scaler.register(g, ctx.targetFacts(v));
            Poller first = new Poller(v);
            pollers.put(v, first);
            ctx.schedule(Duration.ZERO, first);
        }
        ctx.repeat(TICK, TICK, loop::tick);
    }

    @Override
    public void onSyncMatchFailure(SyncMatchFailure signal) {
        loop.accept(signal);
        Poller p = pollers.get(signal.version());
        if (p != null && !p.active) {
            // An idle version just got work: poll now instead of up to IDLE_POLL later.
            Poller now = new Poller(signal.version());
            now.active = true;
            pollers.put(signal.version(), now);
            ctx.schedule(Duration.ZERO, now);
        }
    }

    /** The decisions taken, most recent last (for tests). */
    public DecisionAudit audit() {
        return audit;
    }
}
