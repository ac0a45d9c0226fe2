package dev.wci.core.scaling;

/**
 * What a decision was computed from, recorded with it for the audit.
 *
 * @param trigger          what caused the evaluation: {@code signal} or {@code tick}
 * @param backlog          estimated tasks waiting (observed backlog plus sync-match failures since)
 * @param arrivalRate      estimated sustained arrivals per second
 * @param workerThroughput tasks per second one worker completes (learned or default)
 * @param coldStartMillis  estimated time from invoke to a polling worker
 * @param desired          workers needed: ceil((arrival rate / target utilization + backlog when ready / drain
 *                         target) / throughput), the backlog projected one cold start ahead (docs/scaler.md)
 * @param live             live workers (starting, ready, expiring) when deciding
 * @param rateLimited      whether the queue's rate limit was active
 */
public record DecisionInputs(String trigger, double backlog, double arrivalRate, double workerThroughput,
                             long coldStartMillis, int desired, LiveWorkers live, boolean rateLimited) {
}
