package dev.wci.dev.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.local.lambda.ExecutionMode;
import dev.wci.local.lambda.InvocationRecord;
import dev.wci.lambda.worker.it.DevServerExtension;
import dev.wci.dev.demo.DemoWorkflows;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue #5, e2e 2: Pinned workflows started on v1 keep running on v1's Lambda version after v2 becomes Current
 * (WCI keeps invoking the draining v1 for them); new workflows and Auto-Upgrade ones run on v2's Lambda version.
 * Asserted from the activities' answers (the build ID of the worker that ran them), the workflows' recorded
 * deployment versions, and the local runtime's invocation records.
 */
@ExtendWith(DevServerExtension.class)
class VersioningIT {

    @Test
    void pinnedStayOnV1AutoUpgradeAndNewWorkMoveToV2(DevServerExtension.DevServer server) throws Exception {
        try (WciTestBed bed = new WciTestBed(server, 2, ExecutionMode.PROCESS, "", "")) {
            // Both versions are bootstrapped (each gets one worker, so Temporal registers them).
            await().atMost(Duration.ofSeconds(90)).until(() -> !bed.invocations(1).isEmpty()
                    && !bed.invocations(2).isEmpty());
            bed.setCurrent("v1");

            List<WorkflowStub> pinned = start(bed, DemoWorkflows.Pinned.class, "pinned", 3, true);
            List<WorkflowStub> auto = start(bed, DemoWorkflows.AutoUpgrade.class, "auto", 3, true);
            // Their first workflow task ran on v1: the workflows are now on v1, waiting for a signal.
            for (WorkflowStub wf : concat(pinned, auto)) {
                await().atMost(Duration.ofSeconds(90)).until(() -> "v1".equals(buildIdOf(bed, wf.getExecution())));
            }

            bed.setCurrent("v2");
            Instant switched = Instant.now();
            // Let the live workers exit idle: every task from here on needs a worker WCI invokes.
            await().atMost(Duration.ofSeconds(60)).until(() -> bed.runtime.inFlight() == 0);
            List<WorkflowStub> fresh = start(bed, DemoWorkflows.Pinned.class, "fresh", 3, false);
            pinned.forEach(wf -> wf.signal("proceed"));
            auto.forEach(wf -> wf.signal("proceed"));

            for (WorkflowStub wf : pinned) {
                assertEquals("v1", wf.getResult(120, TimeUnit.SECONDS, DemoWorkflows.Result.class).buildId(), "pinned stays on v1");
                assertEquals("v1", buildIdOf(bed, wf.getExecution()));
            }
            for (WorkflowStub wf : auto) {
                assertEquals("v2", wf.getResult(120, TimeUnit.SECONDS, DemoWorkflows.Result.class).buildId(), "auto-upgrade moves to v2");
                assertEquals("v2", buildIdOf(bed, wf.getExecution()));
            }
            for (WorkflowStub wf : fresh) {
                assertEquals("v2", wf.getResult(120, TimeUnit.SECONDS, DemoWorkflows.Result.class).buildId(), "new work goes to Current");
            }
            // v1's Lambda version was invoked after the switch (pinned work on the draining version), and v2's too.
            List<InvocationRecord> v1After = bed.invocations(1).stream()
                    .filter(r -> r.receivedAt().isAfter(switched)).toList();
            List<InvocationRecord> v2After = bed.invocations(2).stream()
                    .filter(r -> r.receivedAt().isAfter(switched)).toList();
            assertTrue(!v1After.isEmpty(), "WCI keeps serving the draining v1: " + bed.runtime.invocations());
            assertTrue(!v2After.isEmpty(), "WCI invokes the new Current v2: " + bed.runtime.invocations());
            assertEquals("DRAINING", bed.status().at("/deployments/0/versions/0/routing").asText(),
                    bed.status().toPrettyString());
            System.out.printf("E2E versioning: after the switch v1 invoked %d time(s), v2 %d time(s)%n",
                    v1After.size(), v2After.size());
        }
    }

    private static <T> List<WorkflowStub> start(WciTestBed bed, Class<T> type, String name, int n, boolean wait) {
        List<WorkflowStub> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            WorkflowStub stub = bed.client.newUntypedWorkflowStub(type.getSimpleName(), WorkflowOptions.newBuilder()
                    .setTaskQueue(bed.taskQueue).setWorkflowId(bed.id + "-" + name + "-" + i).build());
            stub.start(wait, 100);
            out.add(stub);
        }
        return out;
    }

    private static List<WorkflowStub> concat(List<WorkflowStub> a, List<WorkflowStub> b) {
        List<WorkflowStub> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** The build ID of the version the workflow runs on, as Temporal records it; null before its first task. */
    static String buildIdOf(WciTestBed bed, WorkflowExecution execution) {
        var info = bed.stubs.blockingStub().describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace(bed.namespace).setExecution(execution).build()).getWorkflowExecutionInfo();
        if (!info.hasVersioningInfo() || !info.getVersioningInfo().hasDeploymentVersion()) {
            return null;
        }
        return info.getVersioningInfo().getDeploymentVersion().getBuildId();
    }
}
