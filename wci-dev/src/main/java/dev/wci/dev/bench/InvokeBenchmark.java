package dev.wci.dev.bench;

import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.InvocationRequest;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroupId;
import dev.wci.lambda.LambdaComputeProvider;
import dev.wci.lambda.LambdaProviderSettings;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Measures the Lambda provider's sustained invoke rate and client-side latency against a local stub endpoint
 * ({@link StubLambdaEndpoint} on 127.0.0.1): for each target rate, invokes are issued open-loop (one
 * single-worker request per invoke, as the scaler does when it starts workers one by one) for a fixed time,
 * then the step waits for the stragglers. Bounded in time; it never touches AWS.
 *
 * <p>Run: {@code java -cp ... dev.wci.dev.bench.InvokeBenchmark [--rates 250,500,1000,2000] [--seconds 3]}.
 * The {@code wci} CLI can call {@link #run(Options)}.
 */
public final class InvokeBenchmark {

    /**
     * @param rates                target invokes per second, one step each
     * @param step                 how long each step issues invokes
     * @param warmup               warm-up at the first rate before measuring (JIT, connections)
     * @param maxConcurrentInvokes the provider's in-flight bound
     */
    public record Options(List<Integer> rates, Duration step, Duration warmup, int maxConcurrentInvokes) {
        public Options {
            rates = List.copyOf(rates);
            if (rates.isEmpty() || rates.stream().anyMatch(r -> r < 1 || r > 100_000)) {
                throw new IllegalArgumentException("rates must be 1..100000 invokes/s, got " + rates);
            }
            if (step.isNegative() || step.isZero() || step.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("step must be within (0, 1 min], got " + step);
            }
        }

        public static Options defaults() {
            return new Options(List.of(250, 500, 1000, 2000), Duration.ofSeconds(3), Duration.ofSeconds(1), 256);
        }
    }

    /**
     * One step's figures.
     *
     * @param targetRate  invokes/s asked for
     * @param achieved    accepted invokes/s, over the time from the first send to the last completion
     * @param p50Millis   median client-side latency (call to completed stage), ms
     * @param p99Millis   99th percentile latency, ms
     * @param sent        invokes issued
     * @param errors      invokes that failed or did not complete within the step's grace time
     */
    public record Step(int targetRate, double achieved, double p50Millis, double p99Millis, long sent, long errors) {
    }

    /** All steps, in order. */
    public record Result(List<Step> steps) {
        public Result {
            steps = List.copyOf(steps);
        }

        /** A plain-text table. */
        public String table() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "%12s %12s %10s %10s %8s %7s%n",
                    "target/s", "achieved/s", "p50 ms", "p99 ms", "sent", "errors"));
            for (Step s : steps) {
                sb.append(String.format(Locale.ROOT, "%12d %12.1f %10.2f %10.2f %8d %7d%n",
                        s.targetRate(), s.achieved(), s.p50Millis(), s.p99Millis(), s.sent(), s.errors()));
            }
            return sb.toString();
        }
    }

    private static final DeploymentVersion VERSION = new DeploymentVersion("bench", "build-1");
    private static final ComputeTarget TARGET =
            new ComputeTarget("aws-lambda", "arn:aws:lambda:us-east-1:123456789012:function:bench-worker:1");

    private InvokeBenchmark() {
    }

    /** Starts a stub endpoint and a provider, runs every step, and shuts both down. */
    public static Result run(Options options) throws IOException, InterruptedException {
        try (StubLambdaEndpoint stub = new StubLambdaEndpoint(4);
             LambdaComputeProvider provider = new LambdaComputeProvider(
                     LambdaProviderSettings.builder().lambdaEndpoint(stub.endpoint())
                             .maxConcurrentInvokes(options.maxConcurrentInvokes()).build(),
                     StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDBENCH", "bench-secret")),
                     Clock.systemUTC())) {
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "invoke-bench");
                t.setDaemon(true);
                return t;
            });
            try {
                if (!options.warmup().isZero()) {
                    step(provider, ticker, options.rates().get(0), options.warmup());
                }
                List<Step> steps = new ArrayList<>();
                for (int rate : options.rates()) {
                    steps.add(step(provider, ticker, rate, options.step()));
                }
                return new Result(steps);
            } finally {
                ticker.shutdownNow();
            }
        }
    }

    private static Step step(LambdaComputeProvider provider, ScheduledExecutorService ticker, int rate,
                             Duration duration) throws InterruptedException {
        long durationNanos = duration.toNanos();
        int capacity = (int) Math.min(Integer.MAX_VALUE - 8, (long) rate * duration.toMillis() / 1000 + 1024);
        long[] latencies = new long[capacity];
        AtomicInteger recorded = new AtomicInteger();
        AtomicLong sent = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong lastCompletion = new AtomicLong();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        long start = System.nanoTime();
        CompletableFuture<Void> issuing = new CompletableFuture<>();
        // Open loop: every tick sends what the schedule says is due, whatever the previous calls are doing.
        var task = ticker.scheduleAtFixedRate(() -> {
            long elapsed = System.nanoTime() - start;
            long due = Math.min(elapsed, durationNanos) * rate / 1_000_000_000L;
            while (sent.get() < due) {
                long n = sent.incrementAndGet();
                long t0 = System.nanoTime();
                var request = new InvocationRequest(ScalingGroupId.defaultFor(VERSION), TARGET,
                        List.of("bench-" + n), "BENCHMARK", java.time.Instant.now());
                CompletableFuture<?> f = provider.invoke(request).toCompletableFuture().whenComplete((r, e) -> {
                    long t1 = System.nanoTime();
                    lastCompletion.accumulateAndGet(t1, Math::max);
                    if (e != null || r.isEmpty() || !(r.get(0) instanceof InvocationResult.Accepted)) {
                        errors.incrementAndGet();
                        return;
                    }
                    int i = recorded.getAndIncrement();
                    if (i < latencies.length) {
                        latencies[i] = t1 - t0;
                    }
                });
                synchronized (pending) {
                    pending.add(f);
                }
            }
            if (elapsed >= durationNanos) {
                issuing.complete(null);
            }
        }, 0, 2, TimeUnit.MILLISECONDS);
        try {
            issuing.get(duration.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // the schedule fell behind: measure what was sent
        } finally {
            task.cancel(false);
        }
        CompletableFuture<?>[] all;
        synchronized (pending) {
            all = pending.toArray(CompletableFuture[]::new);
        }
        try {
            CompletableFuture.allOf(all).get(15, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // stragglers count as errors below
        }
        long incomplete = Arrays.stream(all).filter(f -> !f.isDone()).count();
        int n = Math.min(recorded.get(), latencies.length);
        long[] sorted = Arrays.copyOf(latencies, n);
        Arrays.sort(sorted);
        double seconds = Math.max(durationNanos, lastCompletion.get() - start) / 1e9;
        return new Step(rate, recorded.get() / seconds, percentile(sorted, 0.50), percentile(sorted, 0.99),
                sent.get(), errors.get() + incomplete);
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }

    /** Command line entry point; see the class comment for arguments. */
    public static void main(String[] args) throws Exception {
        Options defaults = Options.defaults();
        List<Integer> rates = defaults.rates();
        Duration step = defaults.step();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rates" -> rates = Arrays.stream(args[++i].split(",")).map(String::strip)
                        .map(Integer::parseInt).toList();
                case "--seconds" -> step = Duration.ofMillis((long) (Double.parseDouble(args[++i]) * 1000));
                default -> {
                    System.err.println("unknown argument '" + args[i] + "': expected --rates N,N,... --seconds S");
                    System.exit(2);
                }
            }
        }
        Options options = new Options(rates, step, defaults.warmup(), defaults.maxConcurrentInvokes());
        System.out.printf(Locale.ROOT, "Lambda provider invoke benchmark: stub endpoint on 127.0.0.1, %d cores, "
                + "%s per step, in-flight bound %d%n", Runtime.getRuntime().availableProcessors(), options.step(),
                options.maxConcurrentInvokes());
        System.out.print(run(options).table());
    }
}
