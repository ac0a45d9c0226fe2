package dev.wci.core.scaling;

import dev.wci.core.census.CensusSnapshot;
import dev.wci.core.census.CensusStatus;
import dev.wci.core.census.CensusWorker;
import dev.wci.core.census.SlotLoad;
import java.util.HashMap;
import java.util.Map;

/**
 * A group's per-worker pace measured from its workers' heartbeats (docs/scaler.md): by Little's law the mean task
 * time is the busy slot-seconds over the tasks completed, so a worker at full use completes slots / task time tasks
 * per second. A measurement, valid whether or not the fleet is saturated. The sums cover the heartbeats since the
 * group's first, halved whenever they pass {@link #DECAY_TASKS} tasks, so the measure follows a change of the tasks
 * within a few thousand of them. Not thread-safe (the scaler's lock).
 */
final class CensusPace {

    /**
     * A measure needs at least this many completed tasks: with heavy-tailed task times (lognormal, sigma up to 1.5)
     * one task's time varies by about 2.4 times its mean, so n tasks give ±2.4/√n: ±44 % at 30.
     */
    static final int MIN_TASKS = 30;
    /** ... and this many heartbeats: each gives one instant of the slots in use, whose time average needs many. */
    static final int MIN_HEARTBEATS = 10;
    /** The sums are halved when they pass this many tasks (a long memory, still not for ever). */
    static final int DECAY_TASKS = 1_000;

    /** Per running worker, the latest heartbeat counted: a read that repeats it adds nothing. */
    private final Map<String, Counted> counted = new HashMap<>();
    /** Reads so far: a worker's entry not touched by the latest read is dropped (it is no longer listed). */
    private long reads;
    private double tasks;
    private double busySlotSeconds;
    private double slotSeconds;
    private double workerSeconds;
    private double heartbeats;
    /** Time the sums cover (between reads that counted heartbeats), for the fleet's mean slots in use. */
    private double spanSeconds;
    private long lastAsOf = Long.MIN_VALUE;

    /**
     * Counts the snapshot's new heartbeats (running workers with their slots and load) and returns the pace per
     * worker (tasks per second at full use) they measure so far, or 0 while they are too few.
     *
     * <p>Enough: {@link #MIN_TASKS} completions, {@link #MIN_HEARTBEATS} heartbeats, and at least as many completions
     * as the slots in use on average (the sums then span a mean task time or more): a fleet that has just filled its
     * slots completes nothing for a task time, and sooner long tasks just begun would read as a slow pace.
     */
    double add(CensusSnapshot snapshot) {
        long read = ++reads;
        long asOf = snapshot.asOf().toEpochMilli();
        boolean any = false;
        for (CensusWorker w : snapshot.workers()) {
            SlotLoad load = w.load();
            if (w.status() != CensusStatus.RUNNING || load == null || w.slots() <= 0 || w.lastHeartbeatAt() == null) {
                continue;
            }
            long at = w.lastHeartbeatAt().toEpochMilli();
            Counted c = counted.computeIfAbsent(w.identity(), k -> new Counted());
            c.read = read;
            if (c.heartbeatAt >= at) {
                continue;
            }
            c.heartbeatAt = at;
            double seconds = load.interval().toMillis() / 1000.0;
            tasks += load.processedTasks();
            busySlotSeconds += Math.min(load.usedSlots(), w.slots()) * seconds;
            slotSeconds += w.slots() * seconds;
            workerSeconds += seconds;
            heartbeats++;
            any = true;
        }
        counted.values().removeIf(c -> c.read != read);
        if (any && lastAsOf != Long.MIN_VALUE && asOf > lastAsOf) {
            spanSeconds += (asOf - lastAsOf) / 1000.0;
        }
        lastAsOf = Math.max(lastAsOf, asOf);
        if (tasks < MIN_TASKS || heartbeats < MIN_HEARTBEATS || busySlotSeconds <= 0 || spanSeconds <= 0
                || tasks < busySlotSeconds / spanSeconds) {
            return 0;
        }
        double pace = slotSeconds / workerSeconds * tasks / busySlotSeconds;
        if (tasks > DECAY_TASKS) {
            tasks /= 2;
            busySlotSeconds /= 2;
            slotSeconds /= 2;
            workerSeconds /= 2;
            heartbeats /= 2;
            spanSeconds /= 2;
        }
        return pace;
    }

    /** A worker's latest heartbeat counted, and the read that last listed it. */
    private static final class Counted {
        long heartbeatAt = Long.MIN_VALUE;
        long read;
    }
}
