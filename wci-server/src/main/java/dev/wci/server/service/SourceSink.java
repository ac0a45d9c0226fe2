package dev.wci.server.service;

import dev.wci.core.loop.ControlLoop;
import dev.wci.core.signal.MatchingSignal;
import dev.wci.core.signal.SignalSink;
import dev.wci.server.metrics.WciMetrics;
import io.micrometer.core.instrument.Timer;

/**
 * Where one signal source delivers: counts the signal under the source's name, decides at once, and times
 * signal seen → invoke sent for the decisions a signal triggers (the reaction-time metric).
 */
final class SourceSink implements SignalSink {

    private final String source;
    private final ControlLoop loop;
    private final WciMetrics metrics;

    SourceSink(String source, ControlLoop loop, WciMetrics metrics) {
        this.source = source;
        this.loop = loop;
        this.metrics = metrics;
    }

    @Override
    public void accept(MatchingSignal signal) {
        metrics.signal(source, signal);
        Timer.Sample seen = Timer.start(metrics.registry());
        if (loop.decide(signal).isPresent()) {
            seen.stop(metrics.reactionTimer());
        }
    }
}
