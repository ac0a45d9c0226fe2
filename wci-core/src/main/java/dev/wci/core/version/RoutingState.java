package dev.wci.core.version;

/**
 * Where Temporal routes new work for a version. Unpinned work goes to Current, and to Ramping by
 * percentage; pinned work stays on its version, so Draining versions still receive tasks.
 */
public sealed interface RoutingState {

    /** The version new unpinned workflows start on. */
    record Current() implements RoutingState {
    }

    /** The version that receives {@code percentage} of new unpinned work. */
    record Ramping(double percentage) implements RoutingState {
        public Ramping {
            if (!(percentage >= 0 && percentage <= 100)) {
                throw new IllegalArgumentException("ramp percentage must be within 0..100, got " + percentage);
            }
        }
    }

    /** No longer Current or Ramping, but pinned workflows still run on it. */
    record Draining() implements RoutingState {
    }

    /** Never activated, or drained: no work is routed to it. */
    record Inactive() implements RoutingState {
    }

    RoutingState CURRENT = new Current();
    RoutingState DRAINING = new Draining();
    RoutingState INACTIVE = new Inactive();
}
