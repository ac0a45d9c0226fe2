package dev.wci.sim;

import dev.wci.core.compute.InvocationRequest;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroup;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An oracle of the cost frontier ({@link CostFrontier}): at a version's first sync-match failure it starts that
 * version's whole fleet in one invoke (the size is given, as if the burst were known in advance), the cheapest way
 * to a given fleet at the earliest moment a causal controller can act. With {@code reacts}, it also does
 * everything {@link ReferenceNoSyncAlgorithm} does from time zero (one worker per failure batch, the 60 s poll, the
 * refresh), so arrivals after the burst, and a backlog that outlives the fleet's lifetime, are still served; with a
 * fleet of 0 it is exactly the reference. Without, it starts nothing else: cheaper when the fleet suffices.
 */
final class OneShotFleetAlgorithm implements SimAlgorithm {

    private final int[] fleets;
    private final boolean reacts;
    private final ReferenceNoSyncAlgorithm reference = new ReferenceNoSyncAlgorithm();
    private final Set<DeploymentVersion> started = new HashSet<>();
    private SimContext ctx;

    /**
     * @param fleets workers to start at each version's first failure, by version index (as {@link SimContext#groups})
     * @param reacts whether it also acts as the reference does
     */
    OneShotFleetAlgorithm(int[] fleets, boolean reacts) {
        for (int f : fleets) {
            if (f < 0) {
                throw new IllegalArgumentException("a fleet must not be negative, got " + f);
            }
        }
        this.fleets = fleets.clone();
        this.reacts = reacts;
    }

    /** Its name in a registry: the total fleet, and "+ref" when it reacts. */
    static String name(int totalFleet, boolean reacts) {
        return "one-shot-" + totalFleet + (reacts ? "+ref" : "");
    }

    @Override
    public String name() {
        int total = 0;
        for (int f : fleets) {
            total += f;
        }
        return name(total, reacts);
    }

    @Override
    public boolean usesPushSignals() {
        return true;
    }

    @Override
    public void start(SimContext context) {
        ctx = context;
        if (reacts) {
            reference.start(context);
        }
    }

    @Override
    public void onSyncMatchFailure(SyncMatchFailure signal) {
        if (started.add(signal.version())) {
            List<ScalingGroup> groups = ctx.groups();
            for (int i = 0; i < groups.size() && i < fleets.length; i++) {
                ScalingGroup g = groups.get(i);
                if (g.id().version().equals(signal.version()) && fleets[i] > 0) {
                    List<String> ids = new ArrayList<>(fleets[i]);
                    for (int w = 0; w < fleets[i]; w++) {
                        ids.add("oracle-" + i + "-" + w);
                    }
                    ctx.compute().invoke(new InvocationRequest(g.id(), g.target(), ids, "ORACLE_FLEET",
                            ctx.clock().instant()));
                }
            }
        }
        if (reacts) {
            reference.onSyncMatchFailure(signal);
        }
    }
}
