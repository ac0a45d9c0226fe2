package dev.wci.lambda.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.common.VersioningBehavior;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LambdaWorkerOptionsTest {

    private static final Map<String, String> ENV = Map.of(
            "TEMPORAL_DEPLOYMENT_NAME", "orders", "TEMPORAL_WORKER_BUILD_ID", "b42",
            "TEMPORAL_TASK_QUEUE", "orders-q", "TEMPORAL_ADDRESS", "temporal:7233");

    @Test
    void versionQueueAndConnectionComeFromTheEnvironment() {
        LambdaWorkerOptions o = LambdaWorkerOptions.newBuilder().registrar((w, c) -> { })
                .environment(ENV::get).build();
        assertEquals("orders", o.version().getDeploymentName());
        assertEquals("b42", o.version().getBuildId());
        assertEquals("orders-q", o.taskQueue());
        assertEquals("temporal:7233", o.connection().address());
        assertEquals(VersioningBehavior.PINNED, o.defaultVersioningBehavior());
        assertEquals(Duration.ofSeconds(5), o.idleTimeout());
        assertEquals(Duration.ofSeconds(2), o.backlogCheckTimeout());
        assertEquals(Duration.ofSeconds(1), o.workerHeartbeatInterval(), "WCI's census sees the worker within ~1 s");
    }

    @Test
    void heartbeatIntervalIsWithinTheSdkRangeOrDisabled() {
        for (Duration bad : new Duration[] {Duration.ofMillis(500), Duration.ofSeconds(61), Duration.ZERO}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LambdaWorkerOptions.newBuilder().registrar((w, c) -> { }).environment(ENV::get)
                            .workerHeartbeatInterval(bad).build());
            assertTrue(e.getMessage().startsWith("workerHeartbeatInterval must be between 1 s and 60 s"),
                    e.getMessage());
        }
        assertEquals(null, LambdaWorkerOptions.newBuilder().registrar((w, c) -> { }).environment(ENV::get)
                .workerHeartbeatInterval(null).build().workerHeartbeatInterval());
    }

    @Test
    void backlogCheckTimeoutIsPositiveOrDisabled() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LambdaWorkerOptions.newBuilder().registrar((w, c) -> { }).environment(ENV::get)
                        .backlogCheckTimeout(Duration.ZERO).build());
        assertTrue(e.getMessage().startsWith("backlogCheckTimeout must be positive"), e.getMessage());
        assertEquals(null, LambdaWorkerOptions.newBuilder().registrar((w, c) -> { }).environment(ENV::get)
                .backlogCheckTimeout(null).build().backlogCheckTimeout());
    }

    @Test
    void missingVersionSaysWhereToSetIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LambdaWorkerOptions.newBuilder().registrar((w, c) -> { }).taskQueue("q")
                        .environment(Map.<String, String>of()::get).build());
        assertTrue(e.getMessage().contains("TEMPORAL_DEPLOYMENT_NAME"), e.getMessage());
    }

    @Test
    void graceMustLeaveRoomForTheForcedStop() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LambdaWorkerOptions.newBuilder().registrar((w, c) -> { }).environment(ENV::get)
                        .shutdownBuffer(Duration.ofSeconds(3)).shutdownGrace(Duration.ofSeconds(3)).build());
        assertTrue(e.getMessage().contains("shutdownGrace"), e.getMessage());
    }

    @Test
    void workerOptionsCarryVersioningIdentityAndOverrides() {
        LambdaWorkerOptions o = LambdaWorkerOptions.newBuilder().registrar((w, c) -> { }).environment(ENV::get)
                .defaultVersioningBehavior(VersioningBehavior.AUTO_UPGRADE)
                .activityTaskPollers(3)
                .workerOptions(b -> b.setMaxConcurrentActivityTaskPollers(4))
                .build();
        WorkerOptions w = new LambdaWorkerHandler(o).workerOptions("req@arn", new TaskActivity(o.clock()));
        assertEquals("req@arn", w.getIdentity());
        assertTrue(w.getDeploymentOptions().isUsingVersioning());
        assertEquals("orders", w.getDeploymentOptions().getVersion().getDeploymentName());
        assertEquals(VersioningBehavior.AUTO_UPGRADE, w.getDeploymentOptions().getDefaultVersioningBehavior());
        assertEquals(4, w.getMaxConcurrentActivityTaskPollers(), "the customizer is applied last");
    }
}
