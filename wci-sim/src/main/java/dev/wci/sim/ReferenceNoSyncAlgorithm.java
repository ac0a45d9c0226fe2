package dev.wci.sim;

import dev.wci.core.compute.InvocationRequest;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroup;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Baseline {@value #NAME}: Temporal's embedded WCI (server >= 1.31, algorithm {@code no-sync}) as
 * docs/design.md ("The control problem") documents it:
 * <ul>
 *   <li>one Invoke of exactly one worker per decision, whatever the backlog;</li>
 *   <li>decisions come from push signals (batched by {@link PushBatcher}: one per 500 ms per version,
 *       the first after a quiet period at once) and from a backlog poll every 60 s that decides to
 *       invoke when the backlog is above zero;</li>
 *   <li>a "refresh" invoke every 10 min while the last poll saw a backlog;</li>
 *   <li>100 ms cool-off between invokes of a version: a decision inside it is dropped;</li>
 *   <li>no count of live workers, no caps; a throttle just fails that invoke (no backoff, no retry).</li>
 * </ul>
 */
public final class ReferenceNoSyncAlgorithm implements SimAlgorithm {

    public static final String NAME = "reference-no-sync";
    static final Duration COOL_OFF = Duration.ofMillis(100);
    static final Duration POLL = Duration.ofSeconds(60);
    static final Duration REFRESH = Duration.ofMinutes(10);

    private static final class VersionState {
        final ScalingGroup group;
        long lastInvoke = Long.MIN_VALUE / 2;
        long lastBacklog;

        VersionState(ScalingGroup group) {
            this.group = group;
        }
    }

    private final Map<DeploymentVersion, VersionState> states = new HashMap<>();
    private SimContext ctx;
    private long nextId;
    private long invokeCalls;
    private long droppedByCoolOff;

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
        List<ScalingGroup> groups = context.groups();
        for (ScalingGroup g : groups) {
            VersionState s = new VersionState(g);
            states.put(g.id().version(), s);
            context.repeat(POLL, POLL, () -> poll(s));
            context.repeat(REFRESH, REFRESH, () -> {
                if (s.lastBacklog > 0) {
                    decide(s, "REFRESH");
                }
            });
        }
    }

    @Override
    public void onSyncMatchFailure(SyncMatchFailure signal) {
        VersionState s = states.get(signal.version());
        if (s != null) {
            decide(s, "SYNC_MATCH_FAILURE");
        }
    }

    private void poll(VersionState s) {
        s.lastBacklog = ctx.observe(s.group.id().version()).backlogCount();
        if (s.lastBacklog > 0) {
            decide(s, "BACKLOG");
        }
    }

    /** One decision: one invoke of one worker, unless inside the cool-off. */
    private void decide(VersionState s, String reason) {
        long now = ctx.clock().millis();
        if (now - s.lastInvoke < COOL_OFF.toMillis()) {
            droppedByCoolOff++;
            return;
        }
        s.lastInvoke = now;
        invokeCalls++;
        // The result is ignored on purpose: the reference neither retries nor backs off on a throttle.
        ctx.compute().invoke(new InvocationRequest(s.group.id(), s.group.target(),
                List.of(NAME + "-" + (++nextId)), reason, ctx.clock().instant()));
    }

    /** Invoke calls made (each for exactly one worker). */
    public long invokeCalls() {
        return invokeCalls;
    }

    /** Decisions dropped because they fell inside the cool-off. */
    public long droppedByCoolOff() {
        return droppedByCoolOff;
    }
}
