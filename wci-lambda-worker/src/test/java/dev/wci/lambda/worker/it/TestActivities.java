package dev.wci.lambda.worker.it;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInterface;

/** An activity whose first attempt can be made slow, to outlive an invocation. */
@ActivityInterface
public interface TestActivities {

    String work(long firstAttemptMillis);

    /** The implementation: sleeps on the first attempt (the simulated work), answers with the attempt. */
    final class Impl implements TestActivities {
        @Override
        public String work(long firstAttemptMillis) {
            int attempt = Activity.getExecutionContext().getInfo().getAttempt();
            if (attempt == 1 && firstAttemptMillis > 0) {
                try {
                    Thread.sleep(firstAttemptMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw Activity.wrap(e);
                }
            }
            return "attempt " + attempt;
        }
    }
}
