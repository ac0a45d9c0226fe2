package com.example.hello;

import dev.wci.lambda.worker.LambdaWorkerHandler;
import dev.wci.lambda.worker.LambdaWorkerOptions;
import io.temporal.common.VersioningBehavior;
import java.time.Duration;

/**
 * The Lambda handler: set the function's handler to {@code com.example.hello.HelloWorkerHandler}.
 *
 * <p>The Worker Deployment Version comes from the function's environment
 * ({@code TEMPORAL_DEPLOYMENT_NAME}, {@code TEMPORAL_WORKER_BUILD_ID}), as do the task queue
 * ({@code TEMPORAL_TASK_QUEUE}) and the connection ({@code TEMPORAL_ADDRESS}, {@code TEMPORAL_NAMESPACE},
 * {@code TEMPORAL_API_KEY}, {@code TEMPORAL_TLS_*}). Publish one Lambda version per build ID.
 */
public class HelloWorkerHandler extends LambdaWorkerHandler {

    public HelloWorkerHandler() {
        super(LambdaWorkerOptions.newBuilder()
                .registrar((worker, client) -> {
                    worker.registerWorkflowImplementationTypes(HelloWorkflowImpl.class);
                    worker.registerActivitiesImplementations(new HelloActivitiesImpl());
                })
                // Pinned (the default) keeps each workflow on the Lambda version that started it.
                .defaultVersioningBehavior(VersioningBehavior.PINNED)
                // Exit after 5 s without work; stop polling 10 s before the function timeout.
                .idleTimeout(Duration.ofSeconds(5))
                .shutdownBuffer(Duration.ofSeconds(10))
                .shutdownGrace(Duration.ofSeconds(6))
                .build());
    }
}
