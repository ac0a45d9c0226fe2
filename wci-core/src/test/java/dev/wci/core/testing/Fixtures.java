package dev.wci.core.testing;

import dev.wci.core.audit.DecisionAudit;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.TargetFacts;
import dev.wci.core.limits.Limits;
import dev.wci.core.scaling.ReactiveScaler;
import dev.wci.core.scaling.ScalingPolicy;
import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.signal.SyncMatchFailure.Origin;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroup;
import dev.wci.core.version.TaskQueueType;
import java.time.Clock;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/** Builders shared by the core tests. */
public final class Fixtures {

    public static final DeploymentVersion V1 = new DeploymentVersion("orders", "v1");
    public static final DeploymentVersion V2 = new DeploymentVersion("orders", "v2");
    public static final String QUEUE = "orders-q";
    public static final TargetFacts FACTS = TargetFacts.ofTimeout(Duration.ofSeconds(900));

    /**
     * The policy the sizing tests' arithmetic is written against (20 s drain target, 5 tasks/s per worker,
     * 80% target utilization, EWMA weight 0.3), pinned so that a change of the documented defaults does not
     * change these tests.
     */
    public static final ScalingPolicy POLICY = ScalingPolicy.builder().drainTarget(Duration.ofSeconds(20))
            .defaultWorkerThroughput(5).targetUtilization(0.8).throughputEwmaAlpha(0.3).build();

    /** {@link #POLICY} with changes. */
    public static ScalingPolicy.Builder policy() {
        return POLICY.toBuilder();
    }

    private Fixtures() {
    }

    public static ComputeTarget target(DeploymentVersion v) {
        return new ComputeTarget("test",
                "arn:aws:lambda:us-east-1:123456789012:function:" + v.deploymentName() + ":" + v.buildId());
    }

    public static ScalingGroup group(DeploymentVersion v) {
        return ScalingGroup.allTypes(v, target(v));
    }

    /** A scaler with one registered group per version, deterministic ids and jitter. */
    public static ReactiveScaler scaler(ScalingPolicy policy, Clock clock, DecisionAudit audit,
                                        DeploymentVersion... versions) {
        AtomicLong ids = new AtomicLong();
        ReactiveScaler s = new ReactiveScaler(policy, new Limits(policy, new SplittableRandom(7)), audit, clock,
                () -> "inv-" + ids.incrementAndGet());
        for (DeploymentVersion v : versions) {
            s.register(group(v), FACTS);
        }
        return s;
    }

    public static SyncMatchFailure failure(DeploymentVersion v, long count, Clock clock) {
        return new SyncMatchFailure(v, QUEUE, TaskQueueType.ACTIVITY, count, 0, clock.instant(), Origin.PUSH);
    }

    public static BacklogObservation observation(DeploymentVersion v, long backlog, double addRate,
                                                 double dispatchRate, boolean rateLimited, Clock clock) {
        return new BacklogObservation(v, QUEUE, TaskQueueType.ACTIVITY, backlog,
                Duration.ofSeconds(backlog > 0 ? 3 : 0),
                addRate, dispatchRate, rateLimited, clock.instant(), Duration.ZERO);
    }
}
