package dev.wci.lambda.worker;

import io.temporal.common.VersioningBehavior;
import io.temporal.common.WorkerDeploymentVersion;
import io.temporal.worker.WorkerOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Settings of a Lambda worker. Only the registrar is required; everything else has a default sized for
 * a Lambda invocation or is read from the environment:
 * <ul>
 *   <li>version: {@code TEMPORAL_DEPLOYMENT_NAME} + {@code TEMPORAL_WORKER_BUILD_ID};</li>
 *   <li>task queue: {@code TEMPORAL_TASK_QUEUE};</li>
 *   <li>connection: {@link TemporalConnection#fromEnvironment};</li>
 *   <li>default versioning behavior {@link VersioningBehavior#PINNED}: with one immutable Lambda version
 *       per Temporal version, a pinned workflow always replays on the code that started it;</li>
 *   <li>idle timeout 5 s, counted from when the pollers run (null disables: then only the deadline ends the
 *       invocation); before exiting idle, one backlog check with a 2 s time limit (null disables);</li>
 *   <li>worker heartbeat every 1 s (null disables), so that Temporal's worker list sees the worker soon after
 *       it starts polling;</li>
 *   <li>shutdown buffer 10 s before the Lambda deadline, of which at most 6 s graceful; then forced;</li>
 *   <li>slots: 10 workflow tasks, 20 activities, 20 local activities, 10 Nexus tasks; 2 pollers each for
 *       workflow and activity tasks; workflow cache 200.</li>
 * </ul>
 * Anything else of {@link WorkerOptions} can be set through {@link Builder#workerOptions(Consumer)}.
 */
public final class LambdaWorkerOptions {

    private final WorkerDeploymentVersion version;
    private final String taskQueue;
    private final WorkerRegistrar registrar;
    private final VersioningBehavior defaultVersioningBehavior;
    private final TemporalConnection connection;
    private final Duration idleTimeout;
    private final Duration backlogCheckTimeout;
    private final Duration workerHeartbeatInterval;
    private final Duration shutdownBuffer;
    private final Duration shutdownGrace;
    private final int maxConcurrentWorkflowTasks;
    private final int maxConcurrentActivities;
    private final int maxConcurrentLocalActivities;
    private final int maxConcurrentNexusTasks;
    private final int workflowTaskPollers;
    private final int activityTaskPollers;
    private final int workflowCacheSize;
    private final Consumer<WorkerOptions.Builder> workerOptionsCustomizer;
    private final Clock clock;

    private LambdaWorkerOptions(Builder b) {
        Function<String, String> env = b.environment;
        this.registrar = Objects.requireNonNull(b.registrar, "registrar (registers workflows and activities)");
        this.version = b.version != null ? b.version : versionFromEnvironment(env);
        this.taskQueue = b.taskQueue != null ? b.taskQueue : required(env, "TEMPORAL_TASK_QUEUE",
                "the task queue (set it in the options or in TEMPORAL_TASK_QUEUE)");
        this.connection = b.connection != null ? b.connection : TemporalConnection.fromEnvironment(env);
        this.defaultVersioningBehavior = Objects.requireNonNull(b.defaultVersioningBehavior);
        this.idleTimeout = b.idleTimeout;
        if (idleTimeout != null && (idleTimeout.isNegative() || idleTimeout.isZero())) {
            throw new IllegalArgumentException("idleTimeout must be positive (or null to disable), got " + idleTimeout);
        }
        this.backlogCheckTimeout = b.backlogCheckTimeout;
        if (backlogCheckTimeout != null && (backlogCheckTimeout.isNegative() || backlogCheckTimeout.isZero())) {
            throw new IllegalArgumentException("backlogCheckTimeout must be positive (or null to disable), got "
                    + backlogCheckTimeout);
        }
        this.workerHeartbeatInterval = b.workerHeartbeatInterval;
        if (workerHeartbeatInterval != null && (workerHeartbeatInterval.compareTo(Duration.ofSeconds(1)) < 0
                || workerHeartbeatInterval.compareTo(Duration.ofSeconds(60)) > 0)) {
            throw new IllegalArgumentException("workerHeartbeatInterval must be between 1 s and 60 s (or null to "
                    + "disable), got " + workerHeartbeatInterval);
        }
        this.shutdownBuffer = Objects.requireNonNull(b.shutdownBuffer);
        this.shutdownGrace = Objects.requireNonNull(b.shutdownGrace);
        if (shutdownGrace.isNegative() || shutdownGrace.compareTo(shutdownBuffer) >= 0) {
            throw new IllegalArgumentException("shutdownGrace (" + shutdownGrace + ") must be shorter than "
                    + "shutdownBuffer (" + shutdownBuffer + "): the forced stop needs time before the deadline");
        }
        this.maxConcurrentWorkflowTasks = positive("maxConcurrentWorkflowTasks", b.maxConcurrentWorkflowTasks);
        this.maxConcurrentActivities = positive("maxConcurrentActivities", b.maxConcurrentActivities);
        this.maxConcurrentLocalActivities = positive("maxConcurrentLocalActivities", b.maxConcurrentLocalActivities);
        this.maxConcurrentNexusTasks = positive("maxConcurrentNexusTasks", b.maxConcurrentNexusTasks);
        if (b.workflowTaskPollers < 2) {
            // One poller serves the sticky queue, one the normal queue.
            throw new IllegalArgumentException("workflowTaskPollers must be >= 2, got " + b.workflowTaskPollers);
        }
        this.workflowTaskPollers = b.workflowTaskPollers;
        this.activityTaskPollers = positive("activityTaskPollers", b.activityTaskPollers);
        this.workflowCacheSize = positive("workflowCacheSize", b.workflowCacheSize);
        this.workerOptionsCustomizer = b.workerOptionsCustomizer;
        this.clock = Objects.requireNonNull(b.clock);
    }

    private static int positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
        return value;
    }

    private static String required(Function<String, String> env, String name, String what) {
        String v = env.apply(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("missing " + what);
        }
        return v.trim();
    }

    private static WorkerDeploymentVersion versionFromEnvironment(Function<String, String> env) {
        String name = required(env, "TEMPORAL_DEPLOYMENT_NAME",
                "the Worker Deployment name (set the version in the options or TEMPORAL_DEPLOYMENT_NAME)");
        String build = required(env, "TEMPORAL_WORKER_BUILD_ID",
                "the Worker build ID (set the version in the options or TEMPORAL_WORKER_BUILD_ID)");
        return new WorkerDeploymentVersion(name, build);
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    public WorkerDeploymentVersion version() {
        return version;
    }

    public String taskQueue() {
        return taskQueue;
    }

    public WorkerRegistrar registrar() {
        return registrar;
    }

    public VersioningBehavior defaultVersioningBehavior() {
        return defaultVersioningBehavior;
    }

    public TemporalConnection connection() {
        return connection;
    }

    /** Null when idle exit is disabled. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** Null when the backlog check before an idle exit is disabled. */
    public Duration backlogCheckTimeout() {
        return backlogCheckTimeout;
    }

    /** Null when worker heartbeats are disabled. */
    public Duration workerHeartbeatInterval() {
        return workerHeartbeatInterval;
    }

    public Duration shutdownBuffer() {
        return shutdownBuffer;
    }

    public Duration shutdownGrace() {
        return shutdownGrace;
    }

    public int maxConcurrentWorkflowTasks() {
        return maxConcurrentWorkflowTasks;
    }

    public int maxConcurrentActivities() {
        return maxConcurrentActivities;
    }

    public int maxConcurrentLocalActivities() {
        return maxConcurrentLocalActivities;
    }

    public int maxConcurrentNexusTasks() {
        return maxConcurrentNexusTasks;
    }

    public int workflowTaskPollers() {
        return workflowTaskPollers;
    }

    public int activityTaskPollers() {
        return activityTaskPollers;
    }

    public int workflowCacheSize() {
        return workflowCacheSize;
    }

    Consumer<WorkerOptions.Builder> workerOptionsCustomizer() {
        return workerOptionsCustomizer;
    }

    public Clock clock() {
        return clock;
    }

    /** Builder; see the type description for defaults. */
    public static final class Builder {
        private WorkerDeploymentVersion version;
        private String taskQueue;
        private WorkerRegistrar registrar;
        private VersioningBehavior defaultVersioningBehavior = VersioningBehavior.PINNED;
        private TemporalConnection connection;
        private Duration idleTimeout = Duration.ofSeconds(5);
        private Duration backlogCheckTimeout = Duration.ofSeconds(2);
        private Duration workerHeartbeatInterval = Duration.ofSeconds(1);
        private Duration shutdownBuffer = Duration.ofSeconds(10);
        private Duration shutdownGrace = Duration.ofSeconds(6);
        private int maxConcurrentWorkflowTasks = 10;
        private int maxConcurrentActivities = 20;
        private int maxConcurrentLocalActivities = 20;
        private int maxConcurrentNexusTasks = 10;
        private int workflowTaskPollers = 2;
        private int activityTaskPollers = 2;
        private int workflowCacheSize = 200;
        private Consumer<WorkerOptions.Builder> workerOptionsCustomizer = b -> { };
        private Function<String, String> environment = System::getenv;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** The Worker Deployment Version; default from TEMPORAL_DEPLOYMENT_NAME / TEMPORAL_WORKER_BUILD_ID. */
        public Builder version(String deploymentName, String buildId) {
            this.version = new WorkerDeploymentVersion(deploymentName, buildId);
            return this;
        }

        public Builder taskQueue(String taskQueue) {
            this.taskQueue = taskQueue;
            return this;
        }

        public Builder registrar(WorkerRegistrar registrar) {
            this.registrar = registrar;
            return this;
        }

        public Builder defaultVersioningBehavior(VersioningBehavior behavior) {
            this.defaultVersioningBehavior = behavior;
            return this;
        }

        public Builder connection(TemporalConnection connection) {
            this.connection = connection;
            return this;
        }

        /**
         * How long without tasks, counted from when the pollers run, ends the invocation (after the backlog check);
         * null disables the idle exit.
         */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        /**
         * Time limit of the one {@code DescribeTaskQueue} call made when the idle timeout runs out: while tasks wait
         * for the version the worker polls on. Null disables the check (exit as soon as idle).
         */
        public Builder backlogCheckTimeout(Duration timeout) {
            this.backlogCheckTimeout = timeout;
            return this;
        }

        /**
         * How often the SDK sends a worker heartbeat (1 s to 60 s), which Temporal's {@code ListWorkers} shows;
         * null disables heartbeats.
         */
        public Builder workerHeartbeatInterval(Duration interval) {
            this.workerHeartbeatInterval = interval;
            return this;
        }

        /** Time before the Lambda deadline at which polling stops and shutdown starts. */
        public Builder shutdownBuffer(Duration shutdownBuffer) {
            this.shutdownBuffer = shutdownBuffer;
            return this;
        }

        /** How long running tasks may finish after polling stops, before they are interrupted. */
        public Builder shutdownGrace(Duration shutdownGrace) {
            this.shutdownGrace = shutdownGrace;
            return this;
        }

        public Builder maxConcurrentWorkflowTasks(int n) {
            this.maxConcurrentWorkflowTasks = n;
            return this;
        }

        public Builder maxConcurrentActivities(int n) {
            this.maxConcurrentActivities = n;
            return this;
        }

        public Builder maxConcurrentLocalActivities(int n) {
            this.maxConcurrentLocalActivities = n;
            return this;
        }

        public Builder maxConcurrentNexusTasks(int n) {
            this.maxConcurrentNexusTasks = n;
            return this;
        }

        public Builder workflowTaskPollers(int n) {
            this.workflowTaskPollers = n;
            return this;
        }

        public Builder activityTaskPollers(int n) {
            this.activityTaskPollers = n;
            return this;
        }

        public Builder workflowCacheSize(int n) {
            this.workflowCacheSize = n;
            return this;
        }

        /** Applied last to the worker options: overrides anything set from these options. */
        public Builder workerOptions(Consumer<WorkerOptions.Builder> customizer) {
            this.workerOptionsCustomizer = Objects.requireNonNull(customizer);
            return this;
        }

        /** Where environment variables come from (default {@link System#getenv(String)}); for tests. */
        public Builder environment(Function<String, String> environment) {
            this.environment = Objects.requireNonNull(environment);
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** @throws IllegalArgumentException naming the missing or invalid setting */
        public LambdaWorkerOptions build() {
            return new LambdaWorkerOptions(this);
        }
    }
}
