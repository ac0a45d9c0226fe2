package dev.wci.sim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The algorithms the simulator can compare, by name, in registration order. Each run gets a fresh
 * instance from the factory. Immutable: {@link #with} returns a new registry.
 */
public final class SimAlgorithms {

    private final Map<String, Supplier<SimAlgorithm>> factories;

    private SimAlgorithms(Map<String, Supplier<SimAlgorithm>> factories) {
        this.factories = Collections.unmodifiableMap(factories);
    }

    /** The registered algorithms. Adding one is one line here. */
    public static SimAlgorithms defaults() {
        return empty()
                .with(WciSimAlgorithm.NAME, WciSimAlgorithm::new)
                .with(ReferenceNoSyncAlgorithm.NAME, ReferenceNoSyncAlgorithm::new)
                .with(KedaLikeAlgorithm.NAME, KedaLikeAlgorithm::new);
    }

    public static SimAlgorithms empty() {
        return new SimAlgorithms(new LinkedHashMap<>());
    }

    /** A registry with {@code name} added (or replaced). */
    public SimAlgorithms with(String name, Supplier<SimAlgorithm> factory) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(factory, "factory");
        Map<String, Supplier<SimAlgorithm>> copy = new LinkedHashMap<>(factories);
        copy.put(name, factory);
        return new SimAlgorithms(copy);
    }

    public List<String> names() {
        return List.copyOf(factories.keySet());
    }

    public boolean contains(String name) {
        return factories.containsKey(name);
    }

    /** A fresh instance of {@code name}. */
    public SimAlgorithm create(String name) {
        Supplier<SimAlgorithm> f = factories.get(name);
        if (f == null) {
            throw new IllegalArgumentException("unknown algorithm '" + name + "'; known: " + String.join(", ", names()));
        }
        SimAlgorithm a = f.get();
        if (!name.equals(a.name())) {
            throw new IllegalStateException("algorithm registered as '" + name + "' calls itself '" + a.name() + "'");
        }
        return a;
    }
}
