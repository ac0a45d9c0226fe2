package dev.wci.sim;

import dev.wci.core.census.CensusSnapshot;
import dev.wci.core.compute.ComputeProvider;
import dev.wci.core.compute.TargetFacts;
import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroup;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;

/** What a {@link SimAlgorithm} may see and do in a simulation run. Everything runs on simulated time. */
public interface SimContext {

    /** Simulated time. */
    Clock clock();

    /** Runs {@code action} after {@code delay} of simulated time. */
    void schedule(Duration delay, Runnable action);

    /** Runs {@code action} after {@code initialDelay}, then every {@code period}, until the run ends. */
    default void repeat(Duration initialDelay, Duration period, Runnable action) {
        schedule(initialDelay, new Runnable() {
            @Override
            public void run() {
                action.run();
                schedule(period, this);
            }
        });
    }

    /**
     * One scaling group per version: {@code ScalingGroup.allTypes(version,
     * ComputeTarget("sim-lambda", "arn:aws:lambda:us-east-1:123456789012:function:worker:<n>"))}.
     */
    List<ScalingGroup> groups();

    /** Facts about the version's target, as validation would report them (function timeout etc.). */
    TargetFacts targetFacts(DeploymentVersion v);

    /** The version's queue stats with the configured staleness; counts one describe call. */
    BacklogObservation observe(DeploymentVersion v);

    /**
     * The version's worker census as Temporal's {@code ListWorkers} would list it now (heartbeat delay included);
     * identities are {@code <requestId>@<functionArn>}.
     */
    CensusSnapshot census(DeploymentVersion v);

    /** The simulated Lambda. */
    ComputeProvider compute();

    /**
     * Ground truth: live (starting or ready or draining) workers of the version. A real controller
     * cannot know this; ONLY the keda-like baseline uses it, a generous assumption in its favour
     * (KEDA reads a replica count that a Lambda deployment does not have).
     */
    int liveWorkersOracle(DeploymentVersion v);

    /** This algorithm's own seeded random stream; using it never perturbs the workload or Lambda draws. */
    RandomGenerator random();
}
