package dev.wci.server.scrape;

import dev.wci.core.registry.VersionLookup;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.signal.SyncMatchFailure.Origin;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.TaskQueueType;
import dev.wci.server.scrape.TaskAddSeries.Omitted;
import dev.wci.server.scrape.TaskAddSeries.Unversioned;
import dev.wci.server.scrape.TaskAddSeries.VersionLabel;
import dev.wci.server.scrape.TaskAddSeries.Versioned;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Turns one round's task counts by queue series into sync-match failures of managed versions.
 *
 * <ul>
 *   <li>A version's queue ({@code worker_version} names a version): the tasks go to that version (Pinned tasks,
 *       and tasks already routed to it) if WCI manages it.</li>
 *   <li>The unversioned queue ({@code __unversioned__}): Temporal keeps the backlog of unpinned tasks there and
 *       hands them to the Current (or Ramping) version's workers, so the tasks are split by
 *       {@link VersionLookup#attributeUnpinned} of the task queue's deployment, found in the
 *       {@link TaskQueueDirectory}.</li>
 *   <li>Sticky queues are left out: their tasks wait for one particular worker and move to the normal queue (and are
 *       counted there) when that worker does not take them.</li>
 * </ul>
 * Label values are compared in their sanitized form (see {@link TallyNames}); signals carry the real names from the
 * directory, or the label itself when the directory does not know the task queue.
 */
final class Attribution {

    /** Why tasks led to no signal; tag values of {@code wci.scrape.unattributed}. */
    enum Unattributed {
        /** No known version polls a task queue of that name. */
        UNKNOWN_TASK_QUEUE,
        /** The label matches several task queues or versions (names that differ only in sanitized characters). */
        AMBIGUOUS,
        /** The version is not managed by WCI. */
        UNMANAGED_VERSION,
        /** The deployment has no managed version receiving unpinned tasks (no Current or Ramping managed). */
        NO_RECEIVER,
        /** Temporal does not break the metric down by version ({@code worker_version="__omitted__"}). */
        OMITTED,
        /** A sticky queue's tasks. */
        STICKY;

        /** Whether the registry catching up with Temporal (its next sync) may attribute the tasks after all. */
        boolean mayResolve() {
            return this == UNKNOWN_TASK_QUEUE || this == UNMANAGED_VERSION || this == NO_RECEIVER;
        }

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A queue series of one round, without the result label. */
    record QueueSeries(String taskQueueLabel, TaskQueueType type, VersionLabel version, boolean sticky) {
    }

    /** Tasks that found no worker in one round: went to the backlog, or were throttled. */
    record Counts(long notMatched, long rateLimited) {

        /** The sum; saturates at {@link Long#MAX_VALUE} rather than overflowing. */
        Counts plus(Counts o) {
            return new Counts(saturatedSum(notMatched, o.notMatched), saturatedSum(rateLimited, o.rateLimited));
        }

        long total() {
            return saturatedSum(notMatched, rateLimited);
        }

        /** a + b of two non-negative counts, at most {@link Long#MAX_VALUE}. */
        static long saturatedSum(long a, long b) {
            long sum = a + b;
            return sum < 0 ? Long.MAX_VALUE : sum;
        }
    }

    /**
     * What a round produced.
     *
     * @param signals      one per (version, task queue, type) with tasks
     * @param unattributed tasks that led to no signal, by reason
     */
    /**
     * @param unresolved demand that could not be attributed for a reason that may pass once WCI's registry catches
     *                   up with Temporal (a queue, a routing change or a version it has not read yet), with why
     */
    record Outcome(List<SyncMatchFailure> signals, Map<Unattributed, Long> unattributed,
                   Map<QueueSeries, Unresolved> unresolved) {
    }

    /** Demand of one series not attributed in this round, and why. */
    record Unresolved(Counts counts, Unattributed reason) {
    }

    private record Target(DeploymentVersion version, String taskQueue, TaskQueueType type) {
    }

    private final VersionLookup versions;

    Attribution(VersionLookup versions) {
        this.versions = Objects.requireNonNull(versions, "versions");
    }

    Outcome attribute(Map<QueueSeries, Counts> demand, Collection<VersionTaskQueue> known, Instant now) {
        Index index = new Index(known);
        Map<Target, Counts> byTarget = new LinkedHashMap<>();
        Map<Unattributed, Long> unattributed = new EnumMap<>(Unattributed.class);
        Map<QueueSeries, Unresolved> unresolved = new LinkedHashMap<>();
        for (Map.Entry<QueueSeries, Counts> e : demand.entrySet()) {
            QueueSeries series = e.getKey();
            Counts counts = e.getValue();
            if (counts.total() == 0) {
                continue;
            }
            Unattributed reason;
            if (series.sticky()) {
                reason = Unattributed.STICKY;
            } else if (series.version() instanceof Versioned v) {
                reason = versioned(series, v, counts, index, byTarget);
            } else if (series.version() instanceof Unversioned) {
                reason = unpinned(series, counts, index, byTarget);
            } else {
                assert series.version() instanceof Omitted;
                reason = Unattributed.OMITTED;
            }
            if (reason != null && reason.mayResolve()) {
                unresolved.put(series, new Unresolved(counts, reason));
            } else if (reason != null) {
                unattributed.merge(reason, counts.total(), Long::sum);
            }
        }
        List<SyncMatchFailure> signals = new ArrayList<>();
        byTarget.forEach((t, c) -> signals.add(
                new SyncMatchFailure(t.version(), t.taskQueue(), t.type(), c.notMatched(), c.rateLimited(), now,
                        Origin.PUSH)));
        return new Outcome(List.copyOf(signals), Map.copyOf(unattributed), unresolved);
    }

    /** Tasks in a version's queue. Returns why they were not attributed, or null. */
    private Unattributed versioned(QueueSeries series, Versioned label, Counts counts, Index index,
                                   Map<Target, Counts> out) {
        Set<DeploymentVersion> candidates = index.versions(label);
        if (candidates.isEmpty()) {
            // Not in the directory: the labels may carry the real names (OpenTelemetry exporter, or plain names).
            direct(label).ifPresent(candidates::add);
        }
        List<DeploymentVersion> managed = candidates.stream().filter(versions::isManaged).toList();
        if (managed.isEmpty()) {
            return Unattributed.UNMANAGED_VERSION;
        }
        if (managed.size() > 1) {
            return Unattributed.AMBIGUOUS;
        }
        DeploymentVersion version = managed.get(0);
        String queue = index.queueName(series.taskQueueLabel(), version);
        out.merge(new Target(version, queue, series.type()), counts, Counts::plus);
        return null;
    }

    /** Tasks in a task queue's unversioned queue. Returns why they were not attributed, or null. */
    private Unattributed unpinned(QueueSeries series, Counts counts, Index index, Map<Target, Counts> out) {
        Set<Map.Entry<String, String>> owners = index.deploymentsOfQueue(series.taskQueueLabel());
        if (owners.isEmpty()) {
            return Unattributed.UNKNOWN_TASK_QUEUE;
        }
        if (owners.size() > 1) {
            return Unattributed.AMBIGUOUS;
        }
        Map.Entry<String, String> owner = owners.iterator().next();
        String deployment = owner.getKey();
        String queue = owner.getValue();
        Map<DeploymentVersion, Long> notMatched = counts.notMatched() > 0
                ? versions.attributeUnpinned(deployment, counts.notMatched()) : Map.of();
        Map<DeploymentVersion, Long> rateLimited = counts.rateLimited() > 0
                ? versions.attributeUnpinned(deployment, counts.rateLimited()) : Map.of();
        boolean any = false;
        Set<DeploymentVersion> receivers = new LinkedHashSet<>(notMatched.keySet());
        receivers.addAll(rateLimited.keySet());
        for (DeploymentVersion v : receivers) {
            Counts share = new Counts(notMatched.getOrDefault(v, 0L), rateLimited.getOrDefault(v, 0L));
            if (share.total() > 0) {
                out.merge(new Target(v, queue, series.type()), share, Counts::plus);
                any = true;
            }
        }
        return any ? null : Unattributed.NO_RECEIVER;
    }

    private static Optional<DeploymentVersion> direct(Versioned label) {
        try {
            if (!label.deploymentName().isEmpty() && !label.buildId().isEmpty()) {
                return Optional.of(new DeploymentVersion(label.deploymentName(), label.buildId()));
            }
            if (label.workerVersion().contains(":")) {
                return Optional.of(DeploymentVersion.parse(label.workerVersion()));
            }
        } catch (IllegalArgumentException e) {
            // not a version name: nothing to attribute to
        }
        return Optional.empty();
    }

    /** The directory, keyed by sanitized names. */
    private static final class Index {
        /** sanitized task queue → (version, real task queue) pairs. */
        private final Map<String, List<VersionTaskQueue>> byQueue = new HashMap<>();
        /** sanitized deployment + NUL + sanitized build ID → versions. */
        private final Map<String, Set<DeploymentVersion>> byVersion = new HashMap<>();
        /** sanitized "deployment:buildId" → versions (for servers that only export worker_version). */
        private final Map<String, Set<DeploymentVersion>> byWorkerVersion = new HashMap<>();

        Index(Collection<VersionTaskQueue> known) {
            for (VersionTaskQueue q : known) {
                byQueue.computeIfAbsent(TallyNames.sanitize(q.taskQueue()), k -> new ArrayList<>()).add(q);
                DeploymentVersion v = q.version();
                byVersion.computeIfAbsent(versionKey(v.deploymentName(), v.buildId()), k -> new LinkedHashSet<>())
                        .add(v);
                byWorkerVersion.computeIfAbsent(TallyNames.sanitize(v.deploymentName() + ":" + v.buildId()),
                        k -> new LinkedHashSet<>()).add(v);
            }
        }

        private static String versionKey(String deployment, String build) {
            return TallyNames.sanitize(deployment) + '\0' + TallyNames.sanitize(build);
        }

        /** Known versions the labels may name (a fresh, modifiable set). */
        Set<DeploymentVersion> versions(Versioned label) {
            Set<DeploymentVersion> found = !label.deploymentName().isEmpty() && !label.buildId().isEmpty()
                    ? byVersion.get(versionKey(label.deploymentName(), label.buildId()))
                    : byWorkerVersion.get(TallyNames.sanitize(label.workerVersion()));
            return found == null ? new LinkedHashSet<>() : new LinkedHashSet<>(found);
        }

        /** Distinct (deployment, real task queue) pairs whose task queue the label names. */
        Set<Map.Entry<String, String>> deploymentsOfQueue(String queueLabel) {
            Set<Map.Entry<String, String>> owners = new LinkedHashSet<>();
            for (VersionTaskQueue q : byQueue.getOrDefault(TallyNames.sanitize(queueLabel), List.of())) {
                owners.add(Map.entry(q.version().deploymentName(), q.taskQueue()));
            }
            return owners;
        }

        /** The real name of a version's task queue: from the version, else from its deployment, else the label. */
        String queueName(String queueLabel, DeploymentVersion version) {
            List<VersionTaskQueue> named = byQueue.getOrDefault(TallyNames.sanitize(queueLabel), List.of());
            for (VersionTaskQueue q : named) {
                if (q.version().equals(version)) {
                    return q.taskQueue();
                }
            }
            Set<String> ofDeployment = new LinkedHashSet<>();
            for (VersionTaskQueue q : named) {
                if (q.version().deploymentName().equals(version.deploymentName())) {
                    ofDeployment.add(q.taskQueue());
                }
            }
            return ofDeployment.size() == 1 ? ofDeployment.iterator().next() : queueLabel;
        }
    }
}
