package dev.wci.dev.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wci.core.scaling.GroupStatus;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.local.lambda.ExecutionMode;
import dev.wci.lambda.worker.it.DevServerExtension;
import dev.wci.dev.demo.DemoWorkflows;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 9: WCI's ledger follows the real workers. Real dev server, local Lambda runtime, wci-lambda-worker: the
 * worker census lists each worker WCI invoked (the ledger learns its real cold start), and once the workers exit
 * idle the census shows none running and the ledger counts none ready: the believed-vs-census gap is back to 0.
 */
@ExtendWith(DevServerExtension.class)
class CensusLedgerIT {

    @Test
    void theLedgerFollowsRealExits(DevServerExtension.DevServer server) throws Exception {
        try (WciTestBed bed = new WciTestBed(server, 1, ExecutionMode.PROCESS, "", "")) {
            DeploymentVersion v1 = new DeploymentVersion(bed.deployment, "v1");
            await().atMost(Duration.ofSeconds(60)).until(() -> bed.invocations(1).size() >= 1);
            bed.setCurrent("v1");
            await().atMost(Duration.ofSeconds(120)).until(() -> bed.runtime.inFlight() == 0);

            List<WorkflowStub> workflows = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                DemoWorkflows.Pinned wf = bed.client.newWorkflowStub(DemoWorkflows.Pinned.class, WorkflowOptions
                        .newBuilder().setTaskQueue(bed.taskQueue).setWorkflowId(bed.id + "-" + i).build());
                WorkflowClient.start(wf::run, false, 200);
                workflows.add(WorkflowStub.fromTyped(wf));
            }
            for (WorkflowStub wf : workflows) {
                assertEquals("v1", wf.getResult(180, TimeUnit.SECONDS, DemoWorkflows.Result.class).buildId());
            }

            // Every worker exits idle; the census sees it and the ledger follows: nothing believed ready, gap 0.
            await().atMost(Duration.ofSeconds(120)).until(() -> bed.runtime.inFlight() == 0);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
                JsonNode census = census(bed);
                return census.get("running").asInt() == 0 && census.get("gap").asInt() == 0
                        && bed.wci.scaler().live(v1) == 0;
            });
            JsonNode census = census(bed);
            assertEquals("available", bed.status().at("/temporal/census/state").asText());
            assertEquals("AVAILABLE", census.get("availability").asText());
            JsonNode scaler = version(bed).get("scaler").get("census");
            assertTrue(scaler.get("live").asBoolean(), "the scaler counts from the census: " + scaler);
            assertEquals(0.0, bed.metric("wci_census_gap_workers", "build_id=\"v1\""));
            assertEquals(1.0, bed.metric("wci_census_available", "build_id=\"v1\""));

            GroupStatus g = bed.wci.scaler().status().stream().filter(s -> s.group().version().equals(v1))
                    .findFirst().orElseThrow();
            assertTrue(g.census().seen() >= 1, "the census listed the workers WCI invoked: " + g.census());
            double coldStarts = bed.metric("wci_worker_cold_start_seconds_count", "build_id=\"v1\"");
            assertTrue(coldStarts >= 1, "real cold starts measured: " + coldStarts);
            System.out.printf("E2E census: %d invocations, %d seen by the census, %.0f cold starts measured "
                            + "(sum %.1f s), failed starts %d, ListWorkers calls %.0f%n",
                    bed.invocations(1).size(), g.census().seen(), coldStarts,
                    bed.metric("wci_worker_cold_start_seconds_sum", "build_id=\"v1\""), g.census().failedStarts(),
                    bed.metric("wci_temporal_rpc_requests_total", "method=\"ListWorkers\""));
        }
    }

    private static JsonNode census(WciTestBed bed) throws Exception {
        JsonNode census = version(bed).get("census");
        if (census.isNull()) {
            throw new AssertionError("no census for v1 in /status");
        }
        return census;
    }

    private static JsonNode version(WciTestBed bed) throws Exception {
        for (JsonNode d : bed.status().get("deployments")) {
            for (JsonNode v : d.get("versions")) {
                if (v.get("buildId").asText().equals("v1")) {
                    return v;
                }
            }
        }
        throw new AssertionError("no version v1 in /status");
    }
}
