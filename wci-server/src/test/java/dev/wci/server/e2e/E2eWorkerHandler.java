package dev.wci.server.e2e;

import dev.wci.lambda.worker.LambdaWorkerHandler;
import dev.wci.lambda.worker.LambdaWorkerOptions;
import java.time.Duration;

/**
 * The Lambda handler of the end-to-end tests, started by the local Lambda runtime in its own JVM: version,
 * task queue and server come from the function's environment; {@code TEST_IDLE_MS} shortens the idle exit.
 */
public class E2eWorkerHandler extends LambdaWorkerHandler {

    public E2eWorkerHandler() {
        super(LambdaWorkerOptions.newBuilder()
                .registrar((worker, client) -> {
                    worker.registerWorkflowImplementationTypes(E2eWorkflows.PinnedImpl.class,
                            E2eWorkflows.AutoUpgradeImpl.class);
                    worker.registerActivitiesImplementations(new E2eWorkflows.WorkImpl());
                })
                .idleTimeout(Duration.ofMillis(Long.parseLong(System.getenv().getOrDefault("TEST_IDLE_MS", "3000"))))
                .shutdownBuffer(Duration.ofSeconds(4))
                .shutdownGrace(Duration.ofSeconds(2))
                .build());
    }
}
