package dev.wci.lambda.worker;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Decides when a worker invocation stops polling: at {@code stopAt} (the deadline minus the shutdown
 * buffer), or earlier when nothing ran and nothing arrived for the idle timeout since the pollers run.
 * An expired idle timeout is only a candidate: the caller asks the server once whether tasks wait for the
 * version ({@link #afterBacklogCheck}). Pure, so it is tested with plain instants.
 *
 * @param stopAt      the latest time to start the graceful shutdown
 * @param idleTimeout how long without tasks counts as "the work is gone", or null to never exit idle
 */
record ExitPolicy(Instant stopAt, Duration idleTimeout) {

    /**
     * The reason to stop now, or empty to keep working. {@link ExitReason#IDLE} means the idle timeout ran out:
     * confirm it with a backlog check.
     *
     * @param idleSince when the idle clock last restarted, or null while the pollers do not run yet (no idle exit)
     */
    Optional<ExitReason> decide(Instant now, int inFlight, Instant idleSince) {
        if (!now.isBefore(stopAt)) {
            return Optional.of(ExitReason.DEADLINE);
        }
        if (idleTimeout != null && idleSince != null && inFlight == 0 && !now.isBefore(idleSince.plus(idleTimeout))) {
            return Optional.of(ExitReason.IDLE);
        }
        return Optional.empty();
    }

    /**
     * Whether an expired idle timeout ends the invocation, given what the server said: tasks waiting for the
     * version keep it polling (for another idle period); no backlog, or no answer, ends it as before.
     */
    Optional<ExitReason> afterBacklogCheck(Backlog backlog) {
        return backlog.tasksWaiting() ? Optional.empty() : Optional.of(ExitReason.IDLE);
    }

    /**
     * Until when a graceful shutdown started at {@code now} may wait for running tasks before interrupting them:
     * {@code grace} past the stop time, or past now if that has passed, never beyond {@code hardStop}. A task that
     * arrives while an idle worker shuts down (its poll was already answered) so gets the time it would have had a
     * moment earlier, instead of being interrupted and left to its start-to-close timeout.
     */
    Instant gracefulUntil(Instant now, Duration grace, Instant hardStop) {
        Instant until = (now.isAfter(stopAt) ? now : stopAt).plus(grace);
        return until.isAfter(hardStop) ? hardStop : until;
    }

    /** When the decision can next change if no task arrives, starts or ends. */
    Instant nextCheck(int inFlight, Instant idleSince) {
        if (idleTimeout == null || idleSince == null || inFlight > 0) {
            return stopAt;
        }
        Instant idleAt = idleSince.plus(idleTimeout);
        return idleAt.isBefore(stopAt) ? idleAt : stopAt;
    }
}
