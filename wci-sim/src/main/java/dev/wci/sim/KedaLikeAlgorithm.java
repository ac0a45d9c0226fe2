package dev.wci.sim;

import dev.wci.core.compute.InvocationRequest;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Baseline {@value #NAME}: what a KEDA-style poller would do with Temporal's backlog metric. Every
 * 30 s (first poll at time zero) it reads the backlog and computes desired = ceil(backlog / 5), then
 * invokes desired − live workers in one call when positive. No push signals, no retries.
 *
 * <p>It reads the live worker count from {@link SimContext#liveWorkersOracle}: ground truth that a
 * real controller cannot have (KEDA reads a replica count that Lambda does not expose), a generous
 * assumption in this baseline's favour.
 */
public final class KedaLikeAlgorithm implements SimAlgorithm {

    public static final String NAME = "keda-like";
    static final Duration POLL = Duration.ofSeconds(30);
    static final int TASKS_PER_WORKER = 5;

    private SimContext ctx;
    private long nextId;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean usesPushSignals() {
        return false;
    }

    /** ceil(backlog / 5). */
    static long desired(long backlog) {
        return (backlog + TASKS_PER_WORKER - 1) / TASKS_PER_WORKER;
    }

    /** Workers to invoke: desired − live, at least 0. */
    static long toInvoke(long backlog, long live) {
        return Math.max(0, desired(backlog) - live);
    }

    @Override
    public void start(SimContext context) {
        this.ctx = context;
        for (ScalingGroup g : context.groups()) {
            context.repeat(Duration.ZERO, POLL, () -> poll(g));
        }
    }

    private void poll(ScalingGroup g) {
        DeploymentVersion v = g.id().version();
        long n = toInvoke(ctx.observe(v).backlogCount(), ctx.liveWorkersOracle(v));
        if (n <= 0) {
            return;
        }
        List<String> ids = new ArrayList<>((int) n);
        for (long i = 0; i < n; i++) {
            ids.add(NAME + "-" + (++nextId));
        }
        ctx.compute().invoke(new InvocationRequest(g.id(), g.target(), ids, "SCALE_TO_DESIRED",
                ctx.clock().instant()));
    }
}
