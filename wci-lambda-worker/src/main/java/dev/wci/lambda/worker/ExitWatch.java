package dev.wci.lambda.worker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One invocation's exit rule at work: the {@link ExitPolicy} applied to the {@link TaskActivity}, and, when the
 * idle timeout runs out, one {@link BacklogCheck} before exiting. Tasks waiting for the version restart the idle
 * clock, so the server is asked at most once per idle timeout. The handler calls {@link #check()} whenever
 * activity changes or {@link #nextCheck()} comes; time comes from the injected clock.
 */
final class ExitWatch {

    private static final Logger log = LoggerFactory.getLogger(ExitWatch.class);

    private final ExitPolicy policy;
    private final TaskActivity activity;
    private final BacklogCheck backlog;
    private final Duration checkTimeout;
    private final Clock clock;
    private final String version;

    /**
     * @param backlog      the server check, or null to exit idle without asking
     * @param checkTimeout the longest one check may take (never past the stop time)
     * @param version      the version, for log lines
     */
    ExitWatch(ExitPolicy policy, TaskActivity activity, BacklogCheck backlog, Duration checkTimeout, Clock clock,
              String version) {
        this.policy = policy;
        this.activity = activity;
        this.backlog = backlog;
        this.checkTimeout = checkTimeout;
        this.clock = clock;
        this.version = version;
    }

    /** The reason to stop now, or empty to keep polling; may call the server once (bounded). */
    Optional<ExitReason> check() {
        TaskActivity.Snapshot s = activity.snapshot();
        Instant now = clock.instant();
        Optional<ExitReason> reason = policy.decide(now, s.inFlight(), s.idleSince());
        if (reason.isEmpty() || reason.get() != ExitReason.IDLE || backlog == null) {
            return reason;
        }
        Duration left = Duration.between(now, policy.stopAt());
        Backlog b = backlog.check(s.polled(), left.compareTo(checkTimeout) < 0 ? left : checkTimeout);
        Optional<ExitReason> after = policy.afterBacklogCheck(b);
        if (after.isEmpty()) {
            log.info("idle for {} but the server reports {} task(s) waiting for version {}: polling on",
                    policy.idleTimeout(), b.tasks(), version);
            activity.backlogWaiting();
            return after;
        }
        // A task that arrived while the server was asked is not left behind.
        TaskActivity.Snapshot again = activity.snapshot();
        Optional<ExitReason> later = policy.decide(clock.instant(), again.inFlight(), again.idleSince());
        if (later.isEmpty()) {
            return later;
        }
        if (b.failure() != null) {
            log.warn("idle for {}; the backlog check for version {} failed ({}): exiting idle without it",
                    policy.idleTimeout(), version, b.failure());
        }
        return later;
    }

    /** When the decision can next change if no task arrives, starts or ends. */
    Instant nextCheck() {
        TaskActivity.Snapshot s = activity.snapshot();
        return policy.nextCheck(s.inFlight(), s.idleSince());
    }
}
