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
 * @param fromCensus       whether {@code live} came from the worker census (ready = listed as running, starting =
 *                         invoked and not yet listed) rather than from the model (estimated readiness, predicted
 *                         idle exits)
 * @param adopted          of the ready workers, those the census listed that this process did not invoke
 * @param sizing           how the sizing step came to its count (its parts and reason), or null when the decision
 *                         was not sized (bootstrap)
 * @param backlogSources   how {@code backlog} was learnt (the stats picture's own backlog, failures per origin), or
 *                         null when the decision was not sized
 */
public record DecisionInputs(String trigger, double backlog, double arrivalRate, double workerThroughput,
                             long coldStartMillis, int desired, LiveWorkers live, boolean rateLimited,
                             boolean fromCensus, int adopted, SizingResult sizing, BacklogSources backlogSources) {

    /** Inputs of a sized decision whose backlog's sources are not told. */
    public DecisionInputs(String trigger, double backlog, double arrivalRate, double workerThroughput,
                          long coldStartMillis, int desired, LiveWorkers live, boolean rateLimited,
                          boolean fromCensus, int adopted, SizingResult sizing) {
        this(trigger, backlog, arrivalRate, workerThroughput, coldStartMillis, desired, live, rateLimited, fromCensus,
                adopted, sizing, null);
    }

    /** Inputs of a decision that was not sized. */
    public DecisionInputs(String trigger, double backlog, double arrivalRate, double workerThroughput,
                          long coldStartMillis, int desired, LiveWorkers live, boolean rateLimited,
                          boolean fromCensus, int adopted) {
        this(trigger, backlog, arrivalRate, workerThroughput, coldStartMillis, desired, live, rateLimited, fromCensus,
                adopted, null, null);
    }

    /** Inputs whose live counts come from the model. */
    public DecisionInputs(String trigger, double backlog, double arrivalRate, double workerThroughput,
                          long coldStartMillis, int desired, LiveWorkers live, boolean rateLimited) {
        this(trigger, backlog, arrivalRate, workerThroughput, coldStartMillis, desired, live, rateLimited, false, 0);
    }
}
