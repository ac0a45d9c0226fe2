package dev.wci.lambda.worker.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.lambda.worker.ExitReason;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.wci.local.DevServerProcess;
import dev.wci.local.lambda.LocalContext;
import dev.wci.lambda.worker.InvocationSummary;
import dev.wci.lambda.worker.LambdaWorkerHandler;
import dev.wci.lambda.worker.LambdaWorkerOptions;
import dev.wci.lambda.worker.TemporalConnection;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.WorkflowExecutionVersioningInfo;
import io.temporal.api.enums.v1.DescribeTaskQueueMode;
import io.temporal.api.enums.v1.TaskQueueType;
import io.temporal.api.enums.v1.WorkerStatus;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.taskqueue.v1.TaskQueueVersionSelection;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueResponse;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.ListWorkersRequest;
import io.temporal.api.workflowservice.v1.ListWorkersResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The worker library against a real Temporal dev server: the handler is called directly (as the Lambda
 * Java runtime would), with a context whose deadline is real time.
 */
@ExtendWith(DevServerExtension.class)
class LambdaWorkerHandlerIT {

    private static final String FUNCTION_ARN = "arn:aws:lambda:us-east-1:000000000000:function:test-worker:1";
    private static WorkflowServiceStubs stubs;
    private static WorkflowClient client;
    private static DevServerExtension.DevServer server;

    @BeforeAll
    static void connect(DevServerExtension.DevServer devServer) {
        server = devServer;
        stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(server.target()).build());
        client = WorkflowClient.newInstance(stubs,
                WorkflowClientOptions.newBuilder().setNamespace(server.namespace()).build());
    }

    @AfterAll
    static void disconnect() {
        if (stubs != null) {
            stubs.shutdownNow();
        }
    }

    private record Version(String deployment, String buildId, String taskQueue) {
        static Version unique() {
            String id = UUID.randomUUID().toString().substring(0, 8);
            return new Version("it-" + id, "b1", "it-q-" + id);
        }
    }

    private static LambdaWorkerHandler handler(Version v, Duration idle, Duration buffer, Duration grace) {
        return new LambdaWorkerHandler(options(v, idle, buffer, grace).build());
    }

    private static LambdaWorkerOptions.Builder options(Version v, Duration idle, Duration buffer, Duration grace) {
        return LambdaWorkerOptions.newBuilder()
                .version(v.deployment(), v.buildId())
                .taskQueue(v.taskQueue())
                .connection(TemporalConnection.plaintext(server.target(), server.namespace()))
                .registrar((worker, c) -> {
                    worker.registerWorkflowImplementationTypes(TestWorkflowImpl.class);
                    worker.registerActivitiesImplementations(new TestActivities.Impl());
                })
                .idleTimeout(idle)
                .shutdownBuffer(buffer)
                .shutdownGrace(grace);
    }

    private static CompletableFuture<InvocationSummary> invoke(LambdaWorkerHandler h, long remainingMillis) {
        return invoke(h, UUID.randomUUID().toString(), remainingMillis);
    }

    private static CompletableFuture<InvocationSummary> invoke(LambdaWorkerHandler h, String requestId,
                                                               long remainingMillis) {
        Clock clock = Clock.systemUTC();
        LocalContext context = new LocalContext(requestId, "test-worker", "1", FUNCTION_ARN, 512,
                clock.millis() + remainingMillis, clock::millis, System.out);
        return CompletableFuture.supplyAsync(() -> h.run(context));
    }

    /** A short invocation registers the version (its first poll creates it); then it is made Current. */
    private static void register(Version v) {
        CompletableFuture<InvocationSummary> registration =
                invoke(handler(v, Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(1)), 30_000);
        Versions.setCurrent(stubs, server.namespace(), v.deployment(), v.buildId());
        registration.join();
    }

    private static WorkflowStub start(Version v, long firstAttemptMillis) {
        TestWorkflow wf = client.newWorkflowStub(TestWorkflow.class, WorkflowOptions.newBuilder()
                .setTaskQueue(v.taskQueue())
                .setWorkflowId("wf-" + UUID.randomUUID())
                .setWorkflowExecutionTimeout(Duration.ofMinutes(2))
                .build());
        WorkflowClient.start(wf::run, firstAttemptMillis);
        return WorkflowStub.fromTyped(wf);
    }

    @Test
    void processesWorkflowsOfItsVersionThenExitsWhenIdle() throws Exception {
        Version v = Version.unique();
        register(v);
        List<WorkflowStub> workflows = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            workflows.add(start(v, 0)); // queued: no worker runs now, as when WCI is about to invoke
        }
        CompletableFuture<InvocationSummary> invocation =
                invoke(handler(v, Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(3)), 120_000);
        for (WorkflowStub wf : workflows) {
            assertEquals("attempt 1", wf.getResult(30, TimeUnit.SECONDS, String.class));
            WorkflowExecutionVersioningInfo info = stubs.blockingStub().describeWorkflowExecution(
                    DescribeWorkflowExecutionRequest.newBuilder().setNamespace(server.namespace())
                            .setExecution(WorkflowExecution.newBuilder()
                                    .setWorkflowId(wf.getExecution().getWorkflowId())).build())
                    .getWorkflowExecutionInfo().getVersioningInfo();
            assertEquals(v.deployment(), info.getDeploymentVersion().getDeploymentName());
            assertEquals(v.buildId(), info.getDeploymentVersion().getBuildId());
        }
        InvocationSummary summary = invocation.get(120, TimeUnit.SECONDS);
        assertEquals(ExitReason.IDLE, summary.exitReason());
        assertTrue(summary.workflowTasks() >= 6, "two workflow tasks per workflow: " + summary);
        assertEquals(3, summary.activityTasks(), summary.toString());
        assertFalse(summary.forcedShutdown());
        assertTrue(summary.lifetime().compareTo(Duration.ofSeconds(60)) < 0, "exited long before the deadline");
        assertTrue(summary.identity().endsWith("@arn:aws:lambda:us-east-1:000000000000:function:test-worker:1"));
    }

    @Test
    void stopsBeforeTheDeadlineWithoutLosingActivityResults() throws Exception {
        Version v = Version.unique();
        register(v);
        // One activity finishes inside the shutdown grace period: its result must be delivered.
        WorkflowStub finishesInGrace = start(v, 2_500);
        // One outlives the invocation: interrupted, it is retried by Temporal on a later invocation.
        WorkflowStub outlives = start(v, 60_000);

        // 6 s left, stop polling 3.5 s before the deadline, at most 2 s graceful.
        InvocationSummary first = invoke(handler(v, null, Duration.ofMillis(3_500), Duration.ofSeconds(2)), 6_000)
                .get(120, TimeUnit.SECONDS);
        assertEquals(ExitReason.DEADLINE, first.exitReason());
        assertTrue(first.forcedShutdown(), "the 60 s activity had to be interrupted: " + first);
        assertTrue(first.lifetime().compareTo(Duration.ofMillis(6_000)) < 0, "ended before the deadline: " + first);
        assertEquals(2, first.activityTasks(), first.toString());

        CompletableFuture<InvocationSummary> second =
                invoke(handler(v, Duration.ofSeconds(3), Duration.ofSeconds(5), Duration.ofSeconds(3)), 120_000);
        assertEquals("attempt 1", finishesInGrace.getResult(60, TimeUnit.SECONDS, String.class),
                "the result produced during the grace period was kept");
        String retried = outlives.getResult(60, TimeUnit.SECONDS, String.class);
        assertTrue(retried.startsWith("attempt ") && !retried.equals("attempt 1"), retried);
        InvocationSummary later = second.get(120, TimeUnit.SECONDS);
        assertEquals(ExitReason.IDLE, later.exitReason());
        await().until(second::isDone);
    }

    /**
     * A worker whose start takes 10 s (as a JVM cold start on a busy host) with a 3 s idle timeout and a backlog
     * waiting: idleness counts from when it polls, so this one invocation drains the whole backlog. Its heartbeats
     * make it visible in Temporal's worker list while it runs, and its shutdown is reported there too.
     */
    @ParameterizedTest(name = "backlog check {0}")
    @ValueSource(booleans = {true, false}) // off: the check cannot mask a wrong idle clock
    void aSlowStartingWorkerDrainsTheBacklogOfItsVersion(boolean backlogCheck) throws Exception {
        Version v = Version.unique();
        register(v);
        List<WorkflowStub> workflows = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            workflows.add(start(v, 0));
        }
        LambdaWorkerHandler slow = new LambdaWorkerHandler(
                options(v, Duration.ofSeconds(3), Duration.ofSeconds(5), Duration.ofSeconds(3))
                        .registrar((worker, c) -> {
                            try {
                                Thread.sleep(10_000); // the slow start, before the factory starts
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                throw new IllegalStateException(e);
                            }
                            worker.registerWorkflowImplementationTypes(TestWorkflowImpl.class);
                            worker.registerActivitiesImplementations(new TestActivities.Impl());
                        })
                        .backlogCheckTimeout(backlogCheck ? Duration.ofSeconds(2) : null)
                        .build());
        String requestId = UUID.randomUUID().toString();
        CompletableFuture<InvocationSummary> invocation = invoke(slow, requestId, 180_000);
        String identity = requestId + "@" + FUNCTION_ARN;
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> workerStatus(identity).isPresent());
        InvocationSummary summary = invocation.get(170, TimeUnit.SECONDS);
        assertEquals(ExitReason.IDLE, summary.exitReason());
        assertEquals(20, summary.activityTasks(), "one invocation ran the whole backlog: " + summary);
        assertTrue(summary.workflowTasks() >= 40, summary.toString());
        for (WorkflowStub wf : workflows) {
            assertEquals("attempt 1", wf.getResult(60, TimeUnit.SECONDS, String.class));
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> workerStatus(identity).orElse(null) != WorkerStatus.WORKER_STATUS_RUNNING);
    }

    /**
     * Tasks wait for the version but no poll brings one within the idle timeout: the worker's own rate limit
     * (0.2 activities/s: its activity pollers wait about 5 s between tasks) against a 2 s idle timeout. The backlog
     * check at each idle expiry sees the waiting activities on the real server, so one invocation runs them all;
     * without the check it exits after the first (tried: activity=1, and the other workflows wait).
     */
    @Test
    void keepsPollingWhileTheServerReportsTasksWaitingForItsVersion() throws Exception {
        Version v = Version.unique();
        register(v);
        List<WorkflowStub> workflows = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            workflows.add(start(v, 0));
        }
        // A workflow-only invocation schedules the 4 activities (pinned to the version) and leaves them waiting.
        InvocationSummary scheduling = invoke(new LambdaWorkerHandler(
                options(v, Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(3))
                        .registrar((worker, c) -> worker.registerWorkflowImplementationTypes(TestWorkflowImpl.class))
                        .build()), 120_000).get(60, TimeUnit.SECONDS);
        assertEquals(4, scheduling.workflowTasks(), scheduling.toString());
        // The server caches task queue stats for a few seconds: wait until they show the backlog.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> activityBacklog(v) == 4);

        LambdaWorkerHandler limited = new LambdaWorkerHandler(
                options(v, Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(3))
                        .workerOptions(b -> b.setMaxWorkerActivitiesPerSecond(0.2))
                        .build());
        InvocationSummary summary = invoke(limited, 240_000).get(200, TimeUnit.SECONDS);
        assertEquals(ExitReason.IDLE, summary.exitReason());
        assertEquals(4, summary.activityTasks(), "the waiting activities kept it polling: " + summary);
        for (WorkflowStub wf : workflows) {
            assertEquals("attempt 1", wf.getResult(60, TimeUnit.SECONDS, String.class));
        }
    }

    /** The version's activity backlog as the worker's check reads it (enhanced mode, {@code deployment:buildId}). */
    @SuppressWarnings("deprecation")
    private static long activityBacklog(Version v) {
        DescribeTaskQueueResponse r = stubs.blockingStub().describeTaskQueue(DescribeTaskQueueRequest.newBuilder()
                .setNamespace(server.namespace())
                .setTaskQueue(TaskQueue.newBuilder().setName(v.taskQueue()))
                .setApiMode(DescribeTaskQueueMode.DESCRIBE_TASK_QUEUE_MODE_ENHANCED)
                .setVersions(TaskQueueVersionSelection.newBuilder().addBuildIds(v.deployment() + ":" + v.buildId()))
                .addTaskQueueTypes(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)
                .setReportStats(true)
                .build());
        return r.getVersionsInfoMap().values().stream()
                .flatMap(i -> i.getTypesInfoMap().values().stream())
                .mapToLong(t -> t.getStats().getApproximateBacklogCount())
                .sum();
    }

    private static Optional<WorkerStatus> workerStatus(String identity) {
        ListWorkersResponse r = stubs.blockingStub().listWorkers(ListWorkersRequest.newBuilder()
                .setNamespace(server.namespace()).setPageSize(1000).build());
        return r.getWorkersInfoList().stream()
                .filter(w -> w.getWorkerHeartbeat().getWorkerIdentity().equals(identity))
                .map(w -> w.getWorkerHeartbeat().getStatus())
                .findFirst();
    }

    /**
     * A worker whose invocation starts while Temporal is down (as right after a server restart, when the JVM cold
     * start of a worker invoked before the outage ends): its start fails {@code UNAVAILABLE}, is retried, and the
     * worker serves its version once the server is back. Before, the failed start's cleanup (the SDK reports the
     * worker's shutdown to the unreachable server) threw and ended the invocation.
     */
    @Test
    void aWorkerStartedWhileTemporalIsDownStartsWhenItIsBack(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Version v = Version.unique();
        Logger logger = (Logger) LoggerFactory.getLogger(LambdaWorkerHandler.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try {
            LambdaWorkerHandler h = new LambdaWorkerHandler(options(v, Duration.ofSeconds(30), Duration.ofSeconds(5),
                    Duration.ofSeconds(3)).connection(TemporalConnection.plaintext("127.0.0.1:" + port, "default"))
                    .build());
            CompletableFuture<InvocationSummary> invocation = invoke(h, 150_000);
            await().atMost(Duration.ofSeconds(60)).until(() -> logs.list.stream()
                    .anyMatch(e -> e.getFormattedMessage().contains("could not start (attempt 1)")));
            assertFalse(invocation.isDone(), "a failed start is retried, not the end of the invocation");
            try (DevServerProcess restarted = DevServerProcess.start(DevServerProcess.Options.of(
                    DevServerExtension.locateCli().orElseThrow(), dir.resolve("temporal.log")).withPort(port))) {
                WorkflowServiceStubs s = WorkflowServiceStubs.newServiceStubs(
                        WorkflowServiceStubsOptions.newBuilder().setTarget(restarted.target()).build());
                try {
                    Versions.setCurrent(s, "default", v.deployment(), v.buildId());
                    WorkflowClient c = WorkflowClient.newInstance(s,
                            WorkflowClientOptions.newBuilder().setNamespace("default").build());
                    TestWorkflow wf = c.newWorkflowStub(TestWorkflow.class, WorkflowOptions.newBuilder()
                            .setTaskQueue(v.taskQueue()).setWorkflowId("wf-" + UUID.randomUUID())
                            .setWorkflowExecutionTimeout(Duration.ofMinutes(2)).build());
                    WorkflowClient.start(wf::run, 0L);
                    assertEquals("attempt 1", WorkflowStub.fromTyped(wf).getResult(120, TimeUnit.SECONDS,
                            String.class));
                    InvocationSummary summary = invocation.get(180, TimeUnit.SECONDS);
                    assertTrue(summary.workflowTasks() >= 1 && summary.activityTasks() == 1, summary.toString());
                } finally {
                    s.shutdownNow();
                }
            }
        } finally {
            logger.detachAppender(logs);
        }
    }
}
