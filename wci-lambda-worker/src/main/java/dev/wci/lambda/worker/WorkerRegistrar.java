package dev.wci.lambda.worker;

import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;

/**
 * Registers the function's workflows and activities on the worker of one invocation. Called once per
 * invocation, on a fresh worker; activity instances may be created here or reused across invocations.
 */
@FunctionalInterface
public interface WorkerRegistrar {

    /**
     * @param worker the invocation's worker, not yet started
     * @param client the invocation's client (for activities that start or signal workflows)
     */
    void register(Worker worker, WorkflowClient client);
}
