package dev.wci.server.push;

import com.google.protobuf.Timestamp;
import dev.wci.core.registry.RegisteredTaskQueue;
import dev.wci.core.registry.VersionLookup;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.signal.SyncMatchFailure.Origin;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.TaskQueueType;
import dev.wci.server.push.v1.EventResult.Reason;
import dev.wci.server.push.v1.SyncMatchOutcome;
import dev.wci.server.push.v1.TaskAddEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks one pushed task-add event and turns it into the signals it stands for. Never throws for bad input:
 * every problem becomes a {@link Rejected} with a reason and a detail naming the field and what was found.
 */
final class TaskAddEventReader {

    /** Longest namespace, deployment name and build ID accepted (Temporal's own limit is 255 by default). */
    static final int MAX_NAME_LENGTH = 255;
    /** Longest task queue name accepted (Temporal's default id length limit). */
    static final int MAX_TASK_QUEUE_LENGTH = 1000;
    /** Largest count in one event; far above any real batch, low enough that sums cannot overflow. */
    static final long MAX_COUNT = 1_000_000_000L;
    /** How far ahead of our clock an event may be, for producers whose clocks drift a little. */
    static final Duration MAX_FUTURE_SKEW = Duration.ofSeconds(30);
    /** Older events describe a past the scaler no longer acts on. */
    static final Duration MAX_AGE = Duration.ofMinutes(5);

    // Timestamp's valid range (0001-01-01 to 9999-12-31), as documented in google/protobuf/timestamp.proto.
    private static final long MIN_TIMESTAMP_SECONDS = -62_135_596_800L;
    private static final long MAX_TIMESTAMP_SECONDS = 253_402_300_799L;
    private static final int MAX_ECHO = 80;

    private final String namespace;
    private final VersionLookup versions;
    private final TaskQueueGate queues;

    TaskAddEventReader(String namespace, VersionLookup versions, TaskQueueGate queues) {
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.versions = Objects.requireNonNull(versions, "versions");
        this.queues = Objects.requireNonNull(queues, "queues");
    }

    /** What one event amounts to. */
    sealed interface Verdict permits Accepted, Rejected {
    }

    /**
     * A valid event for managed versions.
     *
     * @param signals what to deliver to the sink: empty for sync-match successes, two for unpinned tasks split
     *                between Current and Ramping
     */
    record Accepted(SyncMatchOutcome outcome, long count, List<SyncMatchFailure> signals) implements Verdict {
        Accepted {
            signals = List.copyOf(signals);
        }
    }

    /** An event that is invalid or not for this WCI. */
    record Rejected(Reason reason, String detail) implements Verdict {
    }

    /** Reads an event received at {@code now}. */
    Verdict read(TaskAddEvent event, Instant now) {
        Rejected bad = firstProblem(event, now);
        if (bad != null) {
            return bad;
        }
        TaskQueueType type = type(event);
        Instant observedAt = observedAt(event, now);
        SyncMatchOutcome outcome = event.getSyncMatchOutcome();
        long count = event.getCount();

        Map<DeploymentVersion, Long> shares;
        if (event.getBuildId().isEmpty()) {
            shares = versions.attributeUnpinned(event.getDeploymentName(), count);
            if (shares.values().stream().noneMatch(n -> n > 0)) {
                return new Rejected(Reason.REASON_NO_UNPINNED_VERSION, "no managed version of deployment "
                        + quote(event.getDeploymentName()) + " receives its unpinned tasks (no Current or Ramping"
                        + " version mapped to a target)");
            }
        } else {
            DeploymentVersion version = new DeploymentVersion(event.getDeploymentName(), event.getBuildId());
            if (!versions.isManaged(version)) {
                return new Rejected(Reason.REASON_UNKNOWN_VERSION, "version " + quote(version.toString())
                        + " is not managed by this WCI");
            }
            shares = Map.of(version, count);
        }
        RegisteredTaskQueue queue = new RegisteredTaskQueue(event.getTaskQueue(), type);
        // Only queues the version's workers poll may reach the scaler: each name stays in its version's state.
        Map<DeploymentVersion, Long> admitted = new LinkedHashMap<>();
        shares.forEach((v, n) -> {
            if (n > 0 && queues.check(v, queue, now) != TaskQueueGate.Verdict.REFUSED) {
                admitted.put(v, n);
            }
        });
        if (admitted.isEmpty()) {
            return new Rejected(Reason.REASON_UNKNOWN_TASK_QUEUE, "task queue " + quote(event.getTaskQueue()) + " ("
                    + type + ") is not listed by Temporal for " + describe(shares.keySet()) + ", and "
                    + TaskQueueGate.MAX_UNLISTED_PER_VERSION + " unlisted task queues are already admitted there");
        }
        shares = admitted;
        if (outcome == SyncMatchOutcome.SYNC_MATCH_OUTCOME_SUCCESS) {
            return new Accepted(outcome, count, List.of());
        }
        boolean rateLimited = outcome == SyncMatchOutcome.SYNC_MATCH_OUTCOME_RATE_LIMITED;
        List<SyncMatchFailure> signals = new ArrayList<>(shares.size());
        shares.entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> signals.add(new SyncMatchFailure(e.getKey(), event.getTaskQueue(), type,
                        rateLimited ? 0 : e.getValue(), rateLimited ? e.getValue() : 0, observedAt, Origin.PUSH)));
        return new Accepted(outcome, count, signals);
    }

    private Rejected firstProblem(TaskAddEvent e, Instant now) {
        Rejected bad = name("namespace", e.getNamespace(), MAX_NAME_LENGTH);
        if (bad != null) {
            return bad;
        }
        if (!e.getNamespace().equals(namespace)) {
            return new Rejected(Reason.REASON_NAMESPACE_MISMATCH, "namespace " + quote(e.getNamespace())
                    + " is not " + quote(namespace) + ", the namespace this WCI serves");
        }
        bad = name("deployment_name", e.getDeploymentName(), MAX_NAME_LENGTH);
        if (bad != null) {
            return bad;
        }
        if (!e.getBuildId().isEmpty()) {
            bad = name("build_id", e.getBuildId(), MAX_NAME_LENGTH);
            if (bad != null) {
                return bad;
            }
        }
        bad = name("task_queue", e.getTaskQueue(), MAX_TASK_QUEUE_LENGTH);
        if (bad != null) {
            return bad;
        }
        if (type(e) == null) {
            return new Rejected(Reason.REASON_INVALID_TASK_QUEUE_TYPE, "task_queue_type must be WORKFLOW, ACTIVITY"
                    + " or NEXUS, found " + enumText(e.getTaskQueueType().name(), e.getTaskQueueTypeValue()));
        }
        switch (e.getSyncMatchOutcome()) {
            case SYNC_MATCH_OUTCOME_NOT_MATCHED, SYNC_MATCH_OUTCOME_SUCCESS, SYNC_MATCH_OUTCOME_RATE_LIMITED -> {
            }
            default -> {
                return new Rejected(Reason.REASON_INVALID_OUTCOME, "sync_match_outcome must be NOT_MATCHED, SUCCESS"
                        + " or RATE_LIMITED, found "
                        + enumText(e.getSyncMatchOutcome().name(), e.getSyncMatchOutcomeValue()));
            }
        }
        if (e.getCount() < 1 || e.getCount() > MAX_COUNT) {
            return new Rejected(Reason.REASON_INVALID_COUNT, "count must be 1 to " + MAX_COUNT + ", found "
                    + e.getCount());
        }
        return timeProblem(e, now);
    }

    private static Rejected name(String field, String value, int maxLength) {
        if (value.isBlank()) {
            return new Rejected(Reason.REASON_MISSING_FIELD, field + " is "
                    + (value.isEmpty() ? "empty" : "blank") + "; it is required");
        }
        if (value.length() > maxLength) {
            return new Rejected(Reason.REASON_FIELD_TOO_LONG, field + " has " + value.length()
                    + " characters, at most " + maxLength + " are allowed");
        }
        return null;
    }

    private static Rejected timeProblem(TaskAddEvent e, Instant now) {
        if (!e.hasObservedAt()) {
            return null;
        }
        Timestamp t = e.getObservedAt();
        if (t.getSeconds() < MIN_TIMESTAMP_SECONDS || t.getSeconds() > MAX_TIMESTAMP_SECONDS
                || t.getNanos() < 0 || t.getNanos() > 999_999_999) {
            return new Rejected(Reason.REASON_INVALID_OBSERVED_AT, "observed_at is not a valid timestamp (seconds "
                    + t.getSeconds() + ", nanos " + t.getNanos() + ")");
        }
        Instant at = Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
        if (at.isAfter(now.plus(MAX_FUTURE_SKEW))) {
            return new Rejected(Reason.REASON_INVALID_OBSERVED_AT, "observed_at " + at + " is "
                    + Duration.between(now, at).toSeconds() + " s ahead of this WCI's clock (" + now
                    + "); at most " + MAX_FUTURE_SKEW.toSeconds() + " s is tolerated, check the producer's clock");
        }
        if (at.isBefore(now.minus(MAX_AGE))) {
            return new Rejected(Reason.REASON_STALE, "observed_at " + at + " is "
                    + Duration.between(at, now).toSeconds() + " s old; events older than "
                    + MAX_AGE.toSeconds() + " s are not acted on");
        }
        return null;
    }

    /** The observation time: the producer's, but never after now (tolerated skew is clamped away). */
    private static Instant observedAt(TaskAddEvent e, Instant now) {
        if (!e.hasObservedAt()) {
            return now;
        }
        Instant at = Instant.ofEpochSecond(e.getObservedAt().getSeconds(), e.getObservedAt().getNanos());
        return at.isAfter(now) ? now : at;
    }

    private static TaskQueueType type(TaskAddEvent e) {
        return switch (e.getTaskQueueType()) {
            case TASK_QUEUE_TYPE_WORKFLOW -> TaskQueueType.WORKFLOW;
            case TASK_QUEUE_TYPE_ACTIVITY -> TaskQueueType.ACTIVITY;
            case TASK_QUEUE_TYPE_NEXUS -> TaskQueueType.NEXUS;
            default -> null;
        };
    }

    private static String describe(Set<DeploymentVersion> receivers) {
        return receivers.stream().sorted().map(v -> "version " + quote(v.toString()))
                .collect(Collectors.joining(" or "));
    }

    private static String enumText(String name, int number) {
        return "UNRECOGNIZED".equals(name) ? "unknown value " + number : name;
    }

    /** Quotes a producer-supplied value for a detail message, shortened so a huge value cannot bloat replies. */
    private static String quote(String value) {
        return "'" + (value.length() <= MAX_ECHO ? value : value.substring(0, MAX_ECHO) + "...") + "'";
    }
}
