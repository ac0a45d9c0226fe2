package dev.wci.lambda.worker;

/**
 * What the server said about the tasks waiting for a worker's version, when its idle timeout ran out.
 *
 * @param tasks   tasks waiting (approximate backlog) on the task queue types the worker polls; 0 when failed
 * @param failure why the server could not say (status and message), or null when it answered
 */
record Backlog(long tasks, String failure) {

    static Backlog of(long tasks) {
        return new Backlog(tasks, null);
    }

    static Backlog failed(String why) {
        return new Backlog(0, why);
    }

    boolean tasksWaiting() {
        return failure == null && tasks > 0;
    }
}
