package dev.wci.core.scaling;

import dev.wci.core.audit.DecisionAudit;
import dev.wci.core.census.CensusSink;
import dev.wci.core.census.CensusSnapshot;
import dev.wci.core.census.CensusStatus;
import dev.wci.core.census.CensusWorker;
import dev.wci.core.compute.ComputeFailure;
import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.compute.TargetFacts;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.limits.Admission;
import dev.wci.core.limits.Limits;
import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.signal.MatchingSignal;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroup;
import dev.wci.core.version.ScalingGroupId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Decides how many workers to invoke, per scaling group, from matching signals (docs/scaler.md).
 *
 * <ul>
 *   <li>A sync-match failure with no live worker invokes at once (scale from zero).</li>
 *   <li>Workers needed = ceil((arrival rate / target utilization + backlog when ready / drain target) /
 *       per-worker throughput), the backlog projected one cold start ahead; it invokes needed − live, so
 *       demand already covered by starting workers never invokes again.</li>
 *   <li>A task that fails to match while the ledger's ready workers would be lightly loaded ends those the
 *       load cannot keep busy: they exited idle unseen.</li>
 *   <li>While demand persists, workers that stop before a replacement could be ready do not count:
 *       replacements are invoked one cold start ahead (refresh).</li>
 *   <li>Nothing is invoked while the queue's own rate limit is active, or beyond any limit
 *       ({@link Limits}).</li>
 * </ul>
 *
 * <p>The ledger is fed by facts through the worker census ({@link CensusSink}): an invocation is starting until
 * the census lists its worker (matched by the provider's request id), ready while it is listed as running, and
 * ended once it is listed as shutting down or gone; one never listed within a bound is a failed start. While a
 * group's census is live, counts come from it alone: the model's idle-exit prediction and its phantom rule are
 * off, a listed worker near its poll end holds no cap slot against its replacement (an unseen one keeps it), and
 * workers the census lists that this process did not invoke count as capacity. While reads fail for a passing
 * reason (Temporal unreachable) the last facts are held, and after such an outage absence ends a listed worker only
 * after a grace ({@link CensusPolicy}). Without a live census the model decides, as before.
 *
 * <p>Invoking decisions reserve their workers in the group's {@link Ledger} before they are returned, so
 * the caller may execute them asynchronously; results come back through {@link #onInvocationResult}.
 * Every invoking or limited decision goes to the {@link DecisionAudit}. All methods are thread-safe
 * (one lock: decisions are cheap, so the lock is held briefly); time comes only from the injected clock.
 */
public final class ReactiveScaler implements CensusSink {

    private static final String TRIGGER_SIGNAL = "signal";
    private static final String TRIGGER_TICK = "tick";
    private static final String TRIGGER_BOOTSTRAP = "bootstrap";
    /** A hold for the same reason is recorded in the audit at most this often per group. */
    private static final long HOLD_AUDIT_INTERVAL_MILLIS = 10_000;
    /** Window over which the failure stream is read as an arrival rate. */
    private static final long FAILURE_RATE_WINDOW_MILLIS = 10_000;
    /** How often, at most, the claimants on the total cap are pruned of those whose failures aged out. */
    private static final long CLAIMANTS_PRUNE_MILLIS = 1_000;
    /**
     * While workers are ready, failures are read as a rate only once they span this long: a second or two of
     * failures is how random arrivals look at a healthy utilization, and a worker invoked for it would stay.
     */
    static final long SUSTAINED_FAILURE_MILLIS = 5_000;
    /**
     * While no worker is ready and the per-worker throughput is measured, a failure stream is read as a rate over
     * at least this long. A measured pace sizes the stream's share in full (the unproven default's cap no longer
     * holds it), so the first second's count sizes the fleet, and a count that came high (random arrivals) starts
     * workers that the spread-out tasks then keep from exiting idle: seed 2 #115 of the random benchmark (on-off
     * over 7 versions, 3 slots, measured 0.5 tasks/s per worker) started 46 workers for one version one second into
     * an on-phase, on 12 failures where about 4 a second arrive. Read over 2 s, a first second's count counts half
     * (the unmatched and trend rules still add workers if it was right), and from the second second on in full. A
     * stream sized on the default is left as it was: its cap bounds the error already, and the floor there cost
     * in-band share (on the random benchmark, seed 2: 75.5 -> 74.5 %).
     */
    static final long MEASURED_FAILURE_SPAN_MILLIS = 2_000;
    /**
     * A task that fails to match while the ledger's ready workers would be busy less than this share of their
     * capacity says most of them are gone: workers with many slots are almost never all full at such a load.
     */
    static final double PHANTOM_UTILIZATION = 0.3;
    /**
     * Accepted invocations followed by this long (plus a cold start) of backlog that neither shrinks nor gets
     * dispatched mark the target as an invoke loop.
     */
    static final long INVOKE_LOOP_GRACE_MILLIS = InvokeLoopDetector.GRACE_MILLIS;
    /**
     * A window whose dispatch is below this share of what the claimed-ready workers would do at the current
     * estimate is a stall: the belief that they are ready is wrong, and nothing is learned from it.
     */
    static final double STALL_DISPATCH_SHARE = 0.01;

    private final ScalingPolicy policy;
    private final Limits limits;
    private final DecisionAudit audit;
    private final Clock clock;
    private final Supplier<String> invocationIds;
    private final CensusPolicy censusPolicy;
    private final ScalerObserver observer;

    private final Map<ScalingGroupId, GroupState> groups = new LinkedHashMap<>();
    private final Map<DeploymentVersion, GroupState[]> byVersion = new HashMap<>();
    /**
     * The groups whose tasks failed to match within {@link #FAILURE_RATE_WINDOW_MILLIS} (the claimants on the total
     * cap, {@link #othersShares}), each once ({@code GroupState.claimant}), plus some whose failures aged since the
     * last {@link #pruneClaimants}: kept apart so a decision walks these, not every group (at 10 000 versions under a
     * binding cap, a walk of every group per decision cut the signal rate 36-fold).
     */
    private final ArrayList<GroupState> claimants = new ArrayList<>();
    private long claimantsPrunedAt = Long.MIN_VALUE;
    private int totalLive;
    private long ignoredSignals;

    /**
     * @param invocationIds supplies a unique id per invoked worker
     */
    public ReactiveScaler(ScalingPolicy policy, Limits limits, DecisionAudit audit, Clock clock,
                          Supplier<String> invocationIds) {
        this(policy, limits, audit, clock, invocationIds, CensusPolicy.defaults(), ScalerObserver.NONE);
    }

    /**
     * @param invocationIds supplies a unique id per invoked worker
     * @param censusPolicy  how the worker census is used
     * @param observer      hears workers seen, adopted and failed starts (outside the lock)
     */
    public ReactiveScaler(ScalingPolicy policy, Limits limits, DecisionAudit audit, Clock clock,
                          Supplier<String> invocationIds, CensusPolicy censusPolicy, ScalerObserver observer) {
        this.policy = policy;
        this.limits = limits;
        this.audit = audit;
        this.clock = clock;
        this.invocationIds = invocationIds;
        this.censusPolicy = censusPolicy;
        this.observer = observer;
    }

    /** Starts managing a group with the scaler's policy. See {@link #register(ScalingGroup, TargetFacts, ScalingPolicy)}. */
    public synchronized void register(ScalingGroup group, TargetFacts facts) {
        register(group, facts, policy);
    }

    /**
     * Starts managing a group whose target validated with {@code facts}, sized and limited by {@code groupPolicy}
     * (e.g. a deployment's overrides); the totals (overall cap and budget) always come from the scaler's policy.
     * Re-registering replaces the group.
     */
    public synchronized void register(ScalingGroup group, TargetFacts facts, ScalingPolicy groupPolicy) {
        unregister(group.id());
        limits.configure(group.id().version(), group.target(), groupPolicy);
        GroupState g = new GroupState(group, facts, groupPolicy);
        groups.put(group.id(), g);
        GroupState[] existing = byVersion.get(group.id().version());
        GroupState[] updated = existing == null ? new GroupState[1] : Arrays.copyOf(existing, existing.length + 1);
        updated[updated.length - 1] = g;
        byVersion.put(group.id().version(), updated);
    }

    /** Stops managing a group. Its workers end by themselves; they leave the total count. */
    public synchronized void unregister(ScalingGroupId id) {
        GroupState g = groups.remove(id);
        if (g == null) {
            return;
        }
        totalLive -= g.liveCounted;
        if (g.claimant) {
            claimants.remove(g);
        }
        GroupState[] list = byVersion.get(id.version());
        GroupState[] kept = Arrays.stream(list).filter(s -> s != g).toArray(GroupState[]::new);
        if (kept.length == 0) {
            byVersion.remove(id.version());
        } else {
            byVersion.put(id.version(), kept);
        }
    }

    /**
     * A validation result for a group's target: valid updates its facts and lets an open circuit send one probe (it
     * does not close it: validation cannot see every fault of Invoke); invalid opens it.
     */
    public synchronized void onValidation(ScalingGroupId id, TargetValidation validation) {
        GroupState g = groups.get(id);
        if (g == null) {
            return;
        }
        long now = clock.millis();
        if (validation instanceof TargetValidation.Valid v) {
            g.facts = v.facts();
            limits.onValidated(g.group.target(), now);
        } else if (validation instanceof TargetValidation.Invalid inv && inv.failure().failureClass().opensCircuit()) {
            // Only a failure about the target itself; a throttled or unreachable control plane says nothing of it.
            limits.openCircuit(g.group.target(), inv.failure(), now, now);
        }
    }

    /**
     * One worker for a version whose task queues Temporal does not list yet (no worker ever polled them, so no
     * signal can arrive): its first poll registers them. Nothing when a worker is already live or starting,
     * or when a limit refuses.
     *
     * @return the invoking decision, its worker reserved, or empty
     */
    public synchronized Optional<ScaleDecision> bootstrap(ScalingGroupId id) {
        GroupState g = groups.get(id);
        if (g == null) {
            return Optional.empty();
        }
        long now = clock.millis();
        prune(g, now);
        LiveWorkers live = liveWorkers(g, now);
        if (live.live() > 0) {
            return Optional.empty();
        }
        DecisionInputs inputs = new DecisionInputs(TRIGGER_BOOTSTRAP, 0, 0, g.throughput.value(), g.coldStartMillis, 1,
                live, false, censusLive(g, now), adopted(g, now));
        return Optional.ofNullable(admitAndReserve(g, now, 1, live, DecisionReason.BOOTSTRAP, inputs));
    }

    /**
     * Takes a signal and decides at once for the group it concerns.
     *
     * @return an invoking decision whose workers are already reserved, or empty
     */
    public synchronized Optional<ScaleDecision> onSignal(MatchingSignal signal) {
        GroupState g = groupFor(signal);
        if (g == null) {
            ignoredSignals++;
            return Optional.empty();
        }
        long now = clock.millis();
        // Workers already predicted gone stay gone: prune before new demand moves the idle prediction.
        prune(g, now);
        QueueDemand q = g.queue(signal.taskQueue(), signal.type());
        if (signal instanceof SyncMatchFailure f) {
            long at = Math.min(now, f.observedAt().toEpochMilli());
            if (f.notMatchedCount() > 0) {
                forgetPhantoms(g, now);
                if (liveWorkers(g, now).live() == 0 && g.lastDemandAt < at - QueueDemand.RATE_WINDOW_MILLIS) {
                    // No worker and no demand for a whole rate window: nothing arrived before this failure (it
                    // would have failed too), so the next add rates describe a shorter time than their window.
                    g.arrivalsFrom = at - QueueDemand.SIGNAL_DELAY_MILLIS;
                    // A queue never used, or idle long enough for Temporal to have unloaded it, starts its rate
                    // trackers with this activity's first task: its rates are not diluted over 30 s.
                    g.ratesFrom = g.lastDemandAt < at - QueueDemand.TRACKER_IDLE_UNLOAD_MILLIS ? at : Long.MIN_VALUE;
                }
                // Read only while the default is unproven: afterwards it has no use (and it costs a ledger walk).
                long readyAt = at - QueueDemand.SIGNAL_DELAY_MILLIS;
                if (!g.shortWhileReady && g.throughput.prior()
                        && g.ledger.firstReady(readyAt, readyAt + 1, view(g, now)) != Long.MAX_VALUE) {
                    shortWhileReady(g, at);
                }
                q.fail(at, f.notMatchedCount(), f.origin());
                g.lastDemandAt = Math.max(g.lastDemandAt, at);
                g.lastFailureAt = Math.max(g.lastFailureAt, at);
                if (!g.claimant) {
                    g.claimant = true;
                    claimants.add(g);
                }
            }
            if (f.rateLimitedCount() > 0) {
                q.rateLimitedAtMillis = Math.max(q.rateLimitedAtMillis, at);
            }
        } else if (signal instanceof BacklogObservation o) {
            long asOf = o.asOf().toEpochMilli();
            checkProgress(g, q.observation, o, asOf, now);
            q.observe(o, o.observedAt().toEpochMilli(), asOf);
            // Serving: tasks dispatched, or (long tasks may dispatch nothing for a whole rate window) workers the
            // census lists for this very version, which an invoke loop's workers are not.
            boolean serving = o.dispatchRate() > 0 || (censusLive(g, now) && liveWorkers(g, now).ready() > 0);
            g.trend.observe(asOf, o.observedAt().toEpochMilli() - STATS_MAX_STALENESS_MILLIS, observedBacklog(g, now),
                    serving, g.drainMillis,
                    Math.max(TREND_MIN_SPAN_MILLIS, Math.min(TREND_MAX_SPAN_MILLIS, g.coldStartMillis)));
            trustTheTrend(g, now);
            if ((o.backlogCount() > 0 || o.addRate() > 0) && q.fresh(now, g.observationMaxAgeMillis)) {
                // Tasks waiting or arriving: demand goes on now. Dating it at the stale as-of time would
                // make busy workers look idle whenever the staleness exceeds their idle exit.
                g.lastDemandAt = Math.max(g.lastDemandAt, now);
            }
            learnThroughput(g, now);
        }
        if (signal instanceof SyncMatchFailure f) {
            int overdue = overdue(g, f, now);
            return Optional.ofNullable(evaluate(g, now, TRIGGER_SIGNAL,
                    overdue > 0 ? f.notMatchedCount() : unmatched(g, f, now), overdue));
        }
        return Optional.ofNullable(evaluate(g, now, TRIGGER_SIGNAL, 0, 0));
    }

    /**
     * Re-evaluates every group: refreshes expiring workers, retries after a backoff, drops ended
     * workers from the ledgers (refunding unused budget). Call it periodically (e.g. every 250 ms).
     */
    public synchronized List<ScaleDecision> tick() {
        long now = clock.millis();
        List<ScaleDecision> out = null;
        for (GroupState g : groups.values()) {
            prune(g, now);
            ScaleDecision d = evaluate(g, now, TRIGGER_TICK, 0, 0);
            if (d != null) {
                if (out == null) {
                    out = new ArrayList<>();
                }
                out.add(d);
            }
        }
        return out == null ? List.of() : out;
    }

    /**
     * The provider's answer for one invocation of a decision. Prefer {@link #onInvocationResults}: a request whose
     * invocations are all throttled is one throttle, not one per invocation.
     */
    public synchronized void onInvocationResult(ScaleDecision decision, InvocationResult result) {
        onInvocationResults(decision, List.of(result));
    }

    /**
     * The provider's answers for the invocations of one decision. Failed invocations leave the ledger and return
     * their budget. For the target, the request counts once: an invalid-target failure opens the circuit; else a
     * throttle or transient failure starts (or lengthens by one step) the backoff, honouring the longest
     * retry-after up to the maximum backoff, and the target is half-open after it; else an accepted request resets
     * the backoff and ramps a half-open target on.
     *
     * @return the backoff this request started, or empty
     */
    public synchronized Optional<Duration> onInvocationResults(ScaleDecision decision, List<InvocationResult> results) {
        long now = clock.millis();
        GroupState g = groups.get(decision.group());
        ComputeFailure invalid = null;
        ComputeFailure transientFailure = null;
        boolean accepted = false;
        boolean full = true; // every transient failure said the concurrency is used up
        for (InvocationResult result : results) {
            if (result instanceof InvocationResult.Accepted a) {
                accepted = true;
                if (g != null) {
                    identify(g, a);
                    g.invokeLoop.accepted(now);
                }
                continue;
            }
            ComputeFailure failure = ((InvocationResult.Failed) result).failure();
            if (g != null) {
                LedgerEntry e = g.ledger.remove(result.invocationId());
                if (e != null) {
                    limits.refund(decision.group().version(), e.chargedSeconds(), e.invokedAt(), now);
                    if (g.liveCounted > 0) {
                        g.liveCounted--;
                        totalLive--;
                    }
                }
            }
            if (failure.failureClass().opensCircuit()) {
                invalid = failure;
            } else if (failure.failureClass() == FailureClass.THROTTLED
                    || failure.failureClass() == FailureClass.UNAVAILABLE) {
                full &= failure.failureClass() == FailureClass.THROTTLED && failure.reason() != null
                        && failure.reason().contains(CONCURRENCY_THROTTLE);
                if (transientFailure == null || longer(failure.retryAfter(), transientFailure.retryAfter())) {
                    transientFailure = failure;
                }
            }
        }
        long decidedAt = decision.decidedAt().toEpochMilli();
        if (invalid != null) {
            limits.openCircuit(decision.target(), invalid, decidedAt, now);
        } else if (transientFailure != null) {
            return Optional.of(limits.onThrottled(decision.target(), transientFailure.retryAfter(), full, decidedAt,
                    now));
        } else if (accepted) {
            limits.onAccepted(decision.target(), decidedAt, now);
        } else {
            limits.onInconclusive(decision.target(), decidedAt, now);
        }
        return Optional.empty();
    }

    private static boolean longer(Duration a, Duration b) {
        return a != null && (b == null || a.compareTo(b) > 0);
    }

    /** A worker reported that it polls: its readiness is known, and the cold-start estimate learns from it. */
    public synchronized void onWorkerReady(ScalingGroupId id, String invocationId, Instant at) {
        GroupState g = groups.get(id);
        if (g == null) {
            return;
        }
        madeProgress(g, clock.millis());
        LedgerEntry e = g.ledger.ready(invocationId, at.toEpochMilli());
        if (e != null) {
            learnColdStart(g, e);
        }
    }

    /**
     * EWMA (weight 0.3) of cold starts, one sample counting at most twice the estimate: a slow start (a few in a
     * hundred take 5-20 times the median) would otherwise multiply it in one step, and with it the time before a
     * starting worker counts as late and the wait before the backlog trend is judged again (a fleet held flat for
     * half a minute while its backlog grew).
     */
    private static void learnColdStart(GroupState g, LedgerEntry e) {
        long sample = Math.min(Math.max(0, e.readyAt() - e.invokedAt()), 2 * g.coldStartMillis);
        g.coldStartMillis = Math.round(0.7 * g.coldStartMillis + 0.3 * sample);
        g.coldStartLearned = true;
    }

    /**
     * A worker reported its exit: it is no longer capacity.
     *
     * @param idle whether it exited for lack of work, which also says its queues were empty
     */
    public synchronized void onWorkerEnded(ScalingGroupId id, String invocationId, Instant at, boolean idle) {
        GroupState g = groups.get(id);
        if (g != null && g.ledger.ended(invocationId, at.toEpochMilli()) != null && idle) {
            long now = clock.millis();
            exitedIdle(g, Math.min(now, at.toEpochMilli()));
            idledOut(g, now);
        }
    }

    /**
     * A worker exited for lack of work at {@code at}, having found its queues empty (the worker library checks the
     * backlog before an idle exit): older failures were served, and stats describing that moment or an earlier one
     * (cached 5-10 s by the server, they still show the drained backlog) count as no stats ({@link QueueDemand#fresh}).
     */
    private static void exitedIdle(GroupState g, long at) {
        g.drainedAt = Math.max(g.drainedAt, at);
        g.lastIdleExitAt = Math.max(g.lastIdleExitAt, at);
        for (int i = 0, n = g.queues.size(); i < n; i++) {
            g.queues.get(i).emptied(at);
        }
    }

    /**
     * After an idle exit: if no worker of the group is left, every one of them ran out of work, so the arrivals the
     * stats' 30 s add rate still counts are over (see {@link QueueDemand#arrivalRate}).
     */
    private void idledOut(GroupState g, long now) {
        if (g.lastIdleExitAt > g.arrivalsEndedAt && liveWorkers(g, now).live() == 0) {
            g.arrivalsEndedAt = g.lastIdleExitAt;
        }
    }

    /**
     * The census of a version was read: its groups' ledgers are reconciled with it (see the class comment), and
     * their counts come from it until it is older than {@link CensusPolicy#maxAge()} (or, while reads fail,
     * {@link CensusPolicy#outageHold()}).
     */
    @Override
    public void onCensus(CensusSnapshot snapshot) {
        List<Consumer<ScalerObserver>> events = new ArrayList<>();
        synchronized (this) {
            reconcile(snapshot, events);
        }
        for (Consumer<ScalerObserver> event : events) {
            event.accept(observer);
        }
    }

    /** The census of a version cannot be read: its groups fall back to the model at once. */
    @Override
    public synchronized void onCensusUnavailable(DeploymentVersion version, String reason) {
        GroupState[] list = byVersion.get(version);
        if (list == null) {
            return;
        }
        for (GroupState g : list) {
            g.censusAsOf = Long.MIN_VALUE;
            g.censusLiveSince = Long.MIN_VALUE;
            g.censusUnavailable = reason;
            g.censusOutageSince = Long.MIN_VALUE;
            g.censusRecoveringUntil = Long.MIN_VALUE;
        }
    }

    /**
     * A read of a version's census failed for a passing reason: its groups hold their last facts (see
     * {@link CensusPolicy#outageHold()}) instead of reading the silence as workers gone.
     */
    @Override
    public synchronized void onCensusReadFailed(DeploymentVersion version, String reason) {
        GroupState[] list = byVersion.get(version);
        if (list == null) {
            return;
        }
        long now = clock.millis();
        for (GroupState g : list) {
            if (g.censusAsOf != Long.MIN_VALUE && g.censusOutageSince == Long.MIN_VALUE) {
                g.censusOutageSince = now;
            }
        }
    }

    private void reconcile(CensusSnapshot snapshot, List<Consumer<ScalerObserver>> events) {
        GroupState[] list = byVersion.get(snapshot.version());
        if (list == null) {
            return;
        }
        long now = clock.millis();
        long asOf = Math.min(now, snapshot.asOf().toEpochMilli());
        for (GroupState g : list) {
            if (asOf < g.censusAsOf) {
                return; // an older read overtaken by a newer one: nothing to learn from it
            }
        }
        Map<String, CensusWorker> unmatched = new HashMap<>();
        for (CensusWorker w : snapshot.workers()) {
            unmatched.put(key(w), w);
        }
        long[] idleExitsBefore = new long[list.length];
        for (int k = 0; k < list.length; k++) {
            idleExitsBefore[k] = list[k].lastIdleExitAt;
        }
        for (GroupState g : list) {
            if (!censusLive(g, now)) {
                g.censusLiveSince = asOf;
            }
            if (g.censusOutageSince != Long.MIN_VALUE) {
                // The first read after an outage: a restarted server lists workers again only as their next
                // heartbeats land, so for a while absence says nothing.
                g.censusRecoveringUntil = asOf + censusPolicy.recoveryGrace().toMillis();
                g.censusOutageSince = Long.MIN_VALUE;
            }
            g.censusAsOf = asOf;
            g.censusUnavailable = null;
            g.slotsPerWorker = fewestSlots(g.slotsPerWorker, snapshot);
            double pace = g.censusPace.add(snapshot);
            if (pace > 0) {
                g.throughput.paced(pace);
            }
            long failedStartMillis = censusPolicy.failedStartMillis(g.coldStartMillis);
            for (int i = 0, n = g.ledger.size(); i < n; i++) {
                LedgerEntry e = g.ledger.get(i);
                CensusWorker w = e.requestId() == null ? null : unmatched.remove(e.requestId());
                if (e.endedAt() <= asOf) {
                    continue;
                }
                if (w != null) {
                    e = seen(g, e, w, asOf, now, events);
                } else if (e.seen()) {
                    if (asOf < g.censusRecoveringUntil) {
                        continue; // not listed yet after an outage: still counts until the grace ends
                    }
                    e = e.ended(asOf); // gone from the census after it had been listed
                } else if (asOf - e.invokedAt() >= failedStartMillis) {
                    if (e.requestId() != null && e.invokedAt() >= g.censusLiveSince) {
                        failedStart(g, e, asOf, now, events);
                    }
                    // Invoked before the census was live (it may have come and gone unseen) or with no request id
                    // to be matched by: given up without blame.
                    e = e.ended(asOf);
                }
                g.ledger.set(i, e);
            }
        }
        for (CensusWorker w : unmatched.values()) {
            if (w.status() == CensusStatus.RUNNING) {
                GroupState g = adoptingGroup(list, w);
                if (g != null) {
                    adopt(g, w, asOf, events);
                }
            }
        }
        for (int k = 0; k < list.length; k++) {
            if (list[k].lastIdleExitAt != idleExitsBefore[k]) {
                idledOut(list[k], now); // only on the read that saw the exit: a fleet that ends later ran to its end
            }
        }
    }

    /**
     * The fewest slots per worker the census has listed for the group, {@code known} included (0: none yet). The
     * fewest: a worker of the group with fewer slots than its peers is the one a backlog-per-slot bound must not
     * overrate (docs/scaler.md).
     */
    private static int fewestSlots(int known, CensusSnapshot snapshot) {
        int fewest = known;
        for (CensusWorker w : snapshot.workers()) {
            if (w.slots() > 0 && (fewest == 0 || w.slots() < fewest)) {
                fewest = w.slots();
            }
        }
        return fewest;
    }

    /** The census lists the worker of {@code e}: it is ready from when the facts say, and ended if it stops. */
    private LedgerEntry seen(GroupState g, LedgerEntry e, CensusWorker w, long asOf, long now,
                             List<Consumer<ScalerObserver>> events) {
        if (!e.seen()) {
            long startedAt = w.startedAt() == null ? asOf : w.startedAt().toEpochMilli();
            // The worker's own start time, when reported, is closer to its first poll than the census read; clamped,
            // as it comes from another clock.
            e = e.seen(Math.max(e.invokedAt(), Math.min(asOf, startedAt)), asOf);
            g.lastFirstSeenAt = asOf;
            madeProgress(g, now); // it polls this version: no invoke loop
            if (!e.adopted()) {
                g.seenCount++;
                learnColdStart(g, e);
                String id = e.invocationId();
                Duration coldStart = Duration.ofMillis(e.readyAt() - e.invokedAt());
                ScalingGroupId group = g.group.id();
                events.add(o -> o.workerSeen(group, id, coldStart));
            }
        }
        if (w.status() != CensusStatus.RUNNING) {
            e = e.ended(asOf);
            if (g.idleExitMillis > 0 && asOf + g.refreshMarginMillis < e.pollEnd()) {
                // It stopped well before its poll end: for lack of work. Its shutdown heartbeat dates the exit (the
                // read comes up to an interval later, and tasks that failed meanwhile are new); clamped, as it
                // comes from another clock.
                long exitAt = w.lastHeartbeatAt() == null ? asOf
                        : Math.max(e.readyAt(), Math.min(asOf, w.lastHeartbeatAt().toEpochMilli()));
                exitedIdle(g, exitAt);
            }
        }
        return e;
    }

    private void failedStart(GroupState g, LedgerEntry e, long asOf, long now, List<Consumer<ScalerObserver>> events) {
        g.failedStarts++;
        Duration unseenFor = Duration.ofMillis(asOf - e.invokedAt());
        if (g.lastFirstSeenAt < e.invokedAt()) {
            // No worker of the group appeared since this one was invoked: the function's workers do not reach this
            // version at all. Evidence for the invoke-loop guard, which then holds the target back with probes.
            limits.suspectInvokeLoop(g.group.target(), "invocation " + e.requestId() + " accepted at "
                    + Instant.ofEpochMilli(e.invokedAt()) + " never appeared in Temporal's worker census of version "
                    + g.group.id().version() + " within " + unseenFor.toSeconds() + " s, and no other worker did since: "
                    + "the function fails at start or its workers poll another version. Check the function's logs, "
                    + "the worker's deployment name and build ID (TEMPORAL_DEPLOYMENT_NAME, TEMPORAL_WORKER_BUILD_ID), "
                    + "namespace and task queue", now);
        }
        ScalingGroupId group = g.group.id();
        String id = e.invocationId();
        String requestId = e.requestId();
        events.add(o -> o.failedStart(group, id, requestId, unseenFor));
    }

    /** A running worker that matches no invocation (a previous WCI process, or someone else started it). */
    private void adopt(GroupState g, CensusWorker w, long asOf, List<Consumer<ScalerObserver>> events) {
        long startedAt = w.startedAt() == null ? asOf : Math.min(asOf, w.startedAt().toEpochMilli());
        long pollEnd = startedAt + g.facts.timeout().toMillis() - g.shutdownBufferMillis;
        if (pollEnd <= asOf) {
            return; // past the poll end a Lambda worker of this target could have: it is about to stop
        }
        g.ledger.reserve(new LedgerEntry("census:" + w.identity(), startedAt, startedAt, pollEnd, Long.MAX_VALUE,
                true, 0, key(w), asOf, true));
        g.lastFirstSeenAt = asOf;
        ScalingGroupId group = g.group.id();
        String identity = w.identity();
        events.add(o -> o.workerAdopted(group, identity));
    }

    /**
     * The group an unknown worker serves: the one whose target its identity names ({@code <requestId>@<functionArn>}),
     * else the version's only group; null when that cannot be told.
     */
    private static GroupState adoptingGroup(GroupState[] list, CensusWorker w) {
        int at = w.identity().indexOf('@');
        String function = at < 0 ? "" : w.identity().substring(at + 1);
        for (GroupState g : list) {
            if (g.group.target().address().equals(function)) {
                return g;
            }
        }
        return list.length == 1 ? list[0] : null;
    }

    /** What a census worker is matched by: the request id in its identity, else the whole identity. */
    private static String key(CensusWorker w) {
        return w.requestId().orElse(w.identity());
    }

    /**
     * The provider accepted an invocation: its request id lets the census find its worker. If the census already
     * listed that worker (adopted before the answer came back), the adopted entry folds into this one.
     */
    private static void identify(GroupState g, InvocationResult.Accepted a) {
        if (a.providerRequestId() == null) {
            return;
        }
        LedgerEntry e = g.ledger.identified(a.invocationId(), a.providerRequestId());
        LedgerEntry early = g.ledger.removeAdopted(a.providerRequestId());
        if (e != null && early != null) {
            g.ledger.update(a.invocationId(), x -> x.seen(Math.max(x.invokedAt(), early.readyAt()), early.seenAt())
                    .ended(early.endedAt()));
        }
    }

    /** The state of every group now. */
    public synchronized List<GroupStatus> status() {
        long now = clock.millis();
        List<GroupStatus> out = new ArrayList<>(groups.size());
        for (GroupState g : groups.values()) {
            LiveWorkers live = liveWorkers(g, now);
            Limits.TargetLimits t = limits.target(g.group.target(), now);
            out.add(new GroupStatus(g.group.id(), g.group.target(), live, backlog(g, now), arrivalRate(g, now, live),
                    g.throughput.value(), g.coldStartMillis, rateLimited(g, now), t.circuit().openedBy().orElse(null),
                    t.backoff().blocked(now) ? Instant.ofEpochMilli(t.backoff().blockedUntilMillis()) : null,
                    t.invokeTokens(now), limits.versionBudget(g.group.id().version()).remaining(now),
                    g.ledger.size(), g.phantomsEnded, t.invokeLoop().reason().orElse(null),
                    t.circuit().state().name(), census(g, now)));
        }
        return out;
    }

    /** Live workers over all groups, as of each group's last evaluation (never an undercount of reservations). */
    public synchronized int totalLive() {
        return totalLive;
    }

    /** Worker-seconds left in the overall budget's rolling hour (infinite without a budget). */
    public synchronized double totalBudgetRemaining() {
        return limits.totalBudget().remaining(clock.millis());
    }

    /** Live workers of a version (starting + ready), as of each of its groups' last evaluation. */
    public synchronized int live(DeploymentVersion version) {
        GroupState[] list = byVersion.get(version);
        int n = 0;
        if (list != null) {
            for (GroupState g : list) {
                n += g.liveCounted;
            }
        }
        return n;
    }

    /** Signals for versions or task queue types no group serves. */
    public synchronized long ignoredSignals() {
        return ignoredSignals;
    }

    private GroupState groupFor(MatchingSignal signal) {
        GroupState[] list = byVersion.get(signal.version());
        if (list == null) {
            return null;
        }
        for (GroupState g : list) {
            if (g.group.serves(signal.type())) {
                return g;
            }
        }
        return null;
    }

    private LiveWorkers liveWorkers(GroupState g, long now) {
        return g.ledger.count(now, view(g, now), expiringUntil(g, now), now - lateAfterMillis(g));
    }

    /**
     * A worker whose poll end falls before this stops before a replacement invoked now could take over: one cold start
     * plus the refresh margin, which covers the spread of cold starts. Where workers never exit idle, the margin is at
     * most {@link #IDLE_OFF_REFRESH_MARGIN_SHARE} of the cold-start estimate: the overlap of a worker and its
     * replacement is paid in full there, and the earlier a replacement goes, the less the stats can yet show that the
     * arrivals stopped, while the replacement then costs a whole lifetime.
     */
    private static long expiringUntil(GroupState g, long now) {
        long margin = g.idleExitMillis > 0 ? g.refreshMarginMillis
                : Math.min(g.refreshMarginMillis, (long) (IDLE_OFF_REFRESH_MARGIN_SHARE * g.coldStartMillis));
        return now + g.coldStartMillis + margin;
    }

    /**
     * A worker starting for longer than two cold-start estimates plus {@link #LATE_SLACK_MILLIS} (the census' own
     * delay: a heartbeat and a read) is late: a slow start or a failed one. It keeps its cap slot but covers no
     * demand, so waiting tasks get another worker within about one cold start instead of waiting for the
     * failed-start bound (a minute or more).
     */
    private static long lateAfterMillis(GroupState g) {
        return 2 * g.coldStartMillis + LATE_SLACK_MILLIS;
    }

    static final long LATE_SLACK_MILLIS = 5_000;

    /** Whether the group's counts come from the census: its latest snapshot is within the freshness bound. */
    private boolean censusLive(GroupState g, long now) {
        if (g.censusAsOf == Long.MIN_VALUE) {
            return false;
        }
        long age = now - g.censusAsOf;
        return age <= censusPolicy.maxAge().toMillis()
                || (g.censusOutageSince != Long.MIN_VALUE && age <= censusPolicy.outageHold().toMillis());
    }

    private GroupCensus census(GroupState g, long now) {
        boolean live = censusLive(g, now);
        return new GroupCensus(live, g.censusAsOf == Long.MIN_VALUE ? null : Instant.ofEpochMilli(g.censusAsOf),
                g.censusUnavailable, live ? g.ledger.seenLive(now, false) : 0, live ? g.ledger.seenLive(now, true) : 0,
                g.seenCount, g.failedStarts,
                live && g.censusOutageSince != Long.MIN_VALUE ? Instant.ofEpochMilli(g.censusOutageSince) : null,
                g.slotsPerWorker);
    }

    /** The ledger's view of the group now; reused while it is unchanged (a decision asks for it several times). */
    private LedgerView view(GroupState g, long now) {
        boolean facts = censusLive(g, now);
        LedgerView v = g.ledgerView;
        if (v == null || v.lastDemandAt() != g.lastDemandAt || v.idleExitMillis() != g.idleExitMillis
                || v.facts() != facts) {
            v = new LedgerView(g.lastDemandAt, g.idleExitMillis, facts);
            g.ledgerView = v;
        }
        return v;
    }

    private int adopted(GroupState g, long now) {
        return censusLive(g, now) ? g.ledger.seenLive(now, true) : 0;
    }

    /**
     * A backlog not on course to drain under a fleet that has been ready all along means the throughput estimate
     * is too high (the stall rule may have kept it from learning: slow workers look like a stall). While tasks
     * wait the ready workers are saturated, so what they dispatch is what they can do: the estimate drops to it.
     */
    private void trustTheTrend(GroupState g, long now) {
        if (!g.trend.behind()) {
            return;
        }
        LiveWorkers live = liveWorkers(g, now);
        if (live.ready() == 0 || live.starting() > live.late()) {
            return;
        }
        double dispatched = 0;
        long asOf = Long.MIN_VALUE;
        for (int i = 0, n = g.queues.size(); i < n; i++) {
            QueueDemand q = g.queues.get(i);
            if (q.fresh(now, g.observationMaxAgeMillis)) {
                dispatched += q.observation.dispatchRate();
                asOf = Math.max(asOf, q.asOfMillis);
            }
        }
        // The dispatch rate covers the rate window: per worker-second of readiness in it, not per worker ready now
        // (a fleet that grew within the window would read as slow workers, and the measure would stay).
        double readySeconds = asOf == Long.MIN_VALUE ? 0
                : g.ledger.readySeconds(asOf - QueueDemand.RATE_WINDOW_MILLIS, asOf, view(g, now));
        double perWorker = readySeconds * 1000 >= ThroughputEstimator.MIN_SAMPLE_MILLIS
                ? dispatched * QueueDemand.RATE_WINDOW_MILLIS / 1000.0 / readySeconds
                : dispatched / live.ready();
        g.throughput.trendBehind(perWorker);
    }

    /**
     * Tasks of {@code f} that failed to match while the stats showed no backlog to work off, although every worker
     * now ready was ready one cold start before (a push signal may be up to {@link QueueDemand#SIGNAL_DELAY_MILLIS}
     * late, and without the census readiness is an estimate): no slot of the fleet was free for them, so the fleet
     * is short of what the estimates say. 0 otherwise: a worker became ready since and may have taken them, or a
     * known backlog explains the failure (while tasks wait every arrival fails; sizing already drains them, and the
     * backlog trend judges whether it does).
     */
    private long unmatched(GroupState g, SyncMatchFailure f, long now) {
        if (observedBacklog(g, now) > 0) {
            return 0;
        }
        long at = Math.min(now, f.observedAt().toEpochMilli()) - QueueDemand.SIGNAL_DELAY_MILLIS - g.coldStartMillis;
        LedgerView view = view(g, now);
        int readyNow = g.ledger.count(now, view, Long.MIN_VALUE, Long.MIN_VALUE).ready();
        return readyNow > 0 && g.ledger.count(at, view, Long.MIN_VALUE, Long.MIN_VALUE).ready() >= readyNow
                ? f.notMatchedCount() : 0;
    }

    /**
     * Workers still starting (not late) that should have been ready before the tasks of {@code f} failed: invoked
     * more than one cold-start estimate (and the push delay) before the failure. Counted only while no worker is
     * ready and every worker starting on time is overdue: then none of them has taken the tasks, one of them is a
     * slow start (a few in a hundred take 5–20× the median), and one more worker hedges against it, as the
     * reference's one invoke per failure batch does. 0 otherwise: a worker ready, or one invoked since (whose
     * cold start is not over), may still take them; or the cold-start estimate is still the policy's default (every
     * start of a slow function would look overdue, and a hedge per cold start would double its fleet).
     */
    private int overdue(GroupState g, SyncMatchFailure f, long now) {
        if (!g.coldStartLearned) {
            return 0;
        }
        LiveWorkers live = liveWorkers(g, now);
        int onTime = live.starting() - live.late();
        if (live.ready() > 0 || onTime == 0) {
            return 0;
        }
        long at = Math.min(now, f.observedAt().toEpochMilli()) - QueueDemand.SIGNAL_DELAY_MILLIS - g.coldStartMillis;
        int overdue = g.ledger.count(now, view(g, now), Long.MIN_VALUE, at).late() - live.late();
        return overdue >= onTime ? onTime : 0;
    }

    /** What the fresh observations say waits, without the failures seen since. */
    private static long observedBacklog(GroupState g, long now) {
        long b = 0;
        for (int i = 0, n = g.queues.size(); i < n; i++) {
            QueueDemand q = g.queues.get(i);
            if (q.fresh(now, g.observationMaxAgeMillis)) {
                b += q.observation.backlogCount();
            }
        }
        return b;
    }

    private double backlog(GroupState g, long now) {
        return backlogTally(g, now).total();
    }

    /** The group's backlog and how it was learnt (per queue: {@link QueueDemand#tally}), in the group's tally. */
    private BacklogTally backlogTally(GroupState g, long now) {
        BacklogTally t = g.backlogTally.reset();
        for (int i = 0, n = g.queues.size(); i < n; i++) {
            g.queues.get(i).tally(now, g.observationMaxAgeMillis, g.drainMillis, g.drainedAt, t);
        }
        return t;
    }

    /**
     * Sustained arrivals per second: from the observed add rates, or from the failure stream if that says more
     * (failures are arrivals that found no free worker: a lower bound that needs no stats and is not stale).
     * While no worker is ready every arrival fails, and a short stream is enough (read over at least
     * {@link #MEASURED_FAILURE_SPAN_MILLIS} once the throughput is measured); otherwise it must last
     * {@link #SUSTAINED_FAILURE_MILLIS}.
     */
    private double arrivalRate(GroupState g, long now, LiveWorkers live) {
        return arrivalRate(g, now, live, false);
    }

    /**
     * {@link #arrivalRate(GroupState, long, LiveWorkers)}, with {@code recent}: from each queue's add rate, the newest
     * arrivals where its 30 s mean is falling ({@link QueueDemand#recentArrivalRate}). A stream that stopped shows in
     * the mean for up to 35 s, and sized on it a fleet is replaced or grown for arrivals that have ended (each worker a
     * whole lifetime where workers never exit idle).
     */
    private double arrivalRate(GroupState g, long now, LiveWorkers live, boolean recent) {
        long minSpan = live.ready() == 0 ? 0 : SUSTAINED_FAILURE_MILLIS;
        long spanFloor = g.throughput.prior() ? 0 : MEASURED_FAILURE_SPAN_MILLIS;
        double observed = 0;
        double failing = 0;
        for (int i = 0, n = g.queues.size(); i < n; i++) {
            QueueDemand q = g.queues.get(i);
            double mean = q.arrivalRate(now, g.observationMaxAgeMillis, g.arrivalsFrom, g.arrivalsEndedAt, g.ratesFrom);
            observed += recent ? q.recentArrivalRate(mean) : mean;
            failing += q.failureRate(now, FAILURE_RATE_WINDOW_MILLIS, minSpan, spanFloor);
        }
        return Math.max(observed, failing);
    }

    private boolean rateLimited(GroupState g, long now) {
        for (int i = 0, n = g.queues.size(); i < n; i++) {
            if (g.queues.get(i).rateLimited(now, g.observationMaxAgeMillis)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Nothing waits and a worker exited for lack of work this recently: the fleet has spare capacity whatever
     * the sizing says (with few slots per worker, a fleet at the target utilization always has a worker that gets
     * no task for an idle-exit period), so it is not grown, or it would churn: invoke, idle, exit, invoke.
     */
    static final long SPARE_AFTER_IDLE_EXIT_MILLIS = 10_000;
    /**
     * A fleet that served nearly every arrival this long is not grown on the estimates' word ({@link #served}). A
     * second of quiet is how random arrivals look even to a short fleet;
     * 5 s and 15 s gave the same in-band shares on the random benchmark (5 s: p90 worker-seconds 1.42 / 1.45 / 1.51x
     * on seeds 1-3; 15 s: 1.44 / 1.43 / 1.51x), and the shorter one stops a scale-out from zero sooner.
     */
    static final long SERVED_HOLD_MILLIS = 5_000;
    /**
     * A served fleet stays held while the tasks that failed to match in the hold are at most this share of the
     * arrivals: at the target utilization a fleet of few slots finds every slot busy for a good share of them (Erlang
     * C: about 0.2 for 10 slots at 0.7), while a short one fails on and on and its backlog shows. On the random
     * benchmark 0.05 and 0.5 moved the same draws (0.01: none); 0.2 kept two more draws in band.
     */
    static final double SERVED_FAILURE_SHARE = 0.2;

    /**
     * Where workers never exit idle, replacements go at most this share of a cold start earlier than one cold start
     * ahead ({@link #expiringUntil}). On the random benchmark (seeds 1-3) 0.5 moved seed 3's p90 worker-seconds 1.290
     * to 1.286x (seed 3 #119, a ramp-up whose end came just before its workers' poll end: 1.30 to 1.15x); 1.0 and 1.67
     * moved no p90 or made one worse, no margin at all cost seed 2 a point in band (a poll end left tasks a cold start).
     */
    static final double IDLE_OFF_REFRESH_MARGIN_SHARE = 0.5;

    /** The backlog trend is judged over at least this span (and one cold start, up to the maximum). */
    static final long TREND_MIN_SPAN_MILLIS = 2_000;
    static final long TREND_MAX_SPAN_MILLIS = 5_000;
    /**
     * Temporal caches task queue stats for 5–10 s: an observation may describe the queue this long before it was
     * read, whatever staleness its source assumed.
     */
    static final long STATS_MAX_STALENESS_MILLIS = 10_000;
    /** Lambda's throttle reasons for a full account or a function's full reserved concurrency contain this. */
    static final String CONCURRENCY_THROTTLE = "ConcurrentInvocationLimitExceeded";

    /**
     * Estimate the group's demand (backlog, arrivals, throughput, cold start, live workers, trend, unmatched tasks:
     * the components of {@link SizingInputs}), size it with the pure step, then admit and reserve (or audit a hold).
     */
    private ScaleDecision evaluate(GroupState g, long now, String trigger, long unmatched, int overdue) {
        LiveWorkers live = liveWorkers(g, now);
        totalLive += live.live() - g.liveCounted;
        g.liveCounted = live.live();

        BacklogTally tally = backlogTally(g, now);
        double backlog = tally.total();
        // Nothing waits: the newest arrivals size the fleet where the stats' 30 s mean is still falling.
        double rate = arrivalRate(g, now, live, backlog <= 0);
        boolean spare = backlog <= 0 && g.lastIdleExitAt != Long.MIN_VALUE
                && now - g.lastIdleExitAt <= SPARE_AFTER_IDLE_EXIT_MILLIS;
        boolean rateLimited = rateLimited(g, now);
        double throughput = g.throughput.value();
        boolean unproven = g.throughput.prior() && !g.shortWhileReady;
        long awaited = awaitedMillis(g, now, live, unproven);
        SizingResult sized = g.sizing.size(backlog, rate, throughput, g.coldStartMillis, live, g.trend.behind(),
                spare, rateLimited, unmatched, overdue, unproven, g.coldStartLearned, awaited);
        if (!spare && sized.grow() > 0 && rate > 0 && served(g, now, live, rate)) {
            // Only a decision that grows the fleet asks whether it is held (the check walks the ledger).
            sized = g.sizing.size(backlog, rate, throughput, g.coldStartMillis, live, g.trend.behind(), true,
                    rateLimited, unmatched, overdue, unproven, g.coldStartLearned, awaited);
        }
        if (sized.want() <= 0) {
            return null;
        }
        DecisionInputs inputs = new DecisionInputs(trigger, backlog, rate, throughput, g.coldStartMillis,
                sized.desired(), live, rateLimited, censusLive(g, now), adopted(g, now), sized, tally.sources());
        if (sized.reason() == DecisionReason.QUEUE_RATE_LIMITED) {
            auditHold(g, now, new ScaleDecision(g.group.id(), g.group.target(), sized.reason(), sized.want(),
                    List.of(), List.of(), inputs, Instant.ofEpochMilli(now)));
            return null;
        }
        return admitAndReserve(g, now, sized.want(), live, sized.reason(), inputs);
    }

    /**
     * While the throughput is the unproven default: how long the longest-starting worker (on time) has been starting,
     * 0 when none is (read only then: it walks the ledger). The arrivals of that time are the stream's ({@link Sizing}).
     */
    private long awaitedMillis(GroupState g, long now, LiveWorkers live, boolean unproven) {
        if (!unproven || live.starting() == live.late()) {
            return 0;
        }
        long oldest = g.ledger.oldestStarting(now, view(g, now), now - lateAfterMillis(g));
        return oldest == Long.MAX_VALUE ? 0 : Math.max(0, now - oldest);
    }

    /**
     * A task failed to match at {@code at} while a worker of the group was ready. The default throughput counts as
     * proven short once such failures span {@link #SUSTAINED_FAILURE_MILLIS}, none more than the failure window
     * after the one before: a fleet that is short fails on and on, while a fleet at a healthy utilization sees a
     * task fail now and then when every slot happens to be busy (few slots, fast random arrivals). Lifted on one such
     * failure, the cap sized fast streams by the default for good (seed 1 #192 of the random benchmark, 41 ms tasks
     * on 3 slots: 1.49x the reference's worker-seconds, 1.19x with the span). Meanwhile the unmatched rule adds a
     * worker per failure batch.
     */
    private static void shortWhileReady(GroupState g, long at) {
        if (g.shortWhileReadySince == Long.MIN_VALUE || at - g.shortWhileReadyLastAt > FAILURE_RATE_WINDOW_MILLIS) {
            g.shortWhileReadySince = at;
        }
        g.shortWhileReadyLastAt = at;
        g.shortWhileReady = at - g.shortWhileReadySince >= SUSTAINED_FAILURE_MILLIS;
    }

    /**
     * Nothing waits, and the ready fleet has served nearly every arrival for {@link #SERVED_HOLD_MILLIS}: a worker was
     * ready all that time, the stats show no backlog and at most {@link #SERVED_FAILURE_SHARE} of the arrivals failed
     * to match in it. Such a fleet is not grown on the estimates' word, only replaced, plus one worker for tasks that
     * found no free slot (the unmatched rule, as the reference's one invoke per failure batch); more failures, or a
     * backlog, end the hold. The estimates size a fleet that serves everything too big: fast tasks never form the
     * saturated backlog the throughput is learned from (the default may be many times too low, and a lower bound
     * learned from what a fleet served sizes it 1/targetUtilization larger each time the stream grows), and a measured
     * estimate is a drain under a backlog, halved by the trend after a passing one. Workers only leave by idle exit or
     * their time limit, so a fleet sized from a wrong estimate stays for a whole lifetime (seed 1 #166 of the random
     * benchmark, 83 ms tasks on 2 slots: 1.39x the reference's worker-seconds, 1.04x with failures tolerated; seed 1
     * #196, a measured estimate: 1.44x, 1.20x held).
     */
    private boolean served(GroupState g, long now, LiveWorkers live, double rate) {
        if (live.ready() == 0 || observedBacklog(g, now) > 0
                || g.phantomsEndedAt > now - SERVED_HOLD_MILLIS) {
            // A ledger just found wrong (phantoms ended) says nothing of the fleet that served.
            return false;
        }
        long failed = 0;
        for (int i = 0, n = g.queues.size(); i < n; i++) {
            failed += g.queues.get(i).failuresIn(now - SERVED_HOLD_MILLIS, Long.MAX_VALUE);
        }
        if (failed > SERVED_FAILURE_SHARE * rate * SERVED_HOLD_MILLIS / 1000.0) {
            return false;
        }
        return g.ledger.count(now - SERVED_HOLD_MILLIS, view(g, now), Long.MIN_VALUE, Long.MIN_VALUE).ready() > 0;
    }

    /**
     * The part of the total cap's room that other groups short of workers keep from this one: when the total cap
     * cannot serve every group whose tasks failed to match in the last {@link #FAILURE_RATE_WINDOW_MILLIS}, each of
     * them has a claim on an even share of it ({@code maxWorkersTotal} / their number), and this group may take only
     * what is left beyond the others' unmet shares, or its own unmet share if larger. Without it the first group to
     * decide took the whole account (seed 3 #109 of the random benchmark, a burst over 5 versions sharing an
     * account of 96: two versions took all 96 workers within a second, drained their tasks and idled for 13 minutes,
     * workers that never exit idle, while the three others had one worker each: p99 1 084 s against the
     * reference's 460 s at 3.6x its worker-seconds). Which groups are short is known only from their failures, not
     * their sizes (the first to decide after a burst has not seen the others' backlogs), so the shares are even.
     * Read only when the grant could bring the total past half the cap and some room is left; it walks the claimants
     * (at most the cap's number of them: with more, every share is 0).
     */
    private int othersShares(GroupState g, long now, int want, int ownLive, int total) {
        int cap = policy.maxWorkersTotal();
        int room = cap - total;
        if (total + want <= cap / 2 || room <= 0) {
            return 0;
        }
        long since = now - FAILURE_RATE_WINDOW_MILLIS;
        if (now - claimantsPrunedAt >= CLAIMANTS_PRUNE_MILLIS || now < claimantsPrunedAt) {
            pruneClaimants(since, now);
        }
        if (claimants.size() > cap) {
            return 0; // more claimants than workers: every even share is 0 (a second's aged ones may still be listed)
        }
        int others = 0;
        for (int i = 0, n = claimants.size(); i < n; i++) {
            GroupState h = claimants.get(i);
            if (h != g && h.lastFailureAt >= since) {
                others++;
            }
        }
        if (others == 0) {
            return 0;
        }
        int share = cap / (others + 1);
        long reserved = 0;
        for (int i = 0, n = claimants.size(); i < n; i++) {
            GroupState h = claimants.get(i);
            if (h != g && h.lastFailureAt >= since) {
                reserved += Math.max(0, share - h.liveCounted);
            }
        }
        int mine = (int) Math.max(Math.max(0, share - ownLive), room - reserved);
        return Math.max(0, room - Math.min(room, mine));
    }

    /** Drops the claimants whose failures aged out of the window (their flag too, so a new failure adds them again). */
    private void pruneClaimants(long since, long now) {
        claimantsPrunedAt = now;
        claimants.removeIf(h -> {
            if (h.lastFailureAt < since) {
                h.claimant = false;
                return true;
            }
            return false;
        });
    }

    /** Trims {@code want} workers by the limits and reserves what they grant; a full refusal is audited as a hold. */
    private ScaleDecision admitAndReserve(GroupState g, long now, int want, LiveWorkers live, DecisionReason reason,
                                          DecisionInputs inputs) {
        double lifetimeSeconds = g.facts.timeout().toMillis() / 1000.0;
        // Facts say a worker the census lists near its poll end really stops then: it holds no cap slot against its
        // replacement. An unseen one is not vouched for (releasing it would re-invoke a cap's worth every
        // lifetime minus a cold start while none starts). The model keeps it (it may be a phantom already, and then
        // the cap is what bounds the error).
        int released = censusLive(g, now)
                ? g.ledger.seenExpiring(now, expiringUntil(g, now)) : 0;
        Admission admission = limits.admit(g.group.target(), g.group.id().version(), want, live.live() - released,
                totalLive - released + othersShares(g, now, want, live.live() - released, totalLive - released),
                lifetimeSeconds, now);
        if (admission.granted() == 0) {
            auditHold(g, now, new ScaleDecision(g.group.id(), g.group.target(), DecisionReason.LIMITED, want,
                    List.of(), admission.trims(), inputs, Instant.ofEpochMilli(now)));
            return null;
        }
        String[] ids = new String[admission.granted()];
        long pollEnd = now + g.facts.timeout().toMillis() - g.shutdownBufferMillis;
        for (int i = 0; i < ids.length; i++) {
            ids[i] = invocationIds.get();
            g.ledger.reserve(new LedgerEntry(ids[i], now, now + g.coldStartMillis, pollEnd, Long.MAX_VALUE,
                    false, lifetimeSeconds));
        }
        g.liveCounted += ids.length;
        totalLive += ids.length;
        if (reason != DecisionReason.UNMATCHED) {
            // The trend is judged afresh once these workers could be ready. Not for a lone worker sent after a failed
            // task: the trend would wait a cold start (a slow start's sample can make that half a minute) each time
            // one task fails, while the backlog it would judge grows.
            g.trend.fleetGrew(now + g.coldStartMillis);
        }
        g.lastHoldReason = null;
        ScaleDecision decision = new ScaleDecision(g.group.id(), g.group.target(), reason, want, List.of(ids),
                admission.trims(), inputs, Instant.ofEpochMilli(now));
        audit.record(decision);
        return decision;
    }

    /** Invoke-loop detection ({@link InvokeLoopDetector}); the evidence goes to the guard in {@link Limits}. */
    private void checkProgress(GroupState g, BacklogObservation previous, BacklogObservation o, long asOf, long now) {
        if (InvokeLoopDetector.progress(previous, o)) {
            madeProgress(g, now);
            return;
        }
        String evidence = g.invokeLoop.noProgress(o, asOf, g.coldStartMillis, g.group.id().version().toString());
        if (evidence != null) {
            limits.suspectInvokeLoop(g.group.target(), evidence, now);
        }
    }

    private void madeProgress(GroupState g, long now) {
        g.invokeLoop.progressed();
        limits.clearInvokeLoop(g.group.target(), now);
    }

    /** Records a hold, but not the same hold of a group over and over. */
    private void auditHold(GroupState g, long now, ScaleDecision hold) {
        if (hold.reason() != g.lastHoldReason || now - g.lastHoldAuditAt >= HOLD_AUDIT_INTERVAL_MILLIS) {
            audit.record(hold);
            g.lastHoldReason = hold.reason();
            g.lastHoldAuditAt = now;
        }
    }

    /**
     * A task found no free worker, yet at the estimated arrival rate the ledger's ready workers would be busy
     * less than {@link #PHANTOM_UTILIZATION} of their capacity, and either nothing was backlogged or the oldest
     * task has waited far longer than those workers would let it: the model is wrong, not the signal. Workers
     * that got too few tasks exited idle while the group's demand (one rate for all of them) kept them alive in
     * the model. Only as many ready workers as the arrivals could keep fully busy are kept (often none); the
     * rest are ended, so this failure scales out.
     *
     * <p>A waiting backlog convicts only the workers that were ready long enough before it was observed to have
     * taken its oldest task: stats are seconds old, and workers invoked for that very backlog must not be ended
     * on a picture taken before they polled (a second fleet for the same tasks).
     */
    private void forgetPhantoms(GroupState g, long now) {
        if (g.idleExitMillis <= 0 || censusLive(g, now)) {
            // With the census, workers that exited are seen to exit: no guess needed.
            return;
        }
        LiveWorkers live = liveWorkers(g, now);
        if (live.ready() == 0) {
            return;
        }
        double busy = arrivalRate(g, now, live) / g.throughput.value();
        if (live.ready() * PHANTOM_UTILIZATION <= busy) {
            return;
        }
        double backlog = backlog(g, now);
        long readyBy = now;
        if (backlog >= 1) {
            long drainMillis = (long) (1000 * backlog / (live.ready() * g.throughput.value()));
            long grace = Math.max(g.idleExitMillis, 2 * drainMillis) + QueueDemand.SIGNAL_DELAY_MILLIS;
            QueueDemand oldest = oldestWaiting(g, now);
            if (oldest == null || oldest.observation.backlogAge().toMillis() <= grace) {
                return;
            }
            readyBy = oldest.asOfMillis - grace;
        }
        int keep = (int) Math.floor(busy);
        if (g.ledger.endReady(live.ready() - keep, now, readyBy, view(g, now)) > 0) {
            g.phantomsEnded++;
            g.phantomsEndedAt = now;
        }
    }

    /** The queue whose oldest waiting task has waited longest, from the freshest observations; null if none waits. */
    private QueueDemand oldestWaiting(GroupState g, long now) {
        QueueDemand oldest = null;
        for (int i = 0, n = g.queues.size(); i < n; i++) {
            QueueDemand q = g.queues.get(i);
            if (q.fresh(now, g.observationMaxAgeMillis) && q.observation.backlogCount() > 0
                    && (oldest == null || q.observation.backlogAge().compareTo(oldest.observation.backlogAge()) > 0)) {
                oldest = q;
            }
        }
        return oldest;
    }

    /**
     * Learns per-worker throughput while a backlog waits (so workers, not demand, set the pace): how fast the
     * backlog drained since the previous such observation, per worker-second of readiness in that time, and
     * only if the ledger's fleet did not change meanwhile (its readiness times are estimates). Temporal's
     * 30 s dispatch rate is not used: it mixes fleet sizes and, divided by workers that already left,
     * drags the estimate down.
     */
    private void learnThroughput(GroupState g, long now) {
        double backlog = 0;
        double arrivals = 0;
        double dispatch = 0;
        long asOf = Long.MIN_VALUE;
        LedgerView view = view(g, now);
        for (int i = 0, n = g.queues.size(); i < n; i++) {
            QueueDemand q = g.queues.get(i);
            if (!q.fresh(now, g.observationMaxAgeMillis)) {
                continue;
            }
            BacklogObservation o = q.observation;
            if (o.rateLimitingActive()) {
                g.throughput.unsaturated();
                return;
            }
            backlog += o.backlogCount();
            dispatch += o.dispatchRate();
            arrivals += q.arrivalRate(now, g.observationMaxAgeMillis, g.arrivalsFrom, g.arrivalsEndedAt, g.ratesFrom);
            asOf = Math.max(asOf, q.asOfMillis);
        }
        ThroughputEstimator t = g.throughput;
        if (backlog <= 0) {
            t.unsaturated();
            learnServed(g, asOf, arrivals, view);
            return;
        }
        int claimedReady = g.ledger.count(now, view, Long.MIN_VALUE, Long.MIN_VALUE).ready();
        if (claimedReady > 0 && dispatch < STALL_DISPATCH_SHARE * claimedReady * t.value()) {
            // Tasks wait, workers are believed ready, and next to nothing is dispatched: the belief is wrong (they
            // exited, or the server does not hand them tasks), not the workers slow. The window is not a sample.
            t.unsaturated();
            return;
        }
        long from = t.windowStart(asOf);
        if (from == Long.MIN_VALUE) {
            t.saturated(asOf, backlog, 0, 0, 0);
            return;
        }
        double seconds = (asOf - from) / 1000.0;
        // While a backlog waits every arrival fails to match: the failures in the window count its arrivals
        // without the add rate's 30 s lag (stamped up to a batch after the tasks came, hence the shift).
        long failed = 0;
        for (int i = 0, n = g.queues.size(); i < n; i++) {
            failed += g.queues.get(i).failuresIn(from + QueueDemand.SIGNAL_DELAY_MILLIS,
                    asOf + QueueDemand.SIGNAL_DELAY_MILLIS);
        }
        t.saturated(asOf, backlog, Math.max(failed, arrivals * seconds), g.ledger.readySeconds(from, asOf, view),
                g.ledger.count(from, view, Long.MIN_VALUE, Long.MIN_VALUE).ready());
    }

    /**
     * Nothing waits as of {@code asOf}: every task that arrived in the add rate's window was served, by the
     * worker-seconds the ledger's ready workers had in it, so each can do at least that many per second (a lower
     * bound: they may have idled). Fast tasks never form the saturated backlog {@link #learnThroughput} learns from.
     * Only windows with at least {@link ThroughputEstimator#MIN_SAMPLE_MILLIS} worker-seconds of readiness count.
     */
    private void learnServed(GroupState g, long asOf, double arrivals, LedgerView view) {
        if (arrivals <= 0 || asOf == Long.MIN_VALUE) {
            return;
        }
        long span = QueueDemand.rateSpanMillis(asOf, g.arrivalsFrom);
        long firstReady = g.ledger.firstReady(asOf - span, asOf, view);
        if (firstReady == Long.MAX_VALUE) {
            return;
        }
        // A task that failed to match once a worker was ready found no free slot: the workers were full at times
        // (long tasks fill their slots for a while without failing), and the window says nothing of their pace.
        long failed = 0;
        for (int i = 0, n = g.queues.size(); i < n; i++) {
            failed += g.queues.get(i).failuresIn(firstReady + QueueDemand.SIGNAL_DELAY_MILLIS, Long.MAX_VALUE);
        }
        double readySeconds = g.ledger.readySeconds(asOf - span, asOf, view);
        if (failed == 0 && readySeconds * 1000 >= ThroughputEstimator.MIN_SAMPLE_MILLIS) {
            g.throughput.served(arrivals * span / 1000.0 / readySeconds);
        }
    }

    private void prune(GroupState g, long now) {
        LedgerView view = view(g, now);
        g.ledger.prune(now, view, e -> {
            long end = e.effectiveEnd(view);
            if (g.idleExitMillis > 0 && end < Math.min(e.pollEnd(), e.endedAt())) {
                // Predicted to have exited idle: by then its queues were empty.
                g.drainedAt = Math.max(g.drainedAt, end - g.idleExitMillis);
            }
            // A worker that reached its poll end may still finish in-flight tasks until the hard timeout:
            // only an exit reported or predicted before that returns budget.
            double worked = end >= e.pollEnd() ? e.chargedSeconds() : Math.max(0, end - e.invokedAt()) / 1000.0;
            double unused = Math.max(0, e.chargedSeconds() - worked); // adopted workers were never charged
            limits.refund(g.group.id().version(), unused, e.invokedAt(), now);
        });
        long horizon = now - Math.max(g.drainMillis, g.observationMaxAgeMillis);
        for (int i = 0, n = g.queues.size(); i < n; i++) {
            g.queues.get(i).prune(horizon, now);
        }
    }
}
