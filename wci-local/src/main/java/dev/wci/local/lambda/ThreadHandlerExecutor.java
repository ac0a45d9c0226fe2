package dev.wci.local.lambda;

import java.io.PrintStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs invocations in threads of the runtime's JVM, one class loader per function version and a fresh
 * handler instance per invocation. Cheap enough for hundreds of concurrent invocations, but weaker
 * than Lambda: a timeout only interrupts the thread, and the function's {@code environment} cannot
 * be applied (environment variables are per process), so it is ignored with a warning.
 */
final class ThreadHandlerExecutor implements HandlerExecutor {

    private static final Logger log = LoggerFactory.getLogger(ThreadHandlerExecutor.class);

    private final Map<String, URLClassLoader> loaders = new ConcurrentHashMap<>();
    private final Map<String, Boolean> warnedEnv = new ConcurrentHashMap<>();
    private final AtomicInteger threadCount = new AtomicInteger();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "local-lambda-handler-" + threadCount.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    private final HandlerInvoker invoker = new HandlerInvoker();
    private final LongSupplier nowMillis;
    private final PrintStream out;

    ThreadHandlerExecutor(LongSupplier nowMillis, PrintStream out) {
        this.nowMillis = nowMillis;
        this.out = out;
    }

    @Override
    public Result execute(Execution ex) throws InterruptedException {
        LocalFunctionVersion v = ex.version();
        String key = ex.functionName() + ":" + v.version();
        if (!v.environment().isEmpty() && warnedEnv.putIfAbsent(key, Boolean.TRUE) == null) {
            log.warn("{}: environment variables are not applied in thread execution mode; use process mode", key);
        }
        ClassLoader loader = loaders.computeIfAbsent(key, k -> newLoader(v));
        LocalContext context = new LocalContext(ex.requestId(), ex.functionName(), v.version(), ex.functionArn(),
                v.memoryMb(), ex.deadlineEpochMillis(), nowMillis, out);
        Future<HandlerInvoker.Outcome> future = threads.submit(() -> {
            Thread.currentThread().setContextClassLoader(loader);
            return invoker.invoke(v.handlerClass(), loader, ex.payload(), context);
        });
        try {
            HandlerInvoker.Outcome outcome = future.get(Math.max(0, ex.deadlineEpochMillis() - nowMillis.getAsLong()),
                    TimeUnit.MILLISECONDS);
            return outcome.ok()
                    ? new Result(InvocationOutcome.SUCCESS, outcome.body(), null)
                    : new Result(InvocationOutcome.ERROR, outcome.body(), "Unhandled");
        } catch (TimeoutException e) {
            future.cancel(true);
            String message = String.format("RequestId: %s Error: Task timed out after %d.00 seconds", ex.requestId(),
                    v.timeoutSeconds());
            return new Result(InvocationOutcome.TIMEOUT,
                    invoker.errorBody(Map.of("errorType", "Sandbox.Timedout", "errorMessage", message)),
                    "Sandbox.Timedout");
        } catch (ExecutionException e) {
            HandlerInvoker.Outcome outcome = invoker.error(e.getCause(), null);
            return new Result(InvocationOutcome.ERROR, outcome.body(), String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        }
    }

    private static URLClassLoader newLoader(LocalFunctionVersion v) {
        URL[] urls = v.classpath().stream().map(p -> {
            try {
                return Path.of(p).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException("bad class path entry '" + p + "'", e);
            }
        }).toArray(URL[]::new);
        return new URLClassLoader("local-lambda-" + v.version(), urls, ThreadHandlerExecutor.class.getClassLoader());
    }

    @Override
    public void forget(String functionName, String version) {
        URLClassLoader loader = loaders.remove(functionName + ":" + version);
        closeQuietly(loader);
    }

    @Override
    public void close() {
        threads.shutdownNow();
        loaders.values().forEach(ThreadHandlerExecutor::closeQuietly);
        loaders.clear();
    }

    private static void closeQuietly(URLClassLoader loader) {
        if (loader == null) {
            return;
        }
        try {
            loader.close();
        } catch (java.io.IOException e) {
            log.debug("closing a handler class loader failed", e);
        }
    }
}
