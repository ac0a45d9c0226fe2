package dev.wci.server.push;

import dev.wci.core.registry.RegisteredTaskQueue;
import dev.wci.core.version.DeploymentVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which task queues a pushed event may name. A producer can send any name, and every name that reaches
 * the scaler stays in its version's queue list, which every signal scans; so only the task queues Temporal lists
 * for the version pass, plus a small allowance per version for queues Temporal does not list yet (a version's
 * listing reaches WCI some seconds after its first poll). An unlisted queue is let through for
 * {@link #UNLISTED_TTL} after it was first seen, at most {@link #MAX_UNLISTED_PER_VERSION} of them per version at
 * a time; then it must be listed. Everything else is refused, and the state kept here never exceeds the allowance
 * times the number of managed versions.
 *
 * <p>Thread-safe.
 */
final class TaskQueueGate {

    /** Unlisted task queues admitted per version at a time: more than a worker polls, far fewer than a flood. */
    static final int MAX_UNLISTED_PER_VERSION = 16;
    /** How long an unlisted task queue is admitted; Temporal lists a polled queue long before. */
    static final Duration UNLISTED_TTL = Duration.ofMinutes(10);

    private static final Logger log = LoggerFactory.getLogger(TaskQueueGate.class);

    /** What the gate says about one (version, task queue). */
    enum Verdict {
        /** Temporal lists it for the version. */
        LISTED,
        /** Not listed, admitted within the version's allowance. */
        ADMITTED,
        /** Not listed, and the version's allowance is used up. */
        REFUSED
    }

    private final ListedTaskQueues listed;
    // Guarded by this: per version, the unlisted queues admitted and when each was first seen.
    private final Map<DeploymentVersion, Allowance> unlisted = new HashMap<>();
    private Instant nextSweep = Instant.MIN;

    private static final class Allowance {
        final Map<RegisteredTaskQueue, Instant> firstSeen = new LinkedHashMap<>();
        boolean warned;
    }

    TaskQueueGate(ListedTaskQueues listed) {
        this.listed = Objects.requireNonNull(listed, "listed");
    }

    Verdict check(DeploymentVersion version, RegisteredTaskQueue queue, Instant now) {
        if (listed.lists(version, queue)) {
            return Verdict.LISTED;
        }
        synchronized (this) {
            sweepIfDue(now);
            Allowance a = unlisted.computeIfAbsent(version, v -> new Allowance());
            expire(a, now);
            if (a.firstSeen.containsKey(queue)) {
                return Verdict.ADMITTED;
            }
            if (a.firstSeen.size() < MAX_UNLISTED_PER_VERSION) {
                a.firstSeen.put(queue, now);
                log.debug("push: task queue '{}' ({}) is not listed by Temporal for version {} yet; admitted for {}"
                        + " min", queue.name(), queue.type(), version, UNLISTED_TTL.toMinutes());
                return Verdict.ADMITTED;
            }
            if (!a.warned) {
                a.warned = true;
                log.warn("push: version {} already has {} task queues Temporal does not list; events for further"
                        + " unlisted queues are refused (counted as reason unknown_task_queue)", version,
                        MAX_UNLISTED_PER_VERSION);
            }
            return Verdict.REFUSED;
        }
    }

    /** Unlisted queues currently admitted, over all versions. */
    synchronized int unlistedCount() {
        return unlisted.values().stream().mapToInt(a -> a.firstSeen.size()).sum();
    }

    private void expire(Allowance a, Instant now) {
        Instant cutoff = now.minus(UNLISTED_TTL);
        if (a.firstSeen.values().removeIf(at -> !at.isAfter(cutoff))) {
            a.warned = false;
        }
    }

    /** Once per TTL, forgets versions whose admitted queues all expired (versions retired meanwhile). */
    private void sweepIfDue(Instant now) {
        if (now.isBefore(nextSweep)) {
            return;
        }
        nextSweep = now.plus(UNLISTED_TTL);
        for (Iterator<Allowance> it = unlisted.values().iterator(); it.hasNext(); ) {
            Allowance a = it.next();
            expire(a, now);
            if (a.firstSeen.isEmpty()) {
                it.remove();
            }
        }
    }
}
