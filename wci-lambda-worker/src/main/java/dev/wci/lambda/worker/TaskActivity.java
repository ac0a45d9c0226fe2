package dev.wci.lambda.worker;

import io.temporal.worker.tuning.SlotPermit;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * What the worker is doing. Two sources feed it: the slot suppliers (a task runs from the moment the SDK
 * marks its slot used until the slot is released: the in-flight count and the task counts) and the poll
 * observer (a poll request went out, a poll response brought a task). The idle clock runs only once the
 * pollers run, so a slow JVM or client start does not count as idleness; it restarts at the first poll of
 * each kind, at every task that arrives, starts or ends, and when the server reports tasks waiting. The
 * handler's main thread waits on this object for changes.
 */
final class TaskActivity {

    /**
     * A point-in-time view, for the exit decision and the summary.
     *
     * @param idleSince when the idle clock last restarted, or null while the pollers do not run yet
     * @param polled    the kinds of task queue polled so far (for the backlog check)
     */
    record Snapshot(int inFlight, Instant idleSince, Set<Kind> polled, long workflowTasks, long activityTasks,
                    long localActivityTasks, long nexusTasks) {
        long total() {
            return workflowTasks + activityTasks + localActivityTasks + nexusTasks;
        }
    }

    enum Kind { WORKFLOW, ACTIVITY, LOCAL_ACTIVITY, NEXUS }

    private final Clock clock;
    private final Set<SlotPermit> used = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<Kind> polled = EnumSet.noneOf(Kind.class);
    private int inFlight;
    private boolean polling;
    private Instant lastChange;
    private final long[] counts = new long[Kind.values().length];

    TaskActivity(Clock clock) {
        this.clock = clock;
        this.lastChange = clock.instant();
    }

    /** The worker factory has started: from now on time without tasks counts as idleness. */
    synchronized void pollingStarted() {
        polling = true;
        touch();
    }

    /** A poll request of this kind went out; the first of each kind restarts the idle clock. */
    synchronized void pollSent(Kind kind) {
        if (polled.add(kind)) {
            touch();
        }
    }

    /** A poll response brought a task: seen before the SDK takes a slot for it, which may be much later. */
    synchronized void taskArrived() {
        touch();
    }

    /** A poll could not reach the server: that time is not idleness (see {@link PollObserver}). */
    synchronized void serverUnreachable() {
        touch();
    }

    /** The server reports tasks waiting for this worker's version: keep polling for another idle period. */
    synchronized void backlogWaiting() {
        touch();
    }

    synchronized void taskStarted(Kind kind, SlotPermit permit) {
        if (used.add(permit)) {
            inFlight++;
            counts[kind.ordinal()]++;
            touch();
        }
    }

    synchronized void slotReleased(SlotPermit permit) {
        if (used.remove(permit)) {
            inFlight--;
            touch();
        }
    }

    private void touch() {
        lastChange = clock.instant();
        notifyAll();
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(inFlight, polling ? lastChange : null, Set.copyOf(polled), counts[0], counts[1],
                counts[2], counts[3]);
    }

    /** Waits until activity changes or the time passes (whichever first); spurious returns are fine. */
    synchronized void awaitChange(Duration max) throws InterruptedException {
        long millis = Math.max(1, max.toMillis());
        wait(millis);
    }
}
