package dev.wci.core.version;

/** The kind of tasks a task queue carries; a version's workers poll each kind separately. */
public enum TaskQueueType {
    WORKFLOW,
    ACTIVITY,
    NEXUS
}
