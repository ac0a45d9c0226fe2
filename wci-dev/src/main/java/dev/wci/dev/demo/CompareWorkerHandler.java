package dev.wci.dev.demo;

import dev.wci.lambda.worker.LambdaWorkerHandler;
import dev.wci.lambda.worker.LambdaWorkerOptions;
import java.time.Duration;

/**
 * The comparison's worker function ({@link Compare}): the demo's workflows and activity, with the idle exit taken from
 * the function's environment ({@value #IDLE_EXIT_ENV}, milliseconds), so that a comparison can vary it. Both
 * controllers invoke this same function.
 */
public class CompareWorkerHandler extends LambdaWorkerHandler {

    /** The function's environment variable holding the idle exit in milliseconds. */
    static final String IDLE_EXIT_ENV = "WCI_COMPARE_IDLE_EXIT_MS";

    public CompareWorkerHandler() {
        super(LambdaWorkerOptions.newBuilder()
                .registrar((worker, client) -> {
                    worker.registerWorkflowImplementationTypes(DemoWorkflows.PinnedImpl.class,
                            DemoWorkflows.AutoUpgradeImpl.class);
                    worker.registerActivitiesImplementations(new DemoWorkflows.WorkImpl());
                })
                .idleTimeout(idleExit(System.getenv(IDLE_EXIT_ENV)))
                .shutdownBuffer(DemoWorkerHandler.SHUTDOWN_BUFFER)
                .shutdownGrace(Duration.ofSeconds(3))
                .build());
    }

    /** The idle exit from the environment's value; the demo's when it is unset or not a whole number. */
    static Duration idleExit(String millis) {
        try {
            return millis == null ? DemoWorkerHandler.IDLE_EXIT : Duration.ofMillis(Long.parseLong(millis.strip()));
        } catch (NumberFormatException e) {
            return DemoWorkerHandler.IDLE_EXIT;
        }
    }
}
