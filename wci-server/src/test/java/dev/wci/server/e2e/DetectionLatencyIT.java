package dev.wci.server.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.lambda.local.ExecutionMode;
import dev.wci.lambda.local.InvocationRecord;
import dev.wci.lambda.worker.it.DevServerExtension;
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
 * Scale-from-zero detection latency, repeated: each round starts one workflow while no worker is live and
 * measures its first task scheduled (workflow history) → the invoke the local Lambda runtime received; the
 * worker then exits idle before the next round. Prints p50/p99 over the rounds, and the describe-call rate.
 */
@ExtendWith(DevServerExtension.class)
class DetectionLatencyIT {

    static final int ROUNDS = 8;

    @Test
    void everyScaleFromZeroIsDetectedAndInvokedWithinSeconds(DevServerExtension.DevServer server) throws Exception {
        try (WciTestBed bed = new WciTestBed(server, 1, ExecutionMode.PROCESS, "", "")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> bed.invocations(1).size() >= 1);
            bed.setCurrent("v1");
            List<Long> latencies = new ArrayList<>();
            Instant t0 = null;
            double describes0 = 0;
            for (int round = 0; round < ROUNDS; round++) {
                await().atMost(Duration.ofSeconds(60)).until(() -> bed.runtime.inFlight() == 0
                        && bed.wci.scaler().live(new dev.wci.core.version.DeploymentVersion(bed.deployment, "v1")) == 0);
                if (round == 0) {
                    t0 = Instant.now();
                    describes0 = describes(bed);
                }
                int before = bed.invocations(1).size();
                E2eWorkflows.Pinned wf = bed.client.newWorkflowStub(E2eWorkflows.Pinned.class, WorkflowOptions
                        .newBuilder().setTaskQueue(bed.taskQueue).setWorkflowId(bed.id + "-r" + round).build());
                WorkflowClient.start(wf::run, false, 0);
                assertEquals("v1", WorkflowStub.fromTyped(wf).getResult(90, TimeUnit.SECONDS, String.class));
                Instant scheduled = ScaleFromZeroIT.firstScheduled(bed, bed.id + "-r" + round);
                InvocationRecord invoke = bed.invocations(1).get(before);
                latencies.add(Duration.between(scheduled, invoke.receivedAt()).toMillis());
            }
            double seconds = Duration.between(t0, Instant.now()).toMillis() / 1000.0;
            double describeRate = (describes(bed) - describes0) / seconds;
            latencies.sort(null);
            System.out.printf("E2E detection latency over %d scale-from-zero rounds (task scheduled -> invoke received):"
                            + " p50 %d ms, p99 %d ms, all %s; DescribeWorkerDeploymentVersion %.2f calls/s for one"
                            + " version over %.0f s%n", ROUNDS, ScaleFromZeroIT.pct(latencies, 0.5),
                    ScaleFromZeroIT.pct(latencies, 0.99), latencies, describeRate, seconds);
            assertTrue(latencies.stream().allMatch(l -> l >= 0), latencies.toString());
        }
    }

    private static double describes(WciTestBed bed) throws Exception {
        return bed.metric("wci_temporal_rpc_requests_total", "method=\"DescribeWorkerDeploymentVersion\"");
    }
}
