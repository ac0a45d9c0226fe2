package dev.wci.core.registry;

import dev.wci.core.version.TaskQueueType;
import java.util.Comparator;
import java.util.Objects;

/** A task queue Temporal lists for a version: one of its workers has polled it at least once. */
public record RegisteredTaskQueue(String name, TaskQueueType type) implements Comparable<RegisteredTaskQueue> {

    private static final Comparator<RegisteredTaskQueue> ORDER =
            Comparator.comparing(RegisteredTaskQueue::name).thenComparing(RegisteredTaskQueue::type);

    public RegisteredTaskQueue {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (name.isBlank()) {
            throw new IllegalArgumentException("task queue name must not be blank");
        }
    }

    @Override
    public int compareTo(RegisteredTaskQueue o) {
        return ORDER.compare(this, o);
    }
}
