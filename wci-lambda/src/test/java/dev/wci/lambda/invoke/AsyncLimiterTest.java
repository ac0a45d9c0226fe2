package dev.wci.lambda.invoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class AsyncLimiterTest {

    @Test
    void startsAtMostLimitAndQueuesTheRestUntilOneCompletes() {
        AsyncLimiter limiter = new AsyncLimiter(2);
        List<CompletableFuture<Integer>> started = new ArrayList<>();
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            results.add(limiter.submit(() -> {
                CompletableFuture<Integer> f = new CompletableFuture<>();
                started.add(f);
                return f;
            }));
        }
        assertEquals(2, started.size());
        assertEquals(2, limiter.inFlight());
        assertEquals(3, limiter.queued());

        started.get(0).complete(0);
        assertEquals(3, started.size(), "a completion starts the next queued call");
        assertTrue(results.get(0).isDone());
        for (int i = 1; i < 5; i++) {
            started.get(i).complete(i);
        }
        assertEquals(5, started.size());
        assertEquals(0, limiter.inFlight());
        assertEquals(0, limiter.queued());
        for (int i = 0; i < 5; i++) {
            assertEquals(i, results.get(i).join());
        }
    }

    @Test
    void synchronousCompletionsDoNotRecurse() {
        AsyncLimiter limiter = new AsyncLimiter(1);
        List<CompletableFuture<String>> results = new ArrayList<>();
        CompletableFuture<String> gate = new CompletableFuture<>();
        results.add(limiter.submit(() -> gate));
        for (int i = 0; i < 100_000; i++) {
            results.add(limiter.submit(() -> CompletableFuture.completedFuture("ok")));
        }
        gate.complete("ok"); // would overflow the stack if each completion started the next one recursively
        assertTrue(results.stream().allMatch(f -> "ok".equals(f.join())));
        assertEquals(0, limiter.inFlight());
    }

    @Test
    void anOperationThatThrowsFailsItsFutureAndFreesTheSlot() {
        AsyncLimiter limiter = new AsyncLimiter(1);
        CompletableFuture<String> failed = limiter.submit(() -> {
            throw new IllegalStateException("boom");
        });
        assertTrue(failed.isCompletedExceptionally());
        assertEquals("ok", limiter.submit(() -> CompletableFuture.completedFuture("ok")).join());
        assertEquals(0, limiter.inFlight());
    }
}
