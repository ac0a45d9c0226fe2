package dev.wci.lambda.invoke;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Bounds the number of in-flight asynchronous operations without parking a thread per waiting call: a call
 * over the bound is queued and started by whichever operation completes first.
 */
public final class AsyncLimiter {

    private final int limit;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();
    // Operations that complete synchronously would otherwise start the next one recursively, one stack frame
    // per queued call; the outermost drain loop on a thread picks the work up instead.
    private final ThreadLocal<Boolean> draining = ThreadLocal.withInitial(() -> Boolean.FALSE);

    public AsyncLimiter(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        this.limit = limit;
    }

    /**
     * Starts {@code operation} now if a slot is free, else when one frees up. The returned future completes
     * as the operation's does; an operation that throws instead of returning a future fails it.
     */
    public <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> operation) {
        CompletableFuture<T> result = new CompletableFuture<>();
        waiting.add(() -> start(operation, result));
        drain();
        return result;
    }

    /** Operations currently running. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Operations waiting for a slot. */
    public int queued() {
        return waiting.size();
    }

    private <T> void start(Supplier<CompletableFuture<T>> operation, CompletableFuture<T> result) {
        CompletableFuture<T> running;
        try {
            running = operation.get();
        } catch (RuntimeException e) {
            running = CompletableFuture.failedFuture(e);
        }
        running.whenComplete((value, error) -> {
            inFlight.decrementAndGet();
            // Complete the caller before starting the next one so results are not delayed by queued work.
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(value);
            }
            drain();
        });
    }

    private void drain() {
        if (draining.get()) {
            return;
        }
        draining.set(Boolean.TRUE);
        try {
            while (!waiting.isEmpty()) {
                int current = inFlight.get();
                if (current >= limit) {
                    return; // the next completion drains
                }
                if (!inFlight.compareAndSet(current, current + 1)) {
                    continue;
                }
                Runnable next = waiting.poll();
                if (next == null) {
                    inFlight.decrementAndGet(); // another thread took it
                    continue;
                }
                next.run();
            }
        } finally {
            draining.set(Boolean.FALSE);
        }
    }
}
