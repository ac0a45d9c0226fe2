package dev.wci.server.scrape;

import dev.wci.core.version.TaskQueueType;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@code tasks_added} series is about, read from its labels (Temporal 1.32, observed):
 * {@code taskqueue}, {@code task_type} ({@code Workflow}, {@code Activity}, {@code Nexus}), {@code task_add_result},
 * {@code partition} ({@code 0}.., or {@code __sticky__} for a worker's sticky queue), and the version of the
 * physical queue: {@code worker_version} ({@code __unversioned__} for the task queue's unversioned queue, else the
 * version), {@code worker_deployment_name} and {@code worker_build_id} (empty when unversioned). Other labels
 * ({@code forwarded}, {@code versioning_behavior}, {@code operation}, ...) are not needed.
 *
 * @param taskQueue the {@code taskqueue} label as exported
 * @param type      the task type
 * @param result    the {@code task_add_result} label
 * @param sticky    whether the series is a sticky queue's ({@code partition="__sticky__"})
 * @param version   the version label of the physical queue
 */
record TaskAddSeries(String taskQueue, TaskQueueType type, String result, boolean sticky, VersionLabel version) {

    /** Label value of a queue without a version. */
    static final String UNVERSIONED = "__unversioned__";
    /** Label value Temporal writes when the breakdown of a metric by this label is turned off. */
    static final String OMITTED = "__omitted__";

    /** The version labels of a series. */
    sealed interface VersionLabel {
    }

    /** The task queue's unversioned queue: where unpinned tasks wait. */
    record Unversioned() implements VersionLabel {
    }

    /** Temporal was configured not to break this metric down by version ({@code metrics.breakdownByBuildID}). */
    record Omitted() implements VersionLabel {
    }

    /**
     * A version's queue.
     *
     * @param deploymentName {@code worker_deployment_name}, may be empty on servers that do not export it
     * @param buildId        {@code worker_build_id}, may be empty on servers that do not export it
     * @param workerVersion  {@code worker_version}
     */
    record Versioned(String deploymentName, String buildId, String workerVersion) implements VersionLabel {
    }

    /** Reads a series' labels; empty when one the source needs is missing or unknown. */
    static Optional<TaskAddSeries> from(Map<String, String> labels) {
        String queue = labels.get("taskqueue");
        String result = labels.get("task_add_result");
        Optional<TaskQueueType> type = type(labels.get("task_type"));
        if (queue == null || queue.isEmpty() || result == null || type.isEmpty()) {
            return Optional.empty();
        }
        boolean sticky = "__sticky__".equals(labels.get("partition"));
        return Optional.of(new TaskAddSeries(queue, type.get(), result, sticky, version(labels)));
    }

    private static Optional<TaskQueueType> type(String label) {
        if (label == null) {
            return Optional.empty();
        }
        return switch (label.toLowerCase(Locale.ROOT)) {
            case "workflow" -> Optional.of(TaskQueueType.WORKFLOW);
            case "activity" -> Optional.of(TaskQueueType.ACTIVITY);
            case "nexus" -> Optional.of(TaskQueueType.NEXUS);
            default -> Optional.empty();
        };
    }

    private static VersionLabel version(Map<String, String> labels) {
        String workerVersion = labels.getOrDefault("worker_version", "");
        String deployment = labels.getOrDefault("worker_deployment_name", "");
        String build = labels.getOrDefault("worker_build_id", "");
        if (workerVersion.equals(OMITTED)) {
            return new Omitted();
        }
        if (workerVersion.equals(UNVERSIONED) || (workerVersion.isEmpty() && deployment.isEmpty())) {
            return new Unversioned();
        }
        return new Versioned(deployment, build, workerVersion);
    }
}
