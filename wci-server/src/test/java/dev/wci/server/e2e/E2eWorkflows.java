package dev.wci.server.e2e;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.common.VersioningBehavior;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import io.temporal.workflow.WorkflowVersioningBehavior;
import java.time.Duration;

/**
 * Workflows the end-to-end tests run on Lambda workers: optionally wait for a signal, then run one activity
 * that answers with the build ID of the worker that ran it (so a test sees which Lambda version did the work).
 */
public final class E2eWorkflows {

    private E2eWorkflows() {
    }

    /** Pinned: stays on the version it started on. */
    @WorkflowInterface
    public interface Pinned {
        @WorkflowMethod
        String run(boolean waitForSignal, int activityMillis);

        @SignalMethod
        void proceed();
    }

    /** Auto-Upgrade: moves to the Current version at its next workflow task. */
    @WorkflowInterface
    public interface AutoUpgrade {
        @WorkflowMethod
        String run(boolean waitForSignal, int activityMillis);

        @SignalMethod
        void proceed();
    }

    @ActivityInterface
    public interface Work {
        /** Works for {@code millis}, then answers with the worker's build ID. */
        String work(int millis);
    }

    static String runBody(Work work, boolean waitForSignal, int activityMillis, boolean[] proceed) {
        if (waitForSignal) {
            Workflow.await(() -> proceed[0]);
        }
        return work.work(activityMillis);
    }

    static Work activities() {
        return Workflow.newActivityStub(Work.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(20))
                .setRetryOptions(RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(1))
                        .setBackoffCoefficient(1.0).setMaximumAttempts(20).build())
                .build());
    }

    public static class PinnedImpl implements Pinned {
        private final boolean[] proceed = {false};

        @Override
        @WorkflowVersioningBehavior(VersioningBehavior.PINNED)
        public String run(boolean waitForSignal, int activityMillis) {
            return runBody(activities(), waitForSignal, activityMillis, proceed);
        }

        @Override
        public void proceed() {
            proceed[0] = true;
        }
    }

    public static class AutoUpgradeImpl implements AutoUpgrade {
        private final boolean[] proceed = {false};

        @Override
        @WorkflowVersioningBehavior(VersioningBehavior.AUTO_UPGRADE)
        public String run(boolean waitForSignal, int activityMillis) {
            return runBody(activities(), waitForSignal, activityMillis, proceed);
        }

        @Override
        public void proceed() {
            proceed[0] = true;
        }
    }

    public static class WorkImpl implements Work {
        @Override
        public String work(int millis) {
            if (millis > 0) {
                try {
                    Thread.sleep(millis); // the simulated work
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw io.temporal.activity.Activity.wrap(e);
                }
            }
            return System.getenv("TEMPORAL_WORKER_BUILD_ID");
        }
    }
}
