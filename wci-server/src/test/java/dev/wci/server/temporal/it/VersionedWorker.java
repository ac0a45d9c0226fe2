package dev.wci.server.temporal.it;

import io.temporal.client.WorkflowClient;
import io.temporal.common.VersioningBehavior;
import io.temporal.common.WorkerDeploymentVersion;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerDeploymentOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.util.concurrent.TimeUnit;

/** A real Java SDK worker of one Worker Deployment Version, in-process: its first poll creates the version. */
final class VersionedWorker implements AutoCloseable {

    private final WorkerFactory factory;

    VersionedWorker(WorkflowClient client, String deployment, String buildId, String taskQueue) {
        factory = WorkerFactory.newInstance(client);
        Worker worker = factory.newWorker(taskQueue, WorkerOptions.newBuilder()
                .setDeploymentOptions(WorkerDeploymentOptions.newBuilder()
                        .setUseVersioning(true)
                        .setVersion(new WorkerDeploymentVersion(deployment, buildId))
                        .setDefaultVersioningBehavior(VersioningBehavior.AUTO_UPGRADE)
                        .build())
                .build());
        worker.registerWorkflowImplementationTypes(ItWorkflows.EchoImpl.class);
        worker.registerActivitiesImplementations(new ItWorkflows.UpperImpl());
        factory.start();
    }

    /** Stops polling: from now on the version's tasks find no worker. */
    @Override
    public void close() {
        factory.shutdownNow();
        factory.awaitTermination(10, TimeUnit.SECONDS);
    }
}
