package dev.wci.core.signal;

/** Where signal sources deliver what they observe. Implementations must be thread-safe. */
@FunctionalInterface
public interface SignalSink {
    void accept(MatchingSignal signal);
}
