package dev.wci.server.scrape;

import java.net.URI;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** Answers each endpoint from a script: the next queued answer, or the last one again when the queue is empty. */
final class ScriptedFetcher implements MetricsFetcher {

    private final Map<URI, Deque<Supplier<CompletableFuture<String>>>> script = new ConcurrentHashMap<>();
    private final Map<URI, Supplier<CompletableFuture<String>>> last = new ConcurrentHashMap<>();
    final AtomicInteger calls = new AtomicInteger();

    ScriptedFetcher page(URI endpoint, String text) {
        return then(endpoint, () -> CompletableFuture.completedFuture(text));
    }

    ScriptedFetcher fail(URI endpoint, Throwable error) {
        return then(endpoint, () -> CompletableFuture.failedFuture(error));
    }

    /** An answer that never comes. */
    ScriptedFetcher hang(URI endpoint) {
        return then(endpoint, CompletableFuture::new);
    }

    private ScriptedFetcher then(URI endpoint, Supplier<CompletableFuture<String>> answer) {
        script.computeIfAbsent(endpoint, k -> new ArrayDeque<>()).add(answer);
        return this;
    }

    @Override
    public CompletableFuture<Void> fetch(URI endpoint, PageLines lines) {
        return answer(endpoint).thenApply(text -> {
            try {
                for (String line : text.split("\n", -1)) {
                    lines.line(line);
                }
                return null;
            } catch (PrometheusFormatException e) {
                throw new CompletionException(e);
            }
        });
    }

    private synchronized CompletableFuture<String> answer(URI endpoint) {
        calls.incrementAndGet();
        Deque<Supplier<CompletableFuture<String>>> queue = script.get(endpoint);
        Supplier<CompletableFuture<String>> answer = queue == null ? null : queue.poll();
        if (answer == null) {
            answer = last.get(endpoint);
        }
        if (answer == null) {
            throw new IllegalStateException("no answer scripted for " + endpoint);
        }
        last.put(endpoint, answer);
        return answer.get();
    }
}
