package dev.wci.core.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.audit.DecisionAudit;
import dev.wci.core.compute.ComputeFailure;
import dev.wci.core.compute.ComputeProvider;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.InvocationRequest;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.invoke.InvokeExecutor;
import dev.wci.core.invoke.InvokeObserver;
import dev.wci.core.limits.Limits;
import dev.wci.core.loop.ControlLoop;
import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.signal.SyncMatchFailure.Origin;
import dev.wci.core.testing.Fixtures;
import dev.wci.core.testing.TestClock;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroup;
import dev.wci.core.version.TaskQueueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * The scaler's invariants, checked over many randomized runs: random signals, ticks, worker reports
 * and provider outcomes (accepted, throttled, not found, unavailable) on a simulated clock, under
 * random caps, rates and budgets.
 */
class ScalerInvariantsTest {

    private static final List<DeploymentVersion> VERSIONS = List.of(
            new DeploymentVersion("a", "1"), new DeploymentVersion("a", "2"), new DeploymentVersion("b", "1"));
    private static final Duration TIMEOUT = Duration.ofSeconds(300);

    /** One sent request and what the run did about it. */
    record Sent(long at, InvocationRequest request) {
    }

    /** Everything a run produced, for the invariant checks and the determinism check. */
    record Run(List<Sent> sent, List<ScaleDecision> decisions, List<String> violations) {
    }

    /** A provider that answers each request at the next step, with a scripted random outcome. */
    static final class ScriptedProvider implements ComputeProvider {
        final List<InvocationRequest> requests = new ArrayList<>();
        final List<CompletableFuture<List<InvocationResult>>> open = new ArrayList<>();

        @Override
        public String type() {
            return "test";
        }

        @Override
        public CompletionStage<TargetValidation> validate(ComputeTarget target, DeploymentVersion version) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletionStage<List<InvocationResult>> invoke(InvocationRequest request) {
            requests.add(request);
            CompletableFuture<List<InvocationResult>> f = new CompletableFuture<>();
            open.add(f);
            return f;
        }
    }

    static Run run(long seed, int steps, ScalingPolicy policy, boolean fullLifetimes) {
        SplittableRandom rnd = new SplittableRandom(seed);
        TestClock clock = new TestClock();
        AtomicLong ids = new AtomicLong();
        DecisionAudit audit = new DecisionAudit(10_000);
        ReactiveScaler scaler = new ReactiveScaler(policy, new Limits(policy, new SplittableRandom(seed)), audit,
                clock, () -> "i" + ids.incrementAndGet());
        Map<ComputeTarget, ScalingGroup> groups = new HashMap<>();
        for (DeploymentVersion v : VERSIONS) {
            ScalingGroup g = Fixtures.group(v);
            groups.put(g.target(), g);
            scaler.register(g, dev.wci.core.compute.TargetFacts.ofTimeout(TIMEOUT));
        }
        ScriptedProvider provider = new ScriptedProvider();
        List<Sent> sent = new ArrayList<>();
        List<ScaleDecision> decisions = new ArrayList<>();
        InvokeObserver observer = new InvokeObserver() {
            @Override
            public void sent(ScaleDecision decision) {
                decisions.add(decision);
            }
        };
        ControlLoop loop = new ControlLoop(scaler, new InvokeExecutor(Map.of("test", provider), scaler, observer,
                clock, 64));
        List<String> violations = new ArrayList<>();
        Map<ComputeTarget, Long> invalidSince = new HashMap<>();
        Map<ComputeTarget, Long> backoffUntil = new HashMap<>();
        List<String[]> liveIds = new ArrayList<>();
        int answered = 0;
        int checkedDecisions = 0;
        for (int step = 0; step < steps; step++) {
            clock.advanceMillis(rnd.nextLong(0, 3000));
            long now = clock.millis();
            // Answer what was sent last step.
            while (answered < provider.open.size()) {
                InvocationRequest r = provider.requests.get(answered);
                List<InvocationResult> results = new ArrayList<>();
                int roll = rnd.nextInt(100);
                for (String id : r.invocationIds()) {
                    if (fullLifetimes || roll < 70) {
                        results.add(new InvocationResult.Accepted(id, clock.instant()));
                    } else if (roll < 85) {
                        Duration retry = Duration.ofMillis(rnd.nextLong(0, 5000));
                        results.add(new InvocationResult.Failed(id,
                                ComputeFailure.throttled("ConcurrentInvocationLimitExceeded", retry, "throttled")));
                        backoffUntil.merge(r.target(), now + retry.toMillis(), Math::max);
                    } else if (roll < 92) {
                        results.add(new InvocationResult.Failed(id,
                                ComputeFailure.of(FailureClass.UNAVAILABLE, "503")));
                    } else {
                        results.add(new InvocationResult.Failed(id,
                                ComputeFailure.of(FailureClass.NOT_FOUND, "gone")));
                        invalidSince.putIfAbsent(r.target(), now);
                    }
                }
                provider.open.get(answered).complete(results);
                answered++;
            }
            DeploymentVersion v = VERSIONS.get(rnd.nextInt(VERSIONS.size()));
            int action = rnd.nextInt(100);
            if (action < 40) {
                loop.accept(new SyncMatchFailure(v, "q", TaskQueueType.ACTIVITY, rnd.nextLong(1, 400),
                        rnd.nextInt(20) == 0 ? 1 : 0, clock.instant(), Origin.PUSH));
            } else if (action < 65) {
                loop.accept(new BacklogObservation(v, "q", TaskQueueType.ACTIVITY, rnd.nextLong(0, 2000),
                        Duration.ofSeconds(rnd.nextLong(0, 60)), rnd.nextDouble() * 100, rnd.nextDouble() * 100,
                        rnd.nextInt(10) == 0, clock.instant(), Duration.ofMillis(rnd.nextLong(0, 10_000))));
            } else if (action < 90) {
                loop.tick();
            } else if (action < 95 && !fullLifetimes) {
                ComputeTarget t = Fixtures.target(v);
                scaler.onValidation(groups.get(t).id(), new TargetValidation.Valid(
                        dev.wci.core.compute.TargetFacts.ofTimeout(TIMEOUT), List.of(), clock.instant()));
                invalidSince.remove(t);
            } else if (!fullLifetimes && !decisions.isEmpty()) {
                ScaleDecision d = decisions.get(rnd.nextInt(decisions.size()));
                String id = d.invocationIds().get(rnd.nextInt(d.count()));
                if (rnd.nextBoolean()) {
                    scaler.onWorkerReady(d.group(), id, clock.instant());
                } else {
                    scaler.onWorkerEnded(d.group(), id, clock.instant(), rnd.nextBoolean());
                }
            }
            // Invariants over what was sent during this step.
            for (; checkedDecisions < decisions.size(); checkedDecisions++) {
                ScaleDecision d = decisions.get(checkedDecisions);
                sent.add(new Sent(now, provider.requests.get(checkedDecisions)));
                if (invalidSince.containsKey(d.target())) {
                    violations.add("invoked invalid target " + d.target() + " at " + now);
                }
                if (backoffUntil.getOrDefault(d.target(), Long.MIN_VALUE) > now) {
                    violations.add("invoked " + d.target() + " during backoff at " + now);
                }
                // A backlog-trend decision goes beyond the estimate on purpose: the observed trend says it is wrong;
                // so does an unmatched one (tasks failed with every worker ready), by one worker.
                if (d.reason() != DecisionReason.BACKLOG_TREND && d.reason() != DecisionReason.UNMATCHED
                        && d.inputs().live().lasting() + d.count() > d.inputs().desired()) {
                    violations.add("re-invoked for covered demand: " + d);
                }
                if (d.reason() == DecisionReason.UNMATCHED && d.requested() != 1) {
                    violations.add("unmatched tasks asked for more than one worker: " + d);
                }
                if (d.count() > d.requested()) {
                    violations.add("granted more than requested: " + d);
                }
            }
            int total = 0;
            for (GroupStatus s : scaler.status()) {
                total += s.live().live();
                if (s.live().live() > policy.maxWorkersPerVersion()) {
                    violations.add("version cap exceeded: " + s);
                }
            }
            if (total > policy.maxWorkersTotal()) {
                violations.add("total cap exceeded: " + total + " at " + now);
            }
        }
        return new Run(sent, decisions, violations.subList(0, Math.min(5, violations.size())));
    }

    static ScalingPolicy policy(int perVersion, int total, int rate, int budgetWorkers) {
        return ScalingPolicy.builder().maxWorkersPerVersion(perVersion).maxWorkersTotal(total)
                .invokeRatePerTarget(rate).invokeBurstPerTarget(rate * 2)
                .budgetPerVersion(budgetWorkers * TIMEOUT.toSeconds() * 2.5)
                .budgetTotal(budgetWorkers * TIMEOUT.toSeconds() * 4).build();
    }

    @Property(tries = 150)
    void neverInvalidTargetNeverDuringBackoffNeverCoveredDemandNeverPastCaps(
            @ForAll @LongRange(min = 0, max = 1_000_000) long seed,
            @ForAll @IntRange(min = 1, max = 40) int perVersion,
            @ForAll @IntRange(min = 1, max = 60) int total,
            @ForAll @IntRange(min = 1, max = 50) int rate,
            @ForAll @IntRange(min = 1, max = 100) int budgetWorkers) {
        Run r = run(seed, 300, policy(perVersion, total, rate, budgetWorkers), false);
        assertEquals(List.of(), r.violations());
    }

    @Property(tries = 100)
    void neverSpendsPastTheBudgetInAnyRollingHour(
            @ForAll @LongRange(min = 0, max = 1_000_000) long seed,
            @ForAll @IntRange(min = 1, max = 30) int budgetWorkers) {
        // Every invocation is accepted and runs its whole lifetime: the net charge is the gross charge.
        ScalingPolicy p = ScalingPolicy.builder().workerIdleExit(Duration.ZERO)
                .budgetPerVersion(budgetWorkers * TIMEOUT.toSeconds()).budgetTotal(Double.POSITIVE_INFINITY).build();
        Run r = run(seed, 2000, p, true);
        assertEquals(List.of(), r.violations());
        Map<DeploymentVersion, TreeMap<Long, Double>> perMinute = new HashMap<>();
        for (Sent s : r.sent()) {
            perMinute.computeIfAbsent(s.request().group().version(), k -> new TreeMap<>())
                    .merge(Math.floorDiv(s.at(), 60_000L), s.request().count() * (double) TIMEOUT.toSeconds(),
                            Double::sum);
        }
        for (var e : perMinute.entrySet()) {
            for (long m : e.getValue().keySet()) {
                double hour = e.getValue().subMap(m - 59, true, m, true).values().stream()
                        .mapToDouble(Double::doubleValue).sum();
                assertTrue(hour <= p.budgetPerVersion() + 1e-6,
                        e.getKey() + " spent " + hour + " > " + p.budgetPerVersion() + " in the hour to minute " + m);
            }
        }
    }

    @Property(tries = 30)
    void sameSeedSameDecisions(@ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
        ScalingPolicy p = policy(20, 40, 20, 50);
        Run a = run(seed, 400, p, false);
        Run b = run(seed, 400, p, false);
        assertEquals(a.decisions(), b.decisions());
        assertEquals(a.sent(), b.sent());
    }
}
