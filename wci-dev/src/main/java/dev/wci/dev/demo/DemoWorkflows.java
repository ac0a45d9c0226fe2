package dev.wci.dev.demo;

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
 * The demo's workflows: optionally wait for a signal, then run one activity that answers with the build ID of
 * the worker that ran it, so the demo sees which Lambda version did the work. One Pinned type (stays on the
 * version it started on) and one Auto-Upgrade type (moves to the Current version at its next workflow task).
 */
public final class DemoWorkflows {

    /** The environment variable the worker function's build ID is read from (set by the local runtime). */
    static final String BUILD_ID_ENV = "TEMPORAL_WORKER_BUILD_ID";

    private DemoWorkflows() {
    }

    /**
     * A workflow's answer.
     *
     * @param buildId           the build ID of the worker that ran the activity
     * @param firstTaskWaitMillis how long the first workflow task waited for a worker (run start → task start)
     */
    public record Result(String buildId, long firstTaskWaitMillis) {
    }

    /** Pinned: stays on the version it started on, until it completes. */
    @WorkflowInterface
    public interface Pinned {
        @WorkflowMethod
        Result run(boolean waitForSignal, int activityMillis);

        @SignalMethod
        void proceed();
    }

    /** Auto-Upgrade: moves to the Current version at its next workflow task. */
    @WorkflowInterface
    public interface AutoUpgrade {
        @WorkflowMethod
        Result run(boolean waitForSignal, int activityMillis);

        @SignalMethod
        void proceed();
    }

    @ActivityInterface
    public interface Work {
        /** Works for {@code millis}, then answers with the worker's build ID. */
        String work(int millis);
    }

    private static Result body(boolean waitForSignal, int activityMillis, boolean[] proceed) {
        // Both timestamps come from history, so this is deterministic on replay.
        long firstTaskWait = Math.max(0, Workflow.currentTimeMillis() - Workflow.getInfo().getRunStartedTimestampMillis());
        if (waitForSignal) {
            Workflow.await(() -> proceed[0]);
        }
        Work work = Workflow.newActivityStub(Work.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMillis(activityMillis).plusSeconds(20))
                .setRetryOptions(RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(1))
                        .setBackoffCoefficient(1.0).setMaximumAttempts(20).build())
                .build());
        return new Result(work.work(activityMillis), firstTaskWait);
    }

    public static class PinnedImpl implements Pinned {
        private final boolean[] proceed = {false};

        @Override
        @WorkflowVersioningBehavior(VersioningBehavior.PINNED)
        public Result run(boolean waitForSignal, int activityMillis) {
            return body(waitForSignal, activityMillis, proceed);
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
        public Result run(boolean waitForSignal, int activityMillis) {
            return body(waitForSignal, activityMillis, proceed);
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
            return System.getenv(BUILD_ID_ENV);
        }
    }
}
