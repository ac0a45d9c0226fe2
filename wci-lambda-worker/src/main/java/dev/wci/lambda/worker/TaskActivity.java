package dev.wci.lambda.worker;

import io.temporal.worker.tuning.SlotPermit;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * What the worker is doing, as seen through its slot suppliers: a task "arrives" when the SDK marks a
 * reserved slot used, and ends when that slot is released. Reserved-but-unused slots (a poll waiting)
 * are not activity. The handler's main thread waits on this object for changes.
 */
final class TaskActivity {

    /** A point-in-time view, for the exit decision and the summary. */
    record Snapshot(int inFlight, Instant lastChange, long workflowTasks, long activityTasks,
                    long localActivityTasks, long nexusTasks) {
        long total() {
            return workflowTasks + activityTasks + localActivityTasks + nexusTasks;
        }
    }

    enum Kind { WORKFLOW, ACTIVITY, LOCAL_ACTIVITY, NEXUS }

    private final Clock clock;
    private final Set<SlotPermit> used = Collections.newSetFromMap(new IdentityHashMap<>());
    private int inFlight;
    private Instant lastChange;
    private final long[] counts = new long[Kind.values().length];

    TaskActivity(Clock clock) {
        this.clock = clock;
        this.lastChange = clock.instant();
    }

    synchronized void taskStarted(Kind kind, SlotPermit permit) {
        if (used.add(permit)) {
            inFlight++;
            counts[kind.ordinal()]++;
            lastChange = clock.instant();
            notifyAll();
        }
    }

    synchronized void slotReleased(SlotPermit permit) {
        if (used.remove(permit)) {
            inFlight--;
            lastChange = clock.instant();
            notifyAll();
        }
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(inFlight, lastChange, counts[0], counts[1], counts[2], counts[3]);
    }

    /** Waits until activity changes or the time passes (whichever first); spurious returns are fine. */
    synchronized void awaitChange(Duration max) throws InterruptedException {
        long millis = Math.max(1, max.toMillis());
        wait(millis);
    }
}
