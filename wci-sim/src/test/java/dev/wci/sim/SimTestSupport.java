package dev.wci.sim;

import dev.wci.core.compute.ComputeProvider;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.InvocationRequest;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.compute.TargetFacts;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroup;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/** Helpers: hand-made arrivals, scripted algorithms and a recorder of invoke calls. */
final class SimTestSupport {

    private SimTestSupport() {
    }

    static long s(double seconds) {
        return Math.round(seconds * 1e9);
    }

    /** Tasks of version 0 at the given times (seconds), each running {@code durationS}. */
    static Arrivals tasksAt(double durationS, double... timesS) {
        Arrivals.Builder b = new Arrivals.Builder();
        for (double t : timesS) {
            b.add(s(t), s(durationS), 0);
        }
        return b.build();
    }

    static SimResult run(Arrivals arrivals, SimAlgorithm algorithm, SimConfig config) {
        // At least 1 s, so that scripts invoking without any task get their answers.
        return new Simulation("test", arrivals, algorithm, config, 1, new RandomStreams(7))
                .runAtLeast(Duration.ofSeconds(1)).run();
    }

    /** An algorithm whose behaviour is a script run at time zero. */
    static SimAlgorithm script(Consumer<SimContext> script) {
        return new SimAlgorithm() {
            @Override
            public String name() {
                return "script";
            }

            @Override
            public void start(SimContext ctx) {
                script.accept(ctx);
            }

            @Override
            public boolean usesPushSignals() {
                return false;
            }
        };
    }

    /** Invokes {@code n} workers of the first group after {@code delay}; results go to {@code sink}. */
    static void invokeAt(SimContext ctx, double delayS, int n, List<InvocationResult> sink) {
        ctx.schedule(Duration.ofNanos(s(delayS)), () -> {
            ScalingGroup g = ctx.groups().get(0);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ids.add("t-" + ctx.clock().millis() + "-" + i);
            }
            ctx.compute().invoke(new InvocationRequest(g.id(), g.target(), ids, "TEST", ctx.clock().instant()))
                    .thenAccept(sink::addAll);
        });
    }

    /** One recorded invoke call. */
    record Call(long atNanos, InvocationRequest request) {
    }

    /** Wraps an algorithm so that every invoke call it makes is recorded with its simulated time. */
    static final class Recording implements SimAlgorithm {
        final SimAlgorithm delegate;
        final List<Call> calls = new ArrayList<>();
        final List<SyncMatchFailure> signals = new ArrayList<>();
        /** Simulated times (nanos) of the census reads the algorithm made. */
        final List<Long> censusReads = new ArrayList<>();
        SimContext ctx;

        Recording(SimAlgorithm delegate) {
            this.delegate = delegate;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public boolean usesPushSignals() {
            return delegate.usesPushSignals();
        }

        @Override
        public void onSyncMatchFailure(SyncMatchFailure signal) {
            signals.add(signal);
            delegate.onSyncMatchFailure(signal);
        }

        @Override
        public void start(SimContext real) {
            ComputeProvider compute = new ComputeProvider() {
                @Override
                public String type() {
                    return real.compute().type();
                }

                @Override
                public CompletionStage<TargetValidation> validate(ComputeTarget target, DeploymentVersion version) {
                    return real.compute().validate(target, version);
                }

                @Override
                public CompletionStage<List<InvocationResult>> invoke(InvocationRequest request) {
                    calls.add(new Call(((SimClock) real.clock()).nanos(), request));
                    return real.compute().invoke(request);
                }
            };
            ctx = new SimContext() {
                @Override
                public Clock clock() {
                    return real.clock();
                }

                @Override
                public void schedule(Duration delay, Runnable action) {
                    real.schedule(delay, action);
                }

                @Override
                public List<ScalingGroup> groups() {
                    return real.groups();
                }

                @Override
                public TargetFacts targetFacts(DeploymentVersion v) {
                    return real.targetFacts(v);
                }

                @Override
                public BacklogObservation observe(DeploymentVersion v) {
                    return real.observe(v);
                }

                @Override
                public dev.wci.core.census.CensusSnapshot census(DeploymentVersion v) {
                    censusReads.add(((SimClock) real.clock()).nanos());
                    return real.census(v);
                }

                @Override
                public ComputeProvider compute() {
                    return compute;
                }

                @Override
                public int liveWorkersOracle(DeploymentVersion v) {
                    return real.liveWorkersOracle(v);
                }

                @Override
                public RandomGenerator random() {
                    return real.random();
                }
            };
            delegate.start(ctx);
        }
    }
}
