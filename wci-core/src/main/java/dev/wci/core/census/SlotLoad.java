package dev.wci.core.census;

import java.time.Duration;
import java.util.Objects;

/**
 * What one worker heartbeat says of the worker's work: the slots in use when it was sent, and the tasks the worker
 * completed in the interval since its previous heartbeat (Temporal's {@code WorkerSlotsInfo.current_used_slots} and
 * {@code last_interval_processed_tasks}, the interval its {@code elapsed_since_last_heartbeat}).
 *
 * @param usedSlots      slots running a task when the heartbeat was sent
 * @param processedTasks tasks completed in {@code interval}
 * @param interval       the time the heartbeat's counts cover (positive)
 */
public record SlotLoad(int usedSlots, int processedTasks, Duration interval) {

    public SlotLoad {
        Objects.requireNonNull(interval, "interval");
        if (usedSlots < 0 || processedTasks < 0) {
            throw new IllegalArgumentException("used slots and processed tasks must not be negative, got "
                    + usedSlots + " and " + processedTasks);
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("heartbeat interval must be positive, got " + interval);
        }
    }
}
