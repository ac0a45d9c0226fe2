package dev.wci.dev.demo;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the demo started, closed in reverse order exactly once, whoever asks first (the command's own
 * {@code finally} or the JVM's shutdown hook). A step that fails is logged and the next one still runs.
 */
final class Closer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Closer.class);

    private record Step(String name, Runnable action) {
    }

    private final Deque<Step> steps = new ArrayDeque<>();
    private boolean closed;

    /** Registers a step; if closing already happened, runs it at once (a late start is still undone). */
    void add(String name, Runnable action) {
        synchronized (this) {
            if (!closed) {
                steps.push(new Step(name, action));
                return;
            }
        }
        run(new Step(name, action));
    }

    @Override
    public synchronized void close() {
        closed = true;
        while (!steps.isEmpty()) {
            run(steps.pop());
        }
    }

    private static void run(Step step) {
        try {
            step.action().run();
        } catch (RuntimeException | Error e) {
            log.warn("stopping {} failed: {}", step.name(), e.toString(), e);
        }
    }
}
