package dev.wci.dev.soak;

import dev.wci.core.registry.VersionEntry;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.lambda.LambdaComputeProvider;
import dev.wci.local.DevServerProcess;
import dev.wci.server.config.ConfigLoader;
import dev.wci.server.config.WciConfig;
import dev.wci.dev.demo.DemoWorkflows;
import dev.wci.server.service.Providers;
import dev.wci.server.service.WciService;
import io.temporal.api.workflowservice.v1.DescribeWorkerDeploymentVersionRequest;
import io.temporal.api.workflowservice.v1.SetWorkerDeploymentCurrentVersionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.VersioningBehavior;
import io.temporal.common.WorkerDeploymentVersion;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerDeploymentOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The hostile soak of issue 11 (development tooling, run by {@code src/bench/hostile-soak.sh}; not part of the
 * service's artefact): WCI, started through its config loader and {@link WciService} against a real Temporal dev
 * server, faces at once a misbehaving matching-metrics endpoint ({@link MisbehavingMetrics}), a misbehaving Lambda
 * endpoint ({@link MisbehavingLambda}), a push flood ({@link PushFlood}) and two HTTP clients holding half requests
 * ({@link StalledClients}), for a bounded time. Every few seconds it prints one row (open fds, heap after GC, live
 * threads, invokes/s at the endpoint, median and slowest {@code /healthz}, push events accepted and refused, the
 * machine's load); at the end a verdict per column ({@link SoakVerdict}), a CSV, and exit 0 when all hold, 1
 * otherwise, 2 for a usage error.
 * Everything binds to 127.0.0.1 and stops by itself.
 */
public final class HostileSoak {

    static final String NAMESPACE = "default";
    static final String DEPLOYMENT = "soak";
    static final String BUILD_ID = "v1";
    /** Only characters Temporal's metrics keep as they are, so the scrape's labels name it unchanged. */
    static final String TASK_QUEUE = "soakq";
    static final String ARN = "arn:aws:lambda:us-east-1:000000000000:function:soak-worker:1";
    static final String PUSH_TOKEN = "soak-push-token-0123456789abcdef";
    static final int BURST = 5;
    static final double RATE = 2;
    /** Long enough that the first third of the rows holds the warm-up (the scrape's series cap fills in ~30 s). */
    static final int MIN_SECONDS = 120;
    static final int MAX_SECONDS = 600;

    /** One sample. Rates are over the interval since the previous row. */
    record Row(double elapsedS, String phase, double fds, double heapMb, double threads, int invokes,
               double invokesPerS, int maxIn1s, double healthzP50Ms, double healthzMaxMs, long healthzFailures,
               long pushAccepted, long pushRefused, long stalledClosed, String load1) {

        static final String CSV_HEADER = "elapsed_s,lambda_phase,fds,heap_mb_after_gc,threads,invokes,invokes_per_s,"
                + "max_invokes_in_1s,healthz_p50_ms,healthz_max_ms,healthz_failures,push_accepted,push_refused,"
                + "stalled_closed_by_wci,load1";

        String csv() {
            return String.format("%.1f,%s,%.0f,%.1f,%.0f,%d,%.2f,%d,%.1f,%.1f,%d,%d,%d,%d,%s", elapsedS, phase, fds,
                    heapMb, threads, invokes, invokesPerS, maxIn1s, healthzP50Ms, healthzMaxMs, healthzFailures,
                    pushAccepted, pushRefused, stalledClosed, load1);
        }

        String table() {
            return String.format("%7.0f  %-9s %5.0f %8.1f %7.0f %8.2f %5d %7.1f %7.0f %5d %8d %8d %6d %6s", elapsedS,
                    phase, fds, heapMb, threads, invokesPerS, maxIn1s, healthzP50Ms, healthzMaxMs, healthzFailures,
                    pushAccepted, pushRefused, stalledClosed, load1);
        }
    }

    static final String TABLE_HEADER = String.format("%7s  %-9s %5s %8s %7s %8s %5s %7s %7s %5s %8s %8s %6s %6s",
            "elapsed", "lambda", "fds", "heap_MB", "threads", "invok/s", "max1s", "hz_p50", "hz_max", "hzerr",
            "push_ok", "push_ref", "stalls", "load1");
    /** A /healthz slower than this is a failure whatever the trend: a stalled connection would hold it 10 s. */
    static final double HEALTHZ_MAX_MILLIS = 5_000;

    private HostileSoak() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = 240;
        int every = 10;
        Path out = null;
        Path cli = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--seconds" -> seconds = number(a, v, MIN_SECONDS, MAX_SECONDS);
                case "--every" -> every = number(a, v, 2, 60);
                case "--out" -> out = Path.of(required(a, v));
                case "--temporal-cli" -> cli = Path.of(required(a, v));
                default -> usage("unknown option '" + a + "'");
            }
            i++;
        }
        if (out == null || cli == null) {
            usage("--out DIR and --temporal-cli PATH are required");
        }
        if (seconds / every < 6) {
            usage("--seconds " + seconds + " at --every " + every + " gives fewer than 6 rows: too few to judge a trend");
        }
        Files.createDirectories(out);
        // Whatever happens while closing, the soak ends: a watchdog halts the JVM well after the run's end.
        long hardStop = seconds + 180L;
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(hardStop * 1000);
                System.err.println("hostile-soak: still running " + hardStop + " s after start: halting");
                Runtime.getRuntime().halt(1);
            } catch (InterruptedException e) {
                // the run ended
            }
        }, "soak-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        System.exit(run(seconds, every, out, cli));
    }

    private static int run(int seconds, int every, Path out, Path cli) throws Exception {
        PrintStream o = System.out;
        o.printf("hostile-soak: %d s, a row every %d s, output in %s%n", seconds, every, out);
        try (DevServerProcess temporal = DevServerProcess.start(
                DevServerProcess.Options.of(cli, out.resolve("temporal.log")))) {
            o.println("Temporal dev server on " + temporal.target() + "; registering " + DEPLOYMENT + ":" + BUILD_ID
                    + " on task queue " + TASK_QUEUE);
            registerVersion(temporal.target());
            try (MisbehavingLambda lambda = new MisbehavingLambda(ARN, 20, 5_000);
                 MisbehavingMetrics metrics = new MisbehavingMetrics(NAMESPACE, TASK_QUEUE)) {
                Path configFile = out.resolve("wci.yaml");
                Files.writeString(configFile, config(temporal.target(), lambda, metrics));
                WciConfig config = new ConfigLoader(System::getenv).load(configFile);
                LambdaComputeProvider provider = Providers.lambda(config.aws(),
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("soak", "soak")), Clock.systemUTC());
                WciService wci = new WciService(config, Map.of(provider.type(), provider), Clock.systemUTC());
                try {
                    wci.start();
                    awaitQueuesKnown(wci);
                    return soak(wci, lambda, metrics, seconds, every, out);
                } finally {
                    wci.close();
                    provider.close();
                }
            }
        }
    }

    private static int soak(WciService wci, MisbehavingLambda lambda, MisbehavingMetrics metrics, int seconds,
                            int every, Path out) throws Exception {
        PrintStream o = System.out;
        o.printf("WCI: HTTP on %d, push on %d; Lambda endpoint %s (phases of 20 s: accepting, flaky, throttled, denied); "
                        + "metrics endpoint %s; invoke limit burst %d + %.0f/s%n", wci.httpPort(), wci.pushPort(),
                lambda.endpoint(), metrics.uri(), BURST, RATE);
        List<Row> rows = new ArrayList<>();
        // The rate check covers every invoke since WCI started, those before the first row included.
        List<Long> arrivals = new ArrayList<>(lambda.arrivalsFrom(0));
        int invokesSeen = arrivals.size();
        long pushOk = 0;
        long pushRef = 0;
        long stalls = 0;
        try (PushFlood push = new PushFlood(wci.pushPort(), PUSH_TOKEN, NAMESPACE, DEPLOYMENT, BUILD_ID, TASK_QUEUE);
             StalledClients stalled = new StalledClients(wci.httpPort(), 2);
             HealthProbe probe = new HealthProbe(wci.httpPort());
             var csv = Files.newBufferedWriter(out.resolve("hostile-soak.csv"))) {
            csv.write(Row.CSV_HEADER + "\n");
            o.println(TABLE_HEADER);
            long start = System.nanoTime();
            long last = start;
            long end = start + seconds * 1_000_000_000L;
            while (System.nanoTime() < end) {
                Thread.sleep(Math.min(every * 1000L, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
                long now = System.nanoTime();
                List<Long> fresh = lambda.arrivalsFrom(invokesSeen);
                invokesSeen += fresh.size();
                arrivals.addAll(fresh);
                System.gc();
                double heapMb = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
                long ok = push.accepted.get();
                long ref = push.refused.get();
                long st = stalled.closedByServer.get();
                HealthProbe.Latency healthz = probe.take();
                Row row = new Row((now - start) / 1e9, lambda.phase(now), openFds(), heapMb,
                        ManagementFactory.getThreadMXBean().getThreadCount(), fresh.size(),
                        fresh.size() / ((now - last) / 1e9), SoakVerdict.maxPerSecond(fresh), healthz.p50Millis(),
                        healthz.maxMillis(), probe.failures.get(), ok - pushOk, ref - pushRef, st - stalls, load1());
                pushOk = ok;
                pushRef = ref;
                stalls = st;
                last = now;
                rows.add(row);
                o.println(row.table());
                csv.write(row.csv() + "\n");
                csv.flush();
            }
            return verdict(rows, arrivals, lambda, metrics, push, probe);
        }
    }

    private static int verdict(List<Row> rows, List<Long> arrivals, MisbehavingLambda lambda,
                               MisbehavingMetrics metrics, PushFlood push, HealthProbe probe) {
        PrintStream o = System.out;
        o.println();
        o.println("flat = max of the last third of the rows <= max of the first third x " + SoakVerdict.GROWTH
                + " + slack");
        boolean pass = true;
        pass &= flat(o, rows, "fds", Row::fds, 16);
        pass &= flat(o, rows, "heap_MB", Row::heapMb, 32);
        pass &= flat(o, rows, "threads", Row::threads, 8);
        pass &= flat(o, rows, "healthz_p50", Row::healthzP50Ms, 50);
        long failures = probe.failures.get();
        double slowest = SoakVerdict.max(rows.stream().map(Row::healthzMaxMs).toList());
        boolean healthy = failures == 0 && slowest < HEALTHZ_MAX_MILLIS;
        o.printf("%-12s %s  %d /healthz probes without a 200 within 10 s; slowest %.0f ms (limit %.0f)%n", "healthz",
                healthy ? "ok  " : "FAIL", failures, slowest, HEALTHZ_MAX_MILLIS);
        pass &= healthy;
        double maxBurst = SoakVerdict.maxBurst(arrivals, RATE);
        boolean withinRate = SoakVerdict.withinRate(arrivals, BURST, RATE);
        o.printf("%-12s %s  %d invokes; most in any window beyond the rate's refill: %.2f (limit: burst %d + %.0f "
                        + "slack); most in 1 s: %d (limit %d + %.0f)%n", "invokes", withinRate ? "ok  " : "FAIL",
                arrivals.size(), maxBurst, BURST, SoakVerdict.ARRIVAL_SLACK, SoakVerdict.maxPerSecond(arrivals),
                BURST, RATE);
        pass &= withinRate;
        boolean invoked = !arrivals.isEmpty();
        o.printf("%-12s %s  the scaler kept invoking: %d invokes%n", "demand", invoked ? "ok  " : "FAIL",
                arrivals.size());
        pass &= invoked;
        o.printf("Lambda outcomes: %s; validations %d. Scrapes answered: %d. Push: %d accepted, %d refused, %d calls "
                        + "failed.%n", outcomes(lambda), lambda.validations.get(), metrics.requests(),
                push.accepted.get(), push.refused.get(), push.failedCalls.get());
        o.println("verdict: " + (pass ? "PASS" : "FAIL"));
        return pass ? 0 : 1;
    }

    private static boolean flat(PrintStream o, List<Row> rows, String name, ToDoubleFunction<Row> column,
                                double slack) {
        List<Double> values = rows.stream().map(column::applyAsDouble).toList();
        int third = Math.max(1, values.size() / 3);
        boolean flat = SoakVerdict.flat(values, slack);
        o.printf("%-12s %s  first third max %.1f, last third max %.1f (slack %.0f)%n", name, flat ? "ok  " : "FAIL",
                SoakVerdict.max(values.subList(0, Math.min(third, values.size()))),
                SoakVerdict.max(values.subList(Math.max(0, values.size() - third), values.size())), slack);
        return flat;
    }

    private static String outcomes(MisbehavingLambda lambda) {
        StringBuilder s = new StringBuilder();
        for (MisbehavingLambda.Outcome outcome : MisbehavingLambda.Outcome.values()) {
            s.append(s.isEmpty() ? "" : ", ").append(outcome.name().toLowerCase()).append(' ')
                    .append(lambda.outcomes(outcome));
        }
        return s.toString();
    }

    /** The machine's load over the last minute, for reading latencies against it. */
    private static String load1() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static double openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /**
     * Temporal lists a version's task queues only after a worker of it polled: a real versioned worker of the SDK
     * polls until they are listed, then the version becomes Current and the worker stops (before WCI starts, so
     * its threads are not in the figures).
     */
    private static void registerVersion(String target) throws InterruptedException {
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
        WorkerFactory factory = WorkerFactory.newInstance(WorkflowClient.newInstance(stubs,
                WorkflowClientOptions.newBuilder().setNamespace(NAMESPACE).build()));
        try {
            Worker worker = factory.newWorker(TASK_QUEUE, WorkerOptions.newBuilder()
                    .setDeploymentOptions(WorkerDeploymentOptions.newBuilder().setUseVersioning(true)
                            .setVersion(new WorkerDeploymentVersion(DEPLOYMENT, BUILD_ID))
                            .setDefaultVersioningBehavior(VersioningBehavior.PINNED).build())
                    .build());
            worker.registerWorkflowImplementationTypes(DemoWorkflows.PinnedImpl.class);
            worker.registerActivitiesImplementations(new DemoWorkflows.WorkImpl());
            factory.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (true) {
                try {
                    int queues = stubs.blockingStub().describeWorkerDeploymentVersion(
                            DescribeWorkerDeploymentVersionRequest.newBuilder().setNamespace(NAMESPACE)
                                    .setDeploymentVersion(io.temporal.api.deployment.v1.WorkerDeploymentVersion
                                            .newBuilder().setDeploymentName(DEPLOYMENT).setBuildId(BUILD_ID))
                                    .build()).getVersionTaskQueuesCount();
                    if (queues >= 2) {
                        stubs.blockingStub().setWorkerDeploymentCurrentVersion(
                                SetWorkerDeploymentCurrentVersionRequest.newBuilder().setNamespace(NAMESPACE)
                                        .setDeploymentName(DEPLOYMENT).setBuildId(BUILD_ID).setIdentity("hostile-soak")
                                        .build());
                        return;
                    }
                } catch (io.grpc.StatusRuntimeException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Temporal did not list the task queues of " + DEPLOYMENT
                                + ":" + BUILD_ID + " within 90 s: " + e.getStatus());
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Temporal did not list the task queues of " + DEPLOYMENT + ":"
                            + BUILD_ID + " within 90 s");
                }
                Thread.sleep(250);
            }
        } finally {
            factory.shutdownNow();
            factory.awaitTermination(10, TimeUnit.SECONDS);
            stubs.shutdownNow();
        }
    }

    /** Waits until WCI's registry has read the version's task queues (the push gate and the scrape need them). */
    private static void awaitQueuesKnown(WciService wci) throws InterruptedException {
        DeploymentVersion v = new DeploymentVersion(DEPLOYMENT, BUILD_ID);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (wci.registry().snapshot().versions().stream().filter(e -> e.version().equals(v))
                .map(VersionEntry::temporal).noneMatch(t -> !t.taskQueues().isEmpty())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("WCI did not read the task queues of " + v + " within 90 s");
            }
            Thread.sleep(250);
        }
    }

    private static String config(String temporal, MisbehavingLambda lambda, MisbehavingMetrics metrics) {
        return """
                temporal:
                  address: %s
                  namespace: %s
                aws:
                  endpoint: %s
                  region: us-east-1
                  invokeTimeout: 3s
                http:
                  listen: 127.0.0.1:0
                signals:
                  push:
                    enabled: true
                    listen: 127.0.0.1:0
                    token: %s
                  matchingMetrics:
                    enabled: true
                    endpoints:
                      - %s
                    interval: 500ms
                    timeout: 1s
                limits:
                  maxWorkersTotal: 100000
                deployments:
                  - name: %s
                    scaling:
                      maxWorkersPerVersion: 100000
                      invokeBurstPerTarget: %d
                      invokeRatePerTarget: %s
                      backoffBase: 200ms
                      backoffMax: 2s
                    versions:
                      - buildId: %s
                        target: %s
                """.formatted(temporal, NAMESPACE, lambda.endpoint(), PUSH_TOKEN, metrics.uri(), DEPLOYMENT, BURST,
                RATE, BUILD_ID, ARN);
    }

    private static int number(String option, String value, int min, int max) {
        try {
            int n = Integer.parseInt(required(option, value));
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        usage(option + " takes a whole number from " + min + " to " + max + ", not '" + value + "'");
        return 0;
    }

    private static String required(String option, String value) {
        if (value == null) {
            usage(option + " needs a value");
        }
        return value;
    }

    private static void usage(String problem) {
        System.err.println("hostile-soak: " + problem
                + " (usage: HostileSoak --out DIR --temporal-cli PATH [--seconds 120..600] [--every 2..60])");
        System.exit(2);
    }
}
