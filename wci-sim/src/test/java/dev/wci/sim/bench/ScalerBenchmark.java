package dev.wci.sim.bench;

import dev.wci.core.audit.DecisionAudit;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.TargetFacts;
import dev.wci.core.limits.Limits;
import dev.wci.core.scaling.ReactiveScaler;
import dev.wci.core.scaling.ScaleDecision;
import dev.wci.core.scaling.ScalingPolicy;
import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.signal.MatchingSignal;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.signal.SyncMatchFailure.Origin;
import dev.wci.core.testing.TestClock;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroup;
import dev.wci.core.version.TaskQueueType;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decisions per second of the scaler with many tracked versions: each operation delivers one signal
 * (sync-match failures and backlog observations, spread over all versions, on a clock advancing
 * 1 ms per 100 signals) and takes the decision. {@code tick} measures a full periodic pass.
 * Run with {@code bin/bench-scaler} (adds the GC profiler for allocation per decision).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class ScalerBenchmark {

    @Param({"10000"})
    int versions;

    /**
     * The total cap: far above what the signals ask (the goal's figure), and the policy's default of 900, which
     * they soon fill: decisions then run the total cap's rules (its even shares among short groups once cost a walk
     * of every group per decision: 36x fewer signals per second).
     */
    @Param({"1000000", "900"})
    int maxWorkersTotal;

    private TestClock clock;
    private ReactiveScaler scaler;
    private MatchingSignal[] signals;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        clock = new TestClock();
        ScalingPolicy policy = ScalingPolicy.builder().maxWorkersTotal(maxWorkersTotal).maxWorkersPerVersion(1000).build();
        long[] ids = {0};
        scaler = new ReactiveScaler(policy, new Limits(policy, new SplittableRandom(1)), new DecisionAudit(1024),
                clock, () -> "i" + (++ids[0]));
        DeploymentVersion[] vs = new DeploymentVersion[versions];
        for (int i = 0; i < versions; i++) {
            vs[i] = new DeploymentVersion("deployment-" + (i / 10), "build-" + i);
            scaler.register(ScalingGroup.allTypes(vs[i], new ComputeTarget("bench",
                    "arn:aws:lambda:us-east-1:123456789012:function:f" + i + ":1")),
                    TargetFacts.ofTimeout(Duration.ofSeconds(900)));
        }
        SplittableRandom r = new SplittableRandom(42);
        signals = new MatchingSignal[1 << 16];
        for (int i = 0; i < signals.length; i++) {
            DeploymentVersion v = vs[r.nextInt(versions)];
            signals[i] = r.nextInt(4) == 0
                    ? new BacklogObservation(v, "q", TaskQueueType.ACTIVITY, r.nextLong(0, 500),
                    Duration.ofSeconds(2), r.nextDouble() * 50, r.nextDouble() * 50, false, clock.instant(),
                    Duration.ofSeconds(5))
                    : new SyncMatchFailure(v, "q", TaskQueueType.ACTIVITY, r.nextLong(1, 50), 0, clock.instant(),
                            Origin.PUSH);
        }
    }

    @Benchmark
    public Optional<ScaleDecision> signal() {
        MatchingSignal s = signals[next++ & (signals.length - 1)];
        if ((next % 100) == 0) {
            clock.advanceMillis(1);
        }
        return scaler.onSignal(s);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public List<ScaleDecision> tick() {
        clock.advanceMillis(250);
        return scaler.tick();
    }
}
