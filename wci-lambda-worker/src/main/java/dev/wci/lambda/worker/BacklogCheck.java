package dev.wci.lambda.worker;

import java.time.Duration;
import java.util.Set;

/** Asks the server, once and within a time limit, how many tasks wait for the worker's version. */
@FunctionalInterface
interface BacklogCheck {

    /**
     * @param polled  the task queue kinds the worker polls
     * @param timeout the longest the call may take
     * @return the backlog, or a failure (never throws)
     */
    Backlog check(Set<TaskActivity.Kind> polled, Duration timeout);
}
