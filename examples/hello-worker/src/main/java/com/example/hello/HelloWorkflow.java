package com.example.hello;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** Greets someone through an activity. */
@WorkflowInterface
public interface HelloWorkflow {

    @WorkflowMethod
    String greet(String name);
}
