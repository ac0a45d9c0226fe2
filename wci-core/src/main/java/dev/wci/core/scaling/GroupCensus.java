package dev.wci.core.scaling;

import java.time.Instant;

/**
 * What the worker census says of a group, for {@code /status} and metrics.
 *
 * @param live              whether the group's counts come from the census (a snapshot within the freshness bound);
 *                          otherwise they come from the model
 * @param asOf              when the latest snapshot was read, or null if none since the census became unavailable
 * @param unavailableReason why the census cannot be read, or null
 * @param confirmed         live workers the census lists as running (adopted ones included)
 * @param adopted           of those, workers this process did not invoke
 * @param seen              workers of this process the census listed, in total
 * @param failedStarts      invocations never listed within the failed-start bound, in total
 * @param heldSince         since when reads have failed while the last facts are held (see
 *                          {@link CensusPolicy#outageHold()}), or null
 * @param slotsPerWorker    tasks one worker runs at once, the fewest the census has listed for the group (0 until it
 *                          lists a worker with its slots)
 */
public record GroupCensus(boolean live, Instant asOf, String unavailableReason, int confirmed, int adopted,
                          long seen, long failedStarts, Instant heldSince, int slotsPerWorker) {
}
