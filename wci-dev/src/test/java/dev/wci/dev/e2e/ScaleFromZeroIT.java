package dev.wci.dev.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.local.lambda.ExecutionMode;
import dev.wci.local.lambda.InvocationRecord;
import dev.wci.lambda.worker.it.DevServerExtension;
import dev.wci.dev.demo.DemoWorkflows;
import io.temporal.client.WorkflowClient;
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
 * Issue #5, e2e 1: with no worker running, 50 workflows on the Current version make WCI invoke workers on the
 * local Lambda runtime (each a real JVM running wci-lambda-worker against the real dev server); all complete,
 * invocations stay within the policy, and the reaction time is in the metrics. Prints the measured latencies.
 */
@ExtendWith(DevServerExtension.class)
class ScaleFromZeroIT {

    static final int WORKFLOWS = 50;

    @Test
    void fiftyWorkflowsFromZeroAllCompleteWithBoundedInvocations(DevServerExtension.DevServer server) throws Exception {
        try (WciTestBed bed = new WciTestBed(server, 1, ExecutionMode.PROCESS, "", "")) {
            // The version is new to Temporal: WCI bootstraps it with one worker, whose poll registers it.
            await().atMost(Duration.ofSeconds(60)).until(() -> bed.invocations(1).size() >= 1);
            assertEquals("BOOTSTRAP", bed.status().at("/recentDecisions/0/reason").asText());
            bed.setCurrent("v1");
            await().atMost(Duration.ofSeconds(60)).until(() -> bed.runtime.inFlight() == 0);
            int before = bed.invocations(1).size();
            Instant started = Instant.now();

            List<WorkflowStub> workflows = new ArrayList<>();
            for (int i = 0; i < WORKFLOWS; i++) {
                DemoWorkflows.Pinned wf = bed.client.newWorkflowStub(DemoWorkflows.Pinned.class, WorkflowOptions
                        .newBuilder().setTaskQueue(bed.taskQueue).setWorkflowId(bed.id + "-" + i).build());
                WorkflowClient.start(wf::run, false, 200);
                workflows.add(WorkflowStub.fromTyped(wf));
            }
            for (WorkflowStub wf : workflows) {
                assertEquals("v1", wf.getResult(180, TimeUnit.SECONDS, DemoWorkflows.Result.class).buildId());
            }
            Duration elapsed = Duration.between(started, Instant.now());

            List<InvocationRecord> invoked = bed.invocations(1).subList(before, bed.invocations(1).size());
            // Never more than the version cap live at once; over the run, workers that exit idle are replaced.
            assertTrue(invoked.size() >= 1 && invoked.size() <= 20, "invocations: " + invoked.size());
            double reactions = bed.metric("wci_reaction_seconds_count", "");
            assertTrue(reactions >= 1, "reaction time recorded");

            Instant firstTask = bed.firstScheduled(workflows.get(0).getExecution().getWorkflowId());
            Instant firstInvoke = invoked.get(0).receivedAt();
            double describes = bed.metric("wci_temporal_rpc_requests_total",
                    "method=\"DescribeWorkerDeploymentVersion\"");
            System.out.printf("E2E scale-from-zero: %d workflows done in %.1f s with %d invocations; first task scheduled"
                            + " -> first invoke received %d ms; decision (signal seen -> invoke sent) p50 %.3f ms p99"
                            + " %.3f ms over %.0f decisions; DescribeWorkerDeploymentVersion calls so far %.0f%n",
                    WORKFLOWS, elapsed.toMillis() / 1000.0, invoked.size(),
                    Duration.between(firstTask, firstInvoke).toMillis(),
                    1000 * bed.metric("wci_reaction_seconds", "quantile=\"0.5\""),
                    1000 * bed.metric("wci_reaction_seconds", "quantile=\"0.99\""), reactions, describes);
            assertTrue(firstInvoke.isAfter(firstTask), "the invoke follows the task");
        }
    }
}
