package dev.wci.lambda.worker.it;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** Runs one activity; its first attempt takes {@code firstAttemptMillis}. */
@WorkflowInterface
public interface TestWorkflow {

    @WorkflowMethod
    String run(long firstAttemptMillis);
}
