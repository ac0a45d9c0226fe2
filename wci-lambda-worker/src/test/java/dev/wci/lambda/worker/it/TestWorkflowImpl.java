package dev.wci.lambda.worker.it;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/** A workflow whose activity is retried quickly when an invocation ends under it. */
public class TestWorkflowImpl implements TestWorkflow {

    private final TestActivities activities = Workflow.newActivityStub(TestActivities.class,
            ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofSeconds(4))
                    .setRetryOptions(RetryOptions.newBuilder()
                            .setInitialInterval(Duration.ofSeconds(1))
                            .setBackoffCoefficient(1.0)
                            .setMaximumAttempts(10)
                            .build())
                    .build());

    @Override
    public String run(long firstAttemptMillis) {
        return activities.work(firstAttemptMillis);
    }
}
