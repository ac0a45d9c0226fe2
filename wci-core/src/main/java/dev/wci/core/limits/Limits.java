package dev.wci.core.limits;

import dev.wci.core.compute.ComputeFailure;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.scaling.ScalingPolicy;
import dev.wci.core.version.DeploymentVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Every limit on invocations, enforced in one place: circuit (open, half-open probe, ramp), throttle backoff, worker
 * caps, invoke rate and budgets. {@link #admit} trims a request and consumes what it grants (rate tokens, budget, the
 * circuit's probe). Whatever the failure mix, no more invocations are granted than the invoke-rate bucket holds.
 * Not thread-safe: the scaler confines it.
 */
public final class Limits {

    private final ScalingPolicy policy;
    private final RandomGenerator random;
    private final Map<ComputeTarget, TargetLimits> targets = new HashMap<>();
    private final Map<DeploymentVersion, BudgetWindow> versionBudgets = new HashMap<>();
    /** Per-version and per-target policies where they differ from the global one (deployment overrides). */
    private final Map<DeploymentVersion, ScalingPolicy> versionPolicies = new HashMap<>();
    private final Map<ComputeTarget, ScalingPolicy> targetPolicies = new HashMap<>();
    private final BudgetWindow totalBudget;

    public Limits(ScalingPolicy policy, RandomGenerator random) {
        this.policy = policy;
        this.random = random;
        this.totalBudget = new BudgetWindow(policy.budgetTotal());
    }

    /** Per-target limiter state. */
    public final class TargetLimits {
        private final TokenBucket invokeRate;
        private final ThrottleBackoff backoff;
        private final TargetCircuit circuit;
        private final InvokeLoopGuard invokeLoop = new InvokeLoopGuard();

        private TargetLimits(ScalingPolicy policy, long nowMillis) {
            invokeRate = new TokenBucket(policy.invokeRatePerTarget(), policy.invokeBurstPerTarget(), nowMillis);
            backoff = new ThrottleBackoff(policy.backoffBase(), policy.backoffMax(), policy.backoffJitter(), random);
            // Probes of an invalid target wait like throttle backoffs; the ramp ends at the burst, where the rate
            // bucket alone governs.
            circuit = new TargetCircuit(policy.backoffBase().toMillis(), policy.backoffMax().toMillis(),
                    policy.invokeBurstPerTarget());
        }

        public ThrottleBackoff backoff() {
            return backoff;
        }

        public TargetCircuit circuit() {
            return circuit;
        }

        public InvokeLoopGuard invokeLoop() {
            return invokeLoop;
        }

        public int invokeTokens(long nowMillis) {
            return invokeRate.available(nowMillis);
        }
    }

    /**
     * Uses {@code versionPolicy} (a deployment's overrides) for the version's cap and budget and for the target's
     * invoke rate and backoff. Limiter state already built for them is kept; a changed budget limit takes effect
     * for a version seen for the first time.
     */
    public void configure(DeploymentVersion version, ComputeTarget target, ScalingPolicy versionPolicy) {
        versionPolicies.put(version, versionPolicy);
        targetPolicies.put(target, versionPolicy);
    }

    private ScalingPolicy policyOf(DeploymentVersion version) {
        return versionPolicies.getOrDefault(version, policy);
    }

    public TargetLimits target(ComputeTarget target, long nowMillis) {
        return targets.computeIfAbsent(target, t -> new TargetLimits(targetPolicies.getOrDefault(t, policy), nowMillis));
    }

    public BudgetWindow versionBudget(DeploymentVersion version) {
        return versionBudgets.computeIfAbsent(version, v -> new BudgetWindow(policyOf(v).budgetPerVersion()));
    }

    public BudgetWindow totalBudget() {
        return totalBudget;
    }

    /**
     * Trims {@code requested} workers by every limit and consumes what is granted.
     *
     * @param versionLive live workers of the version now (starting + ready)
     * @param totalLive   live workers over all versions now
     * @param costEach    worker-seconds one worker may spend (its full lifetime), charged to the budgets
     */
    public Admission admit(ComputeTarget target, DeploymentVersion version, int requested, int versionLive,
                           int totalLive, double costEach, long nowMillis) {
        TargetLimits t = target(target, nowMillis);
        List<LimitTrim> trims = null;
        int n = requested;
        if (t.circuit.isOpen()) {
            // Validated and past its probe wait, an open circuit lets one probe through: it is half-open from then.
            int probe = t.circuit.allowed(n, nowMillis);
            trims = trim(trims, probe == 0 ? LimitKind.CIRCUIT_OPEN : LimitKind.CIRCUIT_HALF_OPEN, n, probe);
            n = probe;
        }
        if (n > 0 && t.invokeLoop.isSuspect()) {
            int probe = t.invokeLoop.allowed(n, nowMillis);
            trims = trim(trims, LimitKind.INVOKE_LOOP_SUSPECT, n, probe);
            n = probe;
        }
        if (n > 0 && t.backoff.blocked(nowMillis)) {
            trims = trim(trims, LimitKind.THROTTLE_BACKOFF, n, 0);
            n = 0;
        }
        if (n > 0 && !t.circuit.isOpen() && t.circuit.state() != TargetCircuit.State.CLOSED) {
            // Recorded even when nothing is cut, so that the audit says a decision was a probe or a ramp step.
            int allowed = t.circuit.allowed(n, nowMillis);
            LimitKind kind = t.circuit.state() == TargetCircuit.State.RAMPING
                    ? LimitKind.CIRCUIT_RAMP : LimitKind.CIRCUIT_HALF_OPEN;
            trims = trim(trims, kind, n, allowed);
            n = allowed;
        }
        int versionRoom = Math.max(0, policyOf(version).maxWorkersPerVersion() - versionLive);
        if (n > versionRoom) {
            trims = trim(trims, LimitKind.VERSION_CAP, n, versionRoom);
            n = versionRoom;
        }
        int totalRoom = Math.max(0, policy.maxWorkersTotal() - totalLive);
        if (n > totalRoom) {
            trims = trim(trims, LimitKind.TOTAL_CAP, n, totalRoom);
            n = totalRoom;
        }
        BudgetWindow vb = versionBudget(version);
        int affordable = vb.affordable(n, costEach, nowMillis);
        if (affordable < n) {
            trims = trim(trims, LimitKind.VERSION_BUDGET, n, affordable);
            n = affordable;
        }
        affordable = totalBudget.affordable(n, costEach, nowMillis);
        if (affordable < n) {
            trims = trim(trims, LimitKind.TOTAL_BUDGET, n, affordable);
            n = affordable;
        }
        // The rate bucket is consumed last, so that no token is spent on a worker another limit refuses.
        int tokens = t.invokeRate.take(n, nowMillis);
        if (tokens < n) {
            trims = trim(trims, LimitKind.INVOKE_RATE, n, tokens);
            n = tokens;
        }
        if (n > 0) {
            t.circuit.sent(nowMillis);
            vb.charge(n * costEach, nowMillis);
            totalBudget.charge(n * costEach, nowMillis);
        }
        return new Admission(requested, n, trims == null ? List.of() : trims);
    }

    /** Returns budget a worker did not use (it ended early or never started). */
    public void refund(DeploymentVersion version, double workerSeconds, long chargedAtMillis, long nowMillis) {
        versionBudget(version).refund(workerSeconds, chargedAtMillis, nowMillis);
        totalBudget.refund(workerSeconds, chargedAtMillis, nowMillis);
    }

    /**
     * A request decided at {@code decidedAtMillis} was throttled or failed transiently: backs off (honouring
     * {@code retryAfter} up to the maximum backoff), and the next admission after the backoff is one probe.
     *
     * @return the backoff applied
     */
    public Duration onThrottled(ComputeTarget target, Duration retryAfter, long decidedAtMillis, long nowMillis) {
        return onThrottled(target, retryAfter, false, decidedAtMillis, nowMillis);
    }

    /**
     * {@link #onThrottled(ComputeTarget, Duration, long, long)}; {@code full} when the throttle said the account's (or
     * the function's reserved) concurrency is used up, whose backoff is capped lower
     * ({@link ThrottleBackoff#FULL_ACCOUNT_MAX_MILLIS}).
     */
    public Duration onThrottled(ComputeTarget target, Duration retryAfter, boolean full, long decidedAtMillis,
                                long nowMillis) {
        TargetLimits t = target(target, nowMillis);
        t.circuit.transientFailure(decidedAtMillis);
        return Duration.ofMillis(t.backoff.onThrottle(nowMillis, retryAfter, full));
    }

    /** A request decided at {@code decidedAtMillis} was accepted: resets the backoff, and ramps a half-open target on. */
    public void onAccepted(ComputeTarget target, long decidedAtMillis, long nowMillis) {
        TargetLimits t = target(target, nowMillis);
        t.backoff.onSuccess();
        t.circuit.accepted(decidedAtMillis);
    }

    /** A request decided at {@code decidedAtMillis} ended without a verdict on the target (e.g. an internal error). */
    public void onInconclusive(ComputeTarget target, long decidedAtMillis, long nowMillis) {
        target(target, nowMillis).circuit.released(decidedAtMillis);
    }

    /** A request decided at {@code decidedAtMillis} found the target invalid, or (decided now) a validation failed. */
    public void openCircuit(ComputeTarget target, ComputeFailure failure, long decidedAtMillis, long nowMillis) {
        target(target, nowMillis).circuit.open(failure, decidedAtMillis, nowMillis);
    }

    /** The target validated: an open circuit may send one probe (see {@link TargetCircuit}); it does not close. */
    public void onValidated(ComputeTarget target, long nowMillis) {
        target(target, nowMillis).circuit.validated();
    }

    /** The target's invocations do not lead to progress: hold it back (see {@link InvokeLoopGuard}). */
    public void suspectInvokeLoop(ComputeTarget target, String reason, long nowMillis) {
        target(target, nowMillis).invokeLoop.suspect(reason, nowMillis);
    }

    /** The target's workers made progress: clear any invoke-loop suspicion. */
    public void clearInvokeLoop(ComputeTarget target, long nowMillis) {
        target(target, nowMillis).invokeLoop.clear();
    }

    private static List<LimitTrim> trim(List<LimitTrim> trims, LimitKind kind, int before, int after) {
        List<LimitTrim> list = trims == null ? new ArrayList<>(2) : trims;
        list.add(new LimitTrim(kind, before, after));
        return list;
    }
}
