package dev.wci.sim;

/**
 * The outcome of one workload × algorithm run.
 *
 * @param workload          workload name
 * @param algorithm         algorithm name
 * @param p50               schedule-to-start latency percentiles and maximum, in seconds, over every
 *                          task attempt (a task never started by the end counts with its wait so far)
 * @param tasks             tasks completed
 * @param invocations       invocations accepted by Lambda
 * @param workerSeconds     sum over workers of end − accept time (cold start included)
 * @param idleWorkerSeconds cold starts plus time ready with no task in flight
 * @param peakWorkers       most live workers at any moment
 * @param throttles         invocations refused with 429
 * @param describeCalls     stats observations (Temporal describe calls)
 * @param unfinished        tasks not completed when the run ended (horizon reached)
 * @param endSeconds        simulated time at which the run ended
 * @param series            sampled backlog and live workers
 */
public record SimResult(String workload, String algorithm, double p50, double p95, double p99, double max,
                        long tasks, long invocations, double workerSeconds, double idleWorkerSeconds,
                        int peakWorkers, long throttles, long describeCalls, long unfinished, double endSeconds,
                        TimeSeries series) {

    /**
     * Backlog (all versions) and live workers sampled every {@code intervalSeconds} from time zero, and the same per
     * version ({@code [version][sample]}).
     */
    public record TimeSeries(double intervalSeconds, int[] backlog, int[] liveWorkers, int[][] backlogByVersion,
                             int[][] liveByVersion) {

        /** One version: its series are the totals. */
        public TimeSeries(double intervalSeconds, int[] backlog, int[] liveWorkers) {
            this(intervalSeconds, backlog, liveWorkers, new int[][] {backlog}, new int[][] {liveWorkers});
        }

        public int size() {
            return backlog.length;
        }
    }

    /** Same numbers (series excluded): what "same seed, same result" compares. */
    public String summary() {
        return String.join(",", workload, algorithm, Double.toString(p50), Double.toString(p95),
                Double.toString(p99), Double.toString(max), Long.toString(tasks), Long.toString(invocations),
                Double.toString(workerSeconds), Double.toString(idleWorkerSeconds), Integer.toString(peakWorkers),
                Long.toString(throttles), Long.toString(describeCalls), Long.toString(unfinished),
                Double.toString(endSeconds));
    }
}
