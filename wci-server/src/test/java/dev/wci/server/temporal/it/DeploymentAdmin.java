package dev.wci.server.temporal.it;

import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.deployment.v1.WorkerDeploymentVersion;
import io.temporal.api.workflowservice.v1.SetWorkerDeploymentCurrentVersionRequest;
import io.temporal.api.workflowservice.v1.SetWorkerDeploymentRampingVersionRequest;
import io.temporal.api.workflowservice.v1.UpdateWorkerDeploymentVersionMetadataRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** What an operator does to a deployment: set Current and Ramping, write version metadata. */
final class DeploymentAdmin {

    private final WorkflowServiceStubs stubs;
    private final String namespace;

    DeploymentAdmin(WorkflowServiceStubs stubs, String namespace) {
        this.stubs = stubs;
        this.namespace = namespace;
    }

    /** Makes the version Current, retrying until the server knows it (it exists once one of its workers polled). */
    void setCurrent(String deployment, String buildId) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            stubs.blockingStub().setWorkerDeploymentCurrentVersion(SetWorkerDeploymentCurrentVersionRequest
                    .newBuilder().setNamespace(namespace).setDeploymentName(deployment).setBuildId(buildId)
                    .setIdentity("wci-it").build());
            return true;
        });
    }

    void setRamping(String deployment, String buildId, float percentage) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            stubs.blockingStub().setWorkerDeploymentRampingVersion(SetWorkerDeploymentRampingVersionRequest
                    .newBuilder().setNamespace(namespace).setDeploymentName(deployment).setBuildId(buildId)
                    .setPercentage(percentage).setIdentity("wci-it").build());
            return true;
        });
    }

    /** Stores {@code json} (a JSON value) under {@code key}, as the CLI's update-version-metadata does. */
    void putMetadata(String deployment, String buildId, String key, String json) {
        stubs.blockingStub().updateWorkerDeploymentVersionMetadata(UpdateWorkerDeploymentVersionMetadataRequest
                .newBuilder().setNamespace(namespace)
                .setDeploymentVersion(WorkerDeploymentVersion.newBuilder().setDeploymentName(deployment)
                        .setBuildId(buildId))
                .putUpsertEntries(key, Payload.newBuilder()
                        .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
                        .setData(ByteString.copyFrom(json, StandardCharsets.UTF_8)).build())
                .setIdentity("wci-it").build());
    }
}
