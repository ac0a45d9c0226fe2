package dev.wci.lambda.worker;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one worker invocation did; logged as one line and returned as the handler's result.
 *
 * @param requestId      the Lambda request id
 * @param identity       the worker identity, {@code <requestId>@<functionArn>}
 * @param version        the Worker Deployment Version, {@code deployment:buildId}
 * @param taskQueue      the task queue polled
 * @param exitReason     why polling stopped
 * @param workflowTasks  workflow tasks processed (started)
 * @param activityTasks  activity tasks processed (started)
 * @param localActivities local activities processed (started)
 * @param nexusTasks     Nexus tasks processed (started)
 * @param lifetime       from handler start to the end of shutdown
 * @param shutdown       how long the shutdown took
 * @param forcedShutdown whether tasks were still running after the grace period and were interrupted
 */
public record InvocationSummary(
        String requestId,
        String identity,
        String version,
        String taskQueue,
        ExitReason exitReason,
        long workflowTasks,
        long activityTasks,
        long localActivities,
        long nexusTasks,
        Duration lifetime,
        Duration shutdown,
        boolean forcedShutdown) {

    public long tasksProcessed() {
        return workflowTasks + activityTasks + localActivities + nexusTasks;
    }

    /** The handler's JSON result. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requestId", requestId);
        m.put("identity", identity);
        m.put("version", version);
        m.put("taskQueue", taskQueue);
        m.put("exitReason", exitReason.name());
        m.put("tasksProcessed", tasksProcessed());
        m.put("workflowTasks", workflowTasks);
        m.put("activityTasks", activityTasks);
        m.put("localActivities", localActivities);
        m.put("nexusTasks", nexusTasks);
        m.put("lifetimeMillis", lifetime.toMillis());
        m.put("shutdownMillis", shutdown.toMillis());
        m.put("forcedShutdown", forcedShutdown);
        return m;
    }

    /** The one summary log line. */
    public String logLine() {
        return String.format("worker invocation ended: exit=%s tasks=%d (workflow=%d activity=%d local=%d nexus=%d) "
                        + "lifetime=%.1fs shutdown=%.1fs forced=%s version=%s taskQueue=%s identity=%s",
                exitReason, tasksProcessed(), workflowTasks, activityTasks, localActivities, nexusTasks,
                lifetime.toMillis() / 1000.0, shutdown.toMillis() / 1000.0, forcedShutdown, version, taskQueue,
                identity);
    }
}
