package dev.wci.lambda.worker;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerDeploymentOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import io.temporal.worker.tuning.CompositeTuner;
import io.temporal.worker.tuning.FixedSizeSlotSupplier;
import io.temporal.worker.tuning.SlotInfo;
import io.temporal.worker.tuning.SlotSupplier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Lambda handler of a Temporal worker function. Each invocation opens a fresh connection, starts a
 * worker for one Worker Deployment Version (Worker Versioning on), polls until the work is gone (idle since
 * the pollers run, and the server reports no tasks waiting for the version) or the Lambda deadline minus a
 * shutdown buffer approaches, then shuts down gracefully, forces the stop
 * after a bounded grace period and closes the connection. Nothing is shared between invocations, so a
 * frozen and thawed execution environment starts clean.
 *
 * <p>Use it by extending it with a no-argument constructor (Lambda instantiates the handler class):
 * <pre>
 * public class MyHandler extends LambdaWorkerHandler {
 *     public MyHandler() {
 *         super(LambdaWorkerOptions.newBuilder()
 *                 .taskQueue("orders")
 *                 .registrar((worker, client) -> {
 *                     worker.registerWorkflowImplementationTypes(OrderWorkflowImpl.class);
 *                     worker.registerActivitiesImplementations(new OrderActivitiesImpl());
 *                 })
 *                 .build());
 *     }
 * }
 * </pre>
 * The input event is ignored; the result is the {@link InvocationSummary} as a map.
 */
public class LambdaWorkerHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {

    private static final Logger log = LoggerFactory.getLogger(LambdaWorkerHandler.class);
    /** Kept free before the hard deadline after the forced stop, to close the connection and return. */
    private static final Duration FINAL_MARGIN = Duration.ofMillis(500);

    private final LambdaWorkerOptions options;
    private final Clock clock;

    public LambdaWorkerHandler(LambdaWorkerOptions options) {
        this.options = options;
        this.clock = options.clock();
    }

    /** A handler for the given options (for composition instead of subclassing). */
    public static LambdaWorkerHandler create(LambdaWorkerOptions options) {
        return new LambdaWorkerHandler(options);
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        return run(context).toMap();
    }

    /** Runs one invocation's worker to its end; throws when the worker cannot start. */
    public InvocationSummary run(Context context) {
        Instant start = clock.instant();
        Instant deadline = start.plusMillis(context.getRemainingTimeInMillis());
        ExitPolicy policy = new ExitPolicy(deadline.minus(options.shutdownBuffer()), options.idleTimeout());
        String identity = context.getAwsRequestId() + "@" + context.getInvokedFunctionArn();
        String version = options.version().getDeploymentName() + ":" + options.version().getBuildId();
        if (!start.isBefore(policy.stopAt())) {
            log.warn("invocation {} has {} ms left, less than the {} shutdown buffer: raise the function timeout",
                    context.getAwsRequestId(), context.getRemainingTimeInMillis(), options.shutdownBuffer());
        }
        TaskActivity activity = new TaskActivity(clock);
        // The poll observer sees poll requests and the tasks their responses carry, on the worker's own channel.
        WorkflowServiceStubs stubs = options.connection().newStubs(new PollObserver(activity));
        WorkerFactory factory = null;
        ExitReason reason = ExitReason.STARTUP_FAILED;
        Instant shutdownStart = null;
        boolean forced = false;
        try {
            WorkflowClient client = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder()
                    .setNamespace(options.connection().namespace())
                    .setIdentity(identity)
                    // Negative disables them in the SDK.
                    .setWorkerHeartbeatInterval(options.workerHeartbeatInterval() != null
                            ? options.workerHeartbeatInterval() : Duration.ofSeconds(-1))
                    .build());
            for (int failed = 0; ; ) {
                factory = WorkerFactory.newInstance(client, WorkerFactoryOptions.newBuilder()
                        .setWorkflowCacheSize(options.workflowCacheSize())
                        .build());
                Worker worker = factory.newWorker(options.taskQueue(), workerOptions(identity, activity));
                options.registrar().register(worker, client);
                try {
                    factory.start();
                    break;
                } catch (RuntimeException e) {
                    failed++;
                    Optional<Duration> wait = StartRetry.next(e, failed, clock.instant(), policy.stopAt());
                    if (wait.isEmpty()) {
                        throw e;
                    }
                    log.warn("worker for {} could not start (attempt {}): {}; retrying in {} ms", version, failed,
                            StartRetry.passingCode(e).orElseThrow(), wait.get().toMillis());
                    shutdownQuietly(factory);
                    factory = null;
                    Thread.sleep(wait.get().toMillis());
                }
            }
            // Idleness counts from here: JVM and client start (seconds on a busy host) are not idle time.
            activity.pollingStarted();
            BacklogCheck backlog = options.backlogCheckTimeout() == null ? null : new TaskQueueBacklogCheck(
                    stubs, options.connection().namespace(), options.taskQueue(), options.version());
            ExitWatch watch = new ExitWatch(policy, activity, backlog, options.backlogCheckTimeout(), clock, version);
            reason = awaitExit(watch, activity);
            shutdownStart = clock.instant();
            forced = shutdown(factory, policy, deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reason = ExitReason.DEADLINE;
            shutdownStart = clock.instant();
            if (factory != null) {
                factory.shutdownNow();
                forced = true;
            }
        } catch (RuntimeException e) {
            log.error("worker for {} on task queue {} failed to start (identity {}, {})", version,
                    options.taskQueue(), identity, options.connection(), e);
            if (factory != null) {
                shutdownQuietly(factory);
            }
            throw e;
        } finally {
            closeStubs(stubs);
        }
        Instant end = clock.instant();
        TaskActivity.Snapshot s = activity.snapshot();
        InvocationSummary summary = new InvocationSummary(context.getAwsRequestId(), identity, version,
                options.taskQueue(), reason, s.workflowTasks(), s.activityTasks(), s.localActivityTasks(),
                s.nexusTasks(), Duration.between(start, end), Duration.between(shutdownStart, end), forced);
        log.info(summary.logLine());
        return summary;
    }

    /**
     * Stops a factory that failed to start. Its shutdown tells the server (a {@code ShutdownWorker} call), which
     * fails too while the server is unreachable: that must not end the invocation, whose worker is retried (or
     * whose real failure is reported) next.
     */
    private static void shutdownQuietly(WorkerFactory factory) {
        try {
            factory.shutdownNow();
        } catch (RuntimeException e) {
            log.debug("stopping a worker factory that failed to start: {}", e.toString());
        }
    }

    WorkerOptions workerOptions(String identity, TaskActivity activity) {
        WorkerOptions.Builder b = WorkerOptions.newBuilder()
                .setIdentity(identity)
                .setDeploymentOptions(WorkerDeploymentOptions.newBuilder()
                        .setUseVersioning(true)
                        .setVersion(options.version())
                        .setDefaultVersioningBehavior(options.defaultVersioningBehavior())
                        .build())
                .setWorkerTuner(new CompositeTuner(
                        tracked(options.maxConcurrentWorkflowTasks(), activity, TaskActivity.Kind.WORKFLOW),
                        tracked(options.maxConcurrentActivities(), activity, TaskActivity.Kind.ACTIVITY),
                        tracked(options.maxConcurrentLocalActivities(), activity, TaskActivity.Kind.LOCAL_ACTIVITY),
                        tracked(options.maxConcurrentNexusTasks(), activity, TaskActivity.Kind.NEXUS)))
                .setMaxConcurrentWorkflowTaskPollers(options.workflowTaskPollers())
                .setMaxConcurrentActivityTaskPollers(options.activityTaskPollers());
        options.workerOptionsCustomizer().accept(b);
        return b.build();
    }

    private static <SI extends SlotInfo> SlotSupplier<SI> tracked(int slots, TaskActivity activity,
                                                                 TaskActivity.Kind kind) {
        return new TrackingSlotSupplier<>(new FixedSizeSlotSupplier<>(slots), activity, kind);
    }

    private ExitReason awaitExit(ExitWatch watch, TaskActivity activity) throws InterruptedException {
        while (true) {
            Optional<ExitReason> reason = watch.check();
            if (reason.isPresent()) {
                return reason.get();
            }
            Duration wait = Duration.between(clock.instant(), watch.nextCheck());
            // Re-check at least every second so that a clock that is not wall time cannot stall us.
            activity.awaitChange(wait.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : wait);
        }
    }

    /** Graceful, then forced; returns whether the forced stop was needed. */
    private boolean shutdown(WorkerFactory factory, ExitPolicy policy, Instant deadline)
            throws InterruptedException {
        factory.shutdown();
        Instant now = clock.instant();
        Duration grace = Duration.between(now, policy.gracefulUntil(now, options.shutdownGrace(),
                deadline.minus(FINAL_MARGIN)));
        if (!grace.isNegative()) {
            factory.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        }
        if (factory.isTerminated()) {
            return false;
        }
        log.warn("tasks still running after the {} ms shutdown grace period: interrupting them; Temporal retries "
                + "their activities after their timeouts", grace.toMillis());
        factory.shutdownNow();
        factory.awaitTermination(FINAL_MARGIN.toMillis(), TimeUnit.MILLISECONDS);
        return true;
    }

    private static void closeStubs(WorkflowServiceStubs stubs) {
        stubs.shutdown();
        if (!stubs.awaitTermination(1, TimeUnit.SECONDS)) {
            stubs.shutdownNow();
        }
    }
}
