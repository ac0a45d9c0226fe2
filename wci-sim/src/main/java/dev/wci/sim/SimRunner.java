package dev.wci.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Runs every workload against every named algorithm with one seed and one model configuration. For a
 * given workload all algorithms see the same arrivals and the same cold-start draws.
 */
public final class SimRunner {

    private final SimAlgorithms algorithms;
    private final SimConfig config;
    private final long seed;

    public SimRunner(SimAlgorithms algorithms, SimConfig config, long seed) {
        this.algorithms = Objects.requireNonNull(algorithms, "algorithms");
        this.config = Objects.requireNonNull(config, "config");
        this.seed = seed;
    }

    /** Results in workload order, then algorithm order. */
    public List<SimResult> run(List<Workload> workloads, List<String> algorithmNames) {
        for (String name : algorithmNames) {
            if (!algorithms.contains(name)) {
                throw new IllegalArgumentException("unknown algorithm '" + name + "'; known: "
                        + String.join(", ", algorithms.names()));
            }
        }
        List<SimResult> results = new ArrayList<>();
        for (Workload w : workloads) {
            Arrivals arrivals = w.generate(new RandomStreams(seed).workload());
            for (String name : algorithmNames) {
                results.add(runOne(w, arrivals, name));
            }
        }
        return results;
    }

    private SimResult runOne(Workload w, Arrivals arrivals, String algorithm) {
        // Fresh streams per run: the cold-start draws restart from the same point for each algorithm.
        RandomStreams streams = new RandomStreams(seed);
        return new Simulation(w.name(), arrivals, algorithms.create(algorithm), config, w.versions(), streams)
                .runAtLeast(w.duration()).run();
    }
}
