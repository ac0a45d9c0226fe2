package dev.wci.core.signal.stats;

import dev.wci.core.version.TaskQueueType;
import java.time.Duration;
import java.util.Objects;

/**
 * One task queue's statistics in a version's describe answer, as Temporal's {@code TaskQueueStats} reports them
 * (the server reads them from {@code DescribeWorkerDeploymentVersion}, the simulator from its queue model).
 *
 * @param taskQueue    queue name
 * @param type         queue type
 * @param backlog      approximate tasks waiting (negative values read as 0)
 * @param backlogAge   age of the oldest waiting task (negative reads as 0)
 * @param addRate      tasks added per second (Temporal: 30 s window)
 * @param dispatchRate tasks dispatched per second (30 s window)
 * @param rateLimited  the queue's own rate limit is active: more workers would not help
 */
public record QueueStats(String taskQueue, TaskQueueType type, long backlog, Duration backlogAge, double addRate,
                         double dispatchRate, boolean rateLimited) {

    public QueueStats {
        Objects.requireNonNull(taskQueue, "taskQueue");
        Objects.requireNonNull(type, "type");
        backlog = Math.max(0, backlog);
        backlogAge = backlogAge == null || backlogAge.isNegative() ? Duration.ZERO : backlogAge;
        addRate = addRate > 0 ? addRate : 0;
        dispatchRate = dispatchRate > 0 ? dispatchRate : 0;
    }
}
