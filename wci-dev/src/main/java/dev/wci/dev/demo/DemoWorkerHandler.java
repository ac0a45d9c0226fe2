package dev.wci.dev.demo;

import dev.wci.lambda.worker.LambdaWorkerHandler;
import dev.wci.lambda.worker.LambdaWorkerOptions;
import java.time.Duration;

/**
 * The demo's worker function, run by the local Lambda runtime in its own JVM per invocation. Version, task
 * queue and server come from the function's environment. It exits after {@link #IDLE_EXIT} without work, so
 * scale-in shows within seconds.
 */
public class DemoWorkerHandler extends LambdaWorkerHandler {

    /** Also written into WCI's configuration ({@code workerIdleExit}), so its ledger matches the workers. */
    static final Duration IDLE_EXIT = Duration.ofSeconds(3);
    /** Also WCI's {@code shutdownBuffer}: the worker stops polling this long before the function timeout. */
    static final Duration SHUTDOWN_BUFFER = Duration.ofSeconds(5);

    public DemoWorkerHandler() {
        super(LambdaWorkerOptions.newBuilder()
                .registrar((worker, client) -> {
                    worker.registerWorkflowImplementationTypes(DemoWorkflows.PinnedImpl.class,
                            DemoWorkflows.AutoUpgradeImpl.class);
                    worker.registerActivitiesImplementations(new DemoWorkflows.WorkImpl());
                })
                .idleTimeout(IDLE_EXIT)
                .shutdownBuffer(SHUTDOWN_BUFFER)
                .shutdownGrace(Duration.ofSeconds(3))
                .build());
    }
}
