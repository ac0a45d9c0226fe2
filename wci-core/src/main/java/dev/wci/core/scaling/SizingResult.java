package dev.wci.core.scaling;

/**
 * What the sizing step ({@link Sizing#size}) made of its inputs, with each part of the count, so that the decision
 * audit can say why a count came out as it did.
 *
 * @param backlogWhenReady the backlog a worker invoked now will find when it is ready (one cold start ahead)
 * @param desired          workers the demand needs: ceil((arrival rate / target utilization + backlog when ready /
 *                         drain target) / throughput), at least {@code initialBurst} from zero with a backlog, after
 *                         the unproven default's cap
 * @param uncapped         what {@code desired} would be without the unproven default's cap (equal to it when the
 *                         throughput was proven or the cap did not bind): the stream's share, and the arrivals
 *                         projected over a default cold start, add a few workers at most while the per-worker
 *                         throughput is the untouched default (docs/scaler.md)
 * @param trendWant        workers the backlog trend asks for on its own (half the ready fleet, one at least; 0 when
 *                         the trend is not behind or workers are still starting on time)
 * @param replace          of the count, replacements of expiring or late workers
 * @param grow             of the count, growth beyond replacements (bounded by the tasks new workers can find, none
 *                         while the fleet has spare capacity but one for unmatched tasks)
 * @param reason           why: the invoke reason, {@code QUEUE_RATE_LIMITED} for a hold, or null when nothing is wanted
 */
public record SizingResult(double backlogWhenReady, int desired, int uncapped, int trendWant, int replace, int grow,
                           DecisionReason reason) {

    /** Nothing to invoke (the common case: a constant, so deciding nothing allocates nothing). */
    public static final SizingResult NOTHING = new SizingResult(0, 0, 0, 0, 0, 0, null);

    /** Whether the unproven default's cap lowered {@code desired}. */
    public boolean capped() {
        return uncapped > desired;
    }

    /** Workers to invoke, before limits. */
    public int want() {
        return replace + grow;
    }
}
