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
