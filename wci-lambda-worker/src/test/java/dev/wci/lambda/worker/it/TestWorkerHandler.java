package dev.wci.lambda.worker.it;

import dev.wci.lambda.worker.LambdaWorkerHandler;
import dev.wci.lambda.worker.LambdaWorkerOptions;
import java.time.Duration;

/**
 * The handler class the local Lambda runtime starts in its own JVM: everything (version, task queue,
 * server) comes from the function's environment, as on AWS. {@code TEST_IDLE_MS} shortens the idle exit.
 */
public class TestWorkerHandler extends LambdaWorkerHandler {

    public TestWorkerHandler() {
        super(LambdaWorkerOptions.newBuilder()
                .registrar((worker, client) -> {
                    worker.registerWorkflowImplementationTypes(TestWorkflowImpl.class);
                    worker.registerActivitiesImplementations(new TestActivities.Impl());
                })
                .idleTimeout(Duration.ofMillis(Long.parseLong(System.getenv().getOrDefault("TEST_IDLE_MS", "5000"))))
                .shutdownBuffer(Duration.ofSeconds(4))
                .shutdownGrace(Duration.ofSeconds(2))
                .build());
    }
}
