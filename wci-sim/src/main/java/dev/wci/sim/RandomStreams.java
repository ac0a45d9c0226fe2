package dev.wci.sim;

import java.util.SplittableRandom;

/**
 * The independent random streams of one run, all derived from the run seed in a fixed order. Each
 * component has its own, so changing an algorithm does not change the task arrivals or the Lambda
 * cold-start draws.
 */
public final class RandomStreams {
    private final SplittableRandom workload;
    private final SplittableRandom lambda;
    private final SplittableRandom algorithm;

    public RandomStreams(long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        this.workload = root.split();
        this.lambda = root.split();
        this.algorithm = root.split();
    }

    /** Task arrivals and durations. */
    public SplittableRandom workload() {
        return workload;
    }

    /** Cold-start draws, one per accepted invocation in acceptance order. */
    public SplittableRandom lambda() {
        return lambda;
    }

    /** Handed to the algorithm through {@link SimContext#random()}. */
    public SplittableRandom algorithm() {
        return algorithm;
    }
}
