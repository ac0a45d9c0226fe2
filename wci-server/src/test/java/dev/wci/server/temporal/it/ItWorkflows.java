package dev.wci.server.temporal.it;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;

/** A trivial workflow with one activity, so a worker polls both a workflow and an activity task queue. */
public final class ItWorkflows {

    private ItWorkflows() {
    }

    @WorkflowInterface
    public interface Echo {
        @WorkflowMethod
        String echo(String text);
    }

    @ActivityInterface
    public interface Upper {
        String upper(String text);
    }

    public static class EchoImpl implements Echo {
        private final Upper upper = Workflow.newActivityStub(Upper.class,
                ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(10)).build());

        @Override
        public String echo(String text) {
            return upper.upper(text);
        }
    }

    public static class UpperImpl implements Upper {
        @Override
        public String upper(String text) {
            return text.toUpperCase(java.util.Locale.ROOT);
        }
    }
}
