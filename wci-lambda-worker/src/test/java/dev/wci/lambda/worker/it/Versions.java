package dev.wci.lambda.worker.it;

import static org.awaitility.Awaitility.await;

import io.temporal.api.workflowservice.v1.SetWorkerDeploymentCurrentVersionRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;

/** Worker Deployment helpers for tests. */
final class Versions {

    private Versions() {
    }

    /**
     * Makes the version Current, waiting until the server knows it (a version exists once one of its
     * workers has polled). Unversioned and new workflows then go to this version.
     */
    static void setCurrent(WorkflowServiceStubs stubs, String namespace, String deployment, String buildId) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> {
                    stubs.blockingStub().setWorkerDeploymentCurrentVersion(
                            SetWorkerDeploymentCurrentVersionRequest.newBuilder()
                                    .setNamespace(namespace)
                                    .setDeploymentName(deployment)
                                    .setBuildId(buildId)
                                    .setIdentity("wci-test")
                                    .build());
                    return true;
                });
    }
}
