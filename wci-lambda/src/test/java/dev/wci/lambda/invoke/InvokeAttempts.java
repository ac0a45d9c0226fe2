package dev.wci.lambda.invoke;

import com.github.tomakehurst.wiremock.extension.requestfilter.RequestFilterAction;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.extension.requestfilter.StubRequestFilterV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Counts Lambda Invoke HTTP attempts as they arrive at WireMock, before any stubbed delay: the request journal
 * records a request only once it is answered, too late to see an attempt the client retried while a slow one hung.
 * Optionally answers each attempt itself, by its number (for a mix of outcomes).
 */
final class InvokeAttempts implements StubRequestFilterV2 {

    private final AtomicInteger count = new AtomicInteger();
    private final IntFunction<ResponseDefinition> answer;

    /** Counts only: the stubs answer. */
    InvokeAttempts() {
        this(null);
    }

    /** Counts and answers attempt {@code n} (from 0) with {@code answer.apply(n)}. */
    InvokeAttempts(IntFunction<ResponseDefinition> answer) {
        this.answer = answer;
    }

    @Override
    public RequestFilterAction filter(Request request, ServeEvent serveEvent) {
        if (request.getUrl().contains("/invocations")) {
            int n = count.getAndIncrement();
            if (answer != null) {
                return RequestFilterAction.stopWith(answer.apply(n));
            }
        }
        return RequestFilterAction.continueWith(request);
    }

    @Override
    public String getName() {
        return "invoke-attempts";
    }

    int count() {
        return count.get();
    }
}
