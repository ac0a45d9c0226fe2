package com.example.hello;

import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * Keep activity timeouts well below the function timeout: an activity interrupted when an invocation
 * ends is retried by Temporal after its start-to-close timeout, on a later invocation.
 */
public class HelloWorkflowImpl implements HelloWorkflow {

    private final HelloActivities activities = Workflow.newActivityStub(HelloActivities.class,
            ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(30)).build());

    @Override
    public String greet(String name) {
        return activities.composeGreeting("Hello", name);
    }
}
