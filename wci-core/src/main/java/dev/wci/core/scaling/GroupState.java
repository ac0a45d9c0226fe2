package dev.wci.core.scaling;

import dev.wci.core.compute.TargetFacts;
import dev.wci.core.version.ScalingGroup;
import dev.wci.core.version.TaskQueueType;
import java.util.ArrayList;
import java.util.List;

/** Everything the scaler keeps for one scaling group. Confined to the scaler's lock. */
final class GroupState {

    final ScalingGroup group;
    /** The group's policy (its deployment's overrides over the defaults), and its durations in millis. */
    final ScalingPolicy policy;
    final long drainMillis;
    final long idleExitMillis;
    final long shutdownBufferMillis;
    final long refreshMarginMillis;
    final long observationMaxAgeMillis;
    final Ledger ledger = new Ledger();
    final BacklogTrend trend = new BacklogTrend();
    /** Reused by each decision to sum the queues' backlogs (the scaler's lock). */
    final BacklogTally backlogTally = new BacklogTally();
    final List<QueueDemand> queues = new ArrayList<>(2);
    TargetFacts facts;
    /** Last time the group had work: a failure, a backlog, or tasks being added. */
    long lastDemandAt = Long.MIN_VALUE;
    /** Last time a task of the group failed to match (its fleet was short): it has a claim on the total cap. */
    long lastFailureAt = Long.MIN_VALUE;
    /** Whether the group is in the scaler's list of claimants on the total cap (see ReactiveScaler.othersShares). */
    boolean claimant;
    /** The last ledger view handed out (see ReactiveScaler.view): saves an allocation per count. */
    LedgerView ledgerView;
    /** Nothing arrived on the group's queues before this moment of its current activity (see docs/scaler.md). */
    long arrivalsFrom = Long.MIN_VALUE;
    /**
     * The server's rate trackers started counting the current activity at this moment (its first task on a queue
     * idle longer than Temporal unloads one, or never used): its rates cover the time since
     * (QueueDemand.youngTrackerRate).
     */
    long ratesFrom = Long.MIN_VALUE;
    /** The queue was empty at this moment (a worker exited idle after it): older failures were served. */
    long drainedAt = Long.MIN_VALUE;
    /** When a worker of the group was last seen (reported, or by the census) to exit for lack of work. */
    long lastIdleExitAt = Long.MIN_VALUE;
    /** The group's last worker exited for lack of work at this moment: arrivals before it are over. */
    long arrivalsEndedAt = Long.MIN_VALUE;
    /**
     * Tasks failed to match while a worker of the group was ready (and had been for the push delay), on and on for
     * the sustained-failure span: a fleet sized on the default throughput was short, so the default is no longer an
     * unproven guess that caps the stream's share (Sizing). Kept for the group's life, as the throughput estimate is.
     */
    boolean shortWhileReady;
    /** The first and the latest failure of the current run of failures while a worker was ready (see above). */
    long shortWhileReadySince = Long.MIN_VALUE;
    long shortWhileReadyLastAt = Long.MIN_VALUE;
    /** Per-worker throughput, learned on its own state. */
    final ThroughputEstimator throughput;
    /** The pure sizing step under this group's policy. */
    final Sizing sizing;
    /** Invoke-loop evidence, on its own state. */
    final InvokeLoopDetector invokeLoop = new InvokeLoopDetector();
    /** Times the ledger's ready workers were found to have exited unseen. */
    long phantomsEnded;
    /** When the phantom rule last ended ready workers: the ledger's fleet was wrong until then. */
    long phantomsEndedAt = Long.MIN_VALUE;
    long coldStartMillis;
    /** Whether {@link #coldStartMillis} has learned from at least one start (else it is the policy's default). */
    boolean coldStartLearned;
    /** Live workers at the last evaluation; summed into the scaler's total. */
    int liveCounted;
    /** When the latest census snapshot was read, or MIN_VALUE when none counts (never, or unavailable since). */
    long censusAsOf = Long.MIN_VALUE;
    /** Since when the census has been live without a gap: only invocations after it can be failed starts. */
    long censusLiveSince = Long.MIN_VALUE;
    String censusUnavailable;
    /** Since when reads of the census have failed for a passing reason (its facts are held), or MIN_VALUE. */
    long censusOutageSince = Long.MIN_VALUE;
    /** Until when absence from the census does not end a listed worker (a read after an outage), or MIN_VALUE. */
    long censusRecoveringUntil = Long.MIN_VALUE;
    /** When the census last listed a worker of this group for the first time. */
    long lastFirstSeenAt = Long.MIN_VALUE;
    long seenCount;
    long failedStarts;
    /** Tasks one worker of the group runs at once, the fewest the census has listed; 0 until it lists any. */
    int slotsPerWorker;
    /** The pace its workers' heartbeats measure (fed to {@link #throughput}). */
    final CensusPace censusPace = new CensusPace();
    /** For de-duplicating hold records in the audit. */
    DecisionReason lastHoldReason;
    long lastHoldAuditAt = Long.MIN_VALUE;

    GroupState(ScalingGroup group, TargetFacts facts, ScalingPolicy policy) {
        this.group = group;
        this.facts = facts;
        this.policy = policy;
        this.throughput = new ThroughputEstimator(policy.defaultWorkerThroughput(), policy.throughputEwmaAlpha());
        this.sizing = new Sizing(policy);
        this.coldStartMillis = policy.coldStartDefault().toMillis();
        this.drainMillis = policy.drainTarget().toMillis();
        this.idleExitMillis = policy.workerIdleExit().toMillis();
        this.shutdownBufferMillis = policy.shutdownBuffer().toMillis();
        this.refreshMarginMillis = policy.refreshMargin().toMillis();
        this.observationMaxAgeMillis = policy.observationMaxAge().toMillis();
    }

    QueueDemand queue(String taskQueue, TaskQueueType type) {
        for (int i = 0, n = queues.size(); i < n; i++) {
            QueueDemand q = queues.get(i);
            if (q.is(taskQueue, type)) {
                return q;
            }
        }
        QueueDemand q = new QueueDemand(taskQueue, type);
        q.emptied(lastIdleExitAt); // the exiting worker found every queue of the group empty, this one too
        queues.add(q);
        return q;
    }
}
