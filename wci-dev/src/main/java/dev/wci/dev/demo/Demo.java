package dev.wci.dev.demo;

import dev.wci.core.scaling.GroupStatus;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.lambda.LambdaComputeProvider;
import dev.wci.local.lambda.ExecutionMode;
import dev.wci.local.lambda.InvocationOutcome;
import dev.wci.local.lambda.InvocationRecord;
import dev.wci.local.lambda.LocalFunction;
import dev.wci.local.lambda.LocalFunctionVersion;
import dev.wci.local.lambda.LocalLambdaConfig;
import dev.wci.local.lambda.LocalLambdaRuntime;
import dev.wci.local.DevServerProcess;
import dev.wci.server.cli.UserError;
import dev.wci.server.config.WciConfig;
import dev.wci.server.service.Providers;
import dev.wci.server.service.WciService;
import io.grpc.StatusRuntimeException;
import io.temporal.api.deployment.v1.WorkerDeploymentInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkerDeploymentRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.File;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import sun.misc.Signal;

/**
 * One run of {@code wci demo}: starts the Temporal dev server, the local Lambda runtime with the demo worker
 * function, and WCI, all on 127.0.0.1; drives the load; shows progress; prints the summary; stops everything.
 * Ctrl-C / SIGTERM stop it early (exit 0); everything it started is stopped on every way out.
 */
final class Demo {

    static final String DEPLOYMENT = "demo";
    static final String TASK_QUEUE = "demo";
    static final String FUNCTION = "demo-worker";
    /** Build ID → Lambda function version. */
    static final Map<String, String> VERSIONS = versions();
    static final int FUNCTION_TIMEOUT_SECONDS = 60;
    static final int FUNCTION_MEMORY_MB = 512;
    static final int DEFAULT_HTTP_PORT = 8080;
    /**
     * How long a version may take to become Current and reach its task queues. The dev server applies a routing change
     * through its own system workflows; on a 2-core host at a load of ~35–70 that took more than 90 s (3 of 5 demo runs
     * under load failed at 90 s), on a quiet one a second or two.
     */
    static final Duration SET_CURRENT_TIMEOUT = Duration.ofMinutes(5);
    /** How long to wait for Temporal to confirm a routing change before going on without it. */
    static final Duration CONFIRM_CURRENT_WAIT = Duration.ofSeconds(60);
    static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(5);
    static final Duration WORKERS_EXIT_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(Demo.class);

    private final DemoOptions options;
    private final PrintStream out;
    private final Function<String, String> env;
    private final Clock clock;
    private final StopSignal stop = new StopSignal();
    private final Closer closer = new Closer();
    private final Instant startedAt;
    private final String runId;

    private volatile String phase = "starting";
    private volatile String failure;
    private ProgressPrinter printer;
    private DevServerProcess devServer;
    private LocalLambdaRuntime runtime;
    private WciService wci;
    private WorkflowServiceStubs stubs;
    private LoadGenerator load;

    Demo(DemoOptions options, PrintStream out, Function<String, String> env, Clock clock) {
        this.options = options;
        this.out = out;
        this.env = env;
        this.clock = clock;
        this.startedAt = clock.instant();
        this.runId = Long.toString(startedAt.toEpochMilli(), 36);
    }

    private static Map<String, String> versions() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("v1", "1");
        m.put("v2", "2");
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * Runs the demo to its end, or until Ctrl-C / SIGTERM.
     *
     * @return 0 when it completed or was stopped by the user, 1 when workflows failed or did not finish
     * @throws UserError for a mistake the user can fix (port taken, no Temporal CLI)
     */
    int run() {
        int httpPort = choosePort();
        Thread main = Thread.currentThread();
        Map<String, sun.misc.SignalHandler> previous = new HashMap<>();
        for (String name : new String[] {"INT", "TERM"}) {
            previous.put(name, Signal.handle(new Signal(name), sig -> {
                stop.request();
                main.interrupt(); // ends a blocking Temporal call at once
            }));
        }
        Thread hook = new Thread(closer::close, "wci-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return runUntilDone(httpPort);
        } finally {
            Thread.interrupted(); // a stop request's interrupt must not cut the clean-up short
            if (printer != null) {
                printer.event("stopping: load generator, WCI, local Lambda runtime, Temporal dev server ...");
            }
            closer.close();
            previous.forEach((name, handler) -> Signal.handle(new Signal(name), handler));
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook found nothing left to close
            }
            if (printer != null) {
                out.println("stopped.");
            }
        }
    }

    /** 8080 when free, else any free port; a port the user asked for must be free. */
    private int choosePort() {
        if (options.httpPort() != null) {
            int port = options.httpPort();
            if (port != 0 && !Ports.isFree(port)) {
                throw new UserError("--http-port " + port + ": 127.0.0.1:" + port
                        + " is already in use; pick another port, or 0 for any free one");
            }
            return port;
        }
        return Ports.isFree(DEFAULT_HTTP_PORT) ? DEFAULT_HTTP_PORT : 0;
    }

    private int runUntilDone(int httpPort) {
        TemporalCli cli = new TemporalCli(env, TemporalCli.findRepoRoot(TemporalCli.codeLocation(), Path.of("")));
        java.util.Optional<Path> cliPath = cli.locate();
        DemoLogs logs = DemoLogs.create();
        closer.add("log files", logs::close);
        printer = new ProgressPrinter(out, ProgressPrinter.terminal(env));
        printer.event(String.format(Locale.ROOT, "wci demo: a burst of %d workflows, then %s/s for %d s (v2 becomes"
                        + " Current after %d s), %d pinned + %d auto-upgrade workflows waiting for a signal,"
                        + " activities of %d ms", options.burst(), fmt(options.rate()), options.trickleSeconds(),
                options.switchAt().toSeconds(), options.waiters(), options.waiters(), options.activityMillis()));
        printer.event("files: " + logs.dir() + " (wci.yaml: WCI's configuration; wci.log, workers.log, temporal.log)");
        try {
            startEverything(logs, httpPort,
                    cliPath.orElseGet(() -> cli.provision(printer::event, logs.provisionLog(), stop)));
            startTicker();
            phase("bootstrap");
            setCurrent("v1");
            load = new LoadGenerator(WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder()
                    .setNamespace(DevServerProcess.NAMESPACE).build()), DevServerProcess.NAMESPACE, TASK_QUEUE,
                    "demo-" + runId, options.activityMillis(), clock::millis);
            closer.add("load generator", load::close);
            load.run(options, this::setCurrent, this::phase, stop);
            phase("drain");
            boolean drained = awaitCondition(DRAIN_TIMEOUT, () -> load.counts().running() == 0);
            phase("workers exiting");
            awaitCondition(WORKERS_EXIT_TIMEOUT, () -> runtime.inFlight() == 0);
            phase("done");
            LoadGenerator.Counts counts = load.counts();
            printSummary();
            if (!drained) {
                out.println("wci demo: " + counts.running() + " workflow(s) did not finish within "
                        + DRAIN_TIMEOUT.toMinutes() + " min; see " + logs.dir());
                return 1;
            }
            if (counts.failed() > 0) {
                out.println("wci demo: " + counts.failed() + " workflow(s) failed; see " + logs.dir().resolve("wci.log"));
                return 1;
            }
            return 0;
        } catch (StopSignal.Stopped e) {
            return stopped(logs);
        } catch (UserError e) {
            throw e;
        } catch (RuntimeException e) {
            if (stop.requested()) {
                return stopped(logs); // a call cut short by the stop request
            }
            log.error("wci demo failed", e);
            stopTicker();
            out.println("wci demo: failed: " + (failure != null ? failure : e.getMessage()) + " (logs in "
                    + logs.dir() + ")");
            return 1;
        }
    }

    private int stopped(DemoLogs logs) {
        stopTicker();
        if (failure != null) {
            out.println("wci demo: failed: " + failure + " (logs in " + logs.dir() + ")");
            return 1;
        }
        out.println("wci demo: stop requested during phase " + phase + "; the summary so far:");
        if (runtime != null && load != null) {
            printSummary();
        }
        return 0;
    }

    private void startEverything(DemoLogs logs, int httpPort, Path cliPath) {
        printer.event("starting the Temporal dev server (" + cliPath + ") ...");
        devServer = DevServerProcess.start(DevServerProcess.Options.of(cliPath, logs.temporalLog()), stop::sleep);
        closer.add("Temporal dev server", devServer::close);
        printer.event("Temporal dev server: " + devServer.target() + ", namespace " + DevServerProcess.NAMESPACE);

        runtime = startRuntime(logs);
        closer.add("handler JVMs", () -> DevStack.reapHandlerJvms(startedAt, devServer));
        closer.add("local Lambda runtime", runtime::close);
        printer.event("local Lambda runtime: " + runtime.endpoint() + ", function " + FUNCTION + " versions 1 (v1)"
                + " and 2 (v2), " + options.lambdaConcurrency() + " concurrent executions at most");

        WciConfig config = writeConfig(logs.config(), httpPort);
        LambdaComputeProvider lambda = Providers.lambda(config.aws(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")), clock);
        closer.add("Lambda provider", lambda::close);
        try {
            wci = new WciService(config, Map.of(lambda.type(), lambda), clock);
        } catch (UncheckedIOException e) {
            throw new UserError(e.getMessage());
        }
        closer.add("WCI", wci::close);
        wci.start();
        String base = "http://127.0.0.1:" + wci.httpPort();
        printer.event("WCI: " + base + "/status and " + base + "/metrics");

        stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(devServer.target()).build());
        closer.add("Temporal client", () -> {
            stubs.shutdownNow();
            stubs.awaitTermination(5, TimeUnit.SECONDS);
        });
    }

    private LocalLambdaRuntime startRuntime(DemoLogs logs) {
        List<String> classpath = List.of(System.getProperty("java.class.path").split(File.pathSeparator));
        List<LocalFunctionVersion> published = new ArrayList<>();
        VERSIONS.forEach((buildId, version) -> published.add(new LocalFunctionVersion(version,
                DemoWorkerHandler.class.getName(), classpath, FUNCTION_TIMEOUT_SECONDS, FUNCTION_MEMORY_MB, Map.of(
                "TEMPORAL_ADDRESS", devServer.target(),
                "TEMPORAL_NAMESPACE", DevServerProcess.NAMESPACE,
                "TEMPORAL_DEPLOYMENT_NAME", DEPLOYMENT,
                DemoWorkflows.BUILD_ID_ENV, buildId,
                "TEMPORAL_TASK_QUEUE", TASK_QUEUE), List.of())));
        LocalLambdaConfig config = new LocalLambdaConfig(null, null, options.lambdaConcurrency(),
                ExecutionMode.PROCESS, List.of(new LocalFunction(FUNCTION, null, null, published)));
        return DevStack.startRuntime(config, logs, clock);
    }

    private WciConfig writeConfig(Path file, int httpPort) {
        StringBuilder versions = new StringBuilder();
        VERSIONS.forEach((buildId, version) -> versions.append("      - buildId: ").append(buildId).append('\n')
                .append("        target: ").append(runtime.functionArn(FUNCTION, version)).append('\n'));
        String yaml = DevStack.wciConfigHead("Written by `wci demo` for this run (see docs/configuration.md and"
                + " docs/demo.md).", devServer.target(), runtime.endpoint().toString(), httpPort,
                options.lambdaConcurrency()) + """
                deployments:
                  - name: %s
                    scaling:
                      # Half the account each, so that the draining v1 never starves the new Current v2.
                      maxWorkersPerVersion: %d
                      # The demo worker exits after %d s without work and stops polling %d s before its timeout.
                      workerIdleExit: %ds
                      shutdownBuffer: %ds
                    versions:
                %s""".formatted(DEPLOYMENT, perVersionCap(options),
                DemoWorkerHandler.IDLE_EXIT.toSeconds(), DemoWorkerHandler.SHUTDOWN_BUFFER.toSeconds(),
                DemoWorkerHandler.IDLE_EXIT.toSeconds(), DemoWorkerHandler.SHUTDOWN_BUFFER.toSeconds(), versions);
        return DevStack.writeConfig(file, yaml, env, "the demo's own configuration");
    }

    /** WCI's cap per version: half the local account's concurrency, at least one. */
    static int perVersionCap(DemoOptions options) {
        return Math.max(1, options.lambdaConcurrency() / 2);
    }

    /** Makes a version Current once Temporal knows it (a worker of it polled), then waits for the change to reach its task queues. */
    private void setCurrent(String buildId) {
        if (!DevStack.makeCurrent(stubs, DEPLOYMENT, buildId, "wci-demo", SET_CURRENT_TIMEOUT, CONFIRM_CURRENT_WAIT,
                stop)) {
            printer.event(String.format("[%s] %s", elapsed(), DevStack.unconfirmed(DEPLOYMENT, buildId,
                    CONFIRM_CURRENT_WAIT)));
        }
        printer.event(String.format("[%s] %s is Current: new workflows start on it", elapsed(), buildId));
    }

    private boolean awaitCondition(Duration timeout, java.util.function.BooleanSupplier condition) {
        return stop.await(timeout, Duration.ofMillis(250), condition);
    }

    private void phase(String name) {
        phase = name;
        printer.event(String.format("[%s] phase: %s", elapsed(), name));
    }

    private String elapsed() {
        return Progress.clock(Duration.between(startedAt, clock.instant()).toSeconds());
    }

    // ---------------------------------------------------------------------------------------------
    // Progress

    private ScheduledExecutorService ticker;

    private void startTicker() {
        // Two threads: a slow progress tick (Temporal answering late) must not hold up the ledger samples.
        ticker = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "wci-demo-progress");
            t.setDaemon(true);
            return t;
        });
        closer.add("progress display", this::stopTicker);
        ticker.scheduleAtFixedRate(() -> {
            try {
                if (!devServer.isAlive() && !stop.requested()) {
                    failure = "the Temporal dev server stopped (" + devServer.exitDescription() + ")";
                    stop.request();
                }
                observeTimers();
                printer.update(snapshot());
            } catch (RuntimeException e) {
                log.warn("progress display failed: {}", e.toString(), e);
            }
        }, 1, 1, TimeUnit.SECONDS);
        ticker.scheduleAtFixedRate(() -> {
            try {
                sampleLedger();
            } catch (RuntimeException e) {
                log.warn("sampling WCI's ledger failed: {}", e.toString(), e);
            }
        }, LEDGER_SAMPLE.toMillis(), LEDGER_SAMPLE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** How often WCI's live count is compared with the runtime's (the resolution of the exit-delay figure). */
    static final Duration LEDGER_SAMPLE = Duration.ofMillis(250);
    private final LedgerFollow ledgerFollow = new LedgerFollow();

    /** One sample per version of WCI's live workers, the runtime's running invocations and WCI's accepted ones. */
    private void sampleLedger() {
        Instant at = clock.instant();
        Map<DeploymentVersion, Integer> live = new HashMap<>();
        wci.scaler().status().forEach(g -> live.merge(g.group().version(), g.live().live(), Integer::sum));
        List<InvocationRecord> invocations = runtime.invocations();
        VERSIONS.forEach((buildId, version) -> {
            int running = (int) invocations.stream().filter(r -> r.function().equals(FUNCTION)
                    && r.version().equals(version) && r.outcome() == InvocationOutcome.RUNNING).count();
            double accepted = wci.meters().find("wci.invocations").tags("deployment", DEPLOYMENT, "build_id", buildId,
                    "result", "accepted").counters().stream().mapToDouble(c -> c.count()).sum();
            ledgerFollow.sample(at, buildId, live.getOrDefault(new DeploymentVersion(DEPLOYMENT, buildId), 0), running,
                    (long) accepted);
        });
    }

    /** Per version, when the runtime's invocations ended (throttled ones never ran). */
    private Map<String, List<Instant>> runtimeEnds() {
        Map<String, List<Instant>> ends = new HashMap<>();
        List<InvocationRecord> invocations = runtime.invocations();
        VERSIONS.forEach((buildId, version) -> ends.put(buildId, invocations.stream()
                .filter(r -> r.function().equals(FUNCTION) && r.version().equals(version) && r.endedAt() != null
                        && r.outcome() != InvocationOutcome.THROTTLED)
                .map(InvocationRecord::endedAt).toList()));
        return ends;
    }

    private void stopTicker() {
        if (ticker != null) {
            ticker.shutdownNow();
            try {
                ticker.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            printer.release();
        }
    }

    private Progress.Snapshot snapshot() {
        LoadGenerator.Counts counts = load != null ? load.counts() : new LoadGenerator.Counts(0, 0, 0, Map.of());
        Map<DeploymentVersion, GroupStatus> groups = new HashMap<>();
        wci.scaler().status().forEach(g -> groups.putIfAbsent(g.group().version(), g));
        Map<String, String> routing = routing();
        List<InvocationRecord> invocations = runtime.invocations();
        List<Progress.VersionLine> lines = new ArrayList<>();
        VERSIONS.forEach((buildId, version) -> {
            DeploymentVersion dv = new DeploymentVersion(DEPLOYMENT, buildId);
            GroupStatus g = groups.get(dv);
            List<InvocationRecord> mine = invocations.stream()
                    .filter(r -> r.function().equals(FUNCTION) && r.version().equals(version)).toList();
            lines.add(new Progress.VersionLine(buildId,
                    routing.getOrDefault(buildId, "-"),
                    g == null ? 0 : g.backlog(), g == null ? 0 : g.live().starting(), g == null ? 0 : g.live().ready(),
                    mine.size(), (int) mine.stream().filter(r -> r.outcome() == InvocationOutcome.RUNNING).count(),
                    (int) mine.stream().filter(r -> r.outcome() == InvocationOutcome.THROTTLED).count(),
                    counts.doneByBuildId().getOrDefault(buildId, 0)));
        });
        return new Progress.Snapshot(Duration.between(startedAt, clock.instant()).toSeconds(), phase,
                counts.started(), counts.done(), counts.failed(), lines);
    }

    private WorkerDeploymentInfo describeDeployment() {
        return stubs.blockingStub().withDeadlineAfter(2, TimeUnit.SECONDS).describeWorkerDeployment(
                DescribeWorkerDeploymentRequest.newBuilder().setNamespace(DevServerProcess.NAMESPACE)
                        .setDeploymentName(DEPLOYMENT).build()).getWorkerDeploymentInfo();
    }

    private volatile Map<String, String> lastRouting = Map.of();

    /**
     * Each version's status as Temporal reports it (CURRENT, DRAINING, ...); empty before the deployment exists.
     * When Temporal does not answer this second (it limits calls while a routing change is applied), the last
     * answer stands.
     */
    private Map<String, String> routing() {
        try {
            Map<String, String> status = new HashMap<>();
            describeDeployment().getVersionSummariesList().forEach(v -> status.put(
                    v.getDeploymentVersion().getBuildId(),
                    v.getStatus().name().replace("WORKER_DEPLOYMENT_VERSION_STATUS_", "")));
            lastRouting = Map.copyOf(status);
        } catch (StatusRuntimeException e) {
            // NOT_FOUND until a worker of the deployment polled; RESOURCE_EXHAUSTED or slow during a change.
        }
        return lastRouting;
    }

    private final Map<String, Summary.TimerFigures> timers = new java.util.concurrent.ConcurrentHashMap<>(Map.of(
            Summary.REACTION, Summary.TimerFigures.NONE, Summary.INVOKE_LATENCY, Summary.TimerFigures.NONE));

    /** Keeps the whole run's maximum of WCI's timers (Micrometer's own max forgets after about two minutes). */
    private void observeTimers() {
        timers.replaceAll((name, figures) -> figures.merge(Summary.TimerFigures.of(wci.meters(), name)));
    }

    private void printSummary() {
        Instant now = clock.instant();
        List<LoadGenerator.Outcome> outcomes = load.outcomes();
        LoadGenerator.Counts counts = load.counts();
        out.println();
        out.printf(Locale.ROOT, "Summary after %s: %d workflows started, %d done, %d failed, %d still running%n",
                Progress.clock(Duration.between(startedAt, now).toSeconds()), counts.started(), counts.done(),
                counts.failed(), counts.running());
        Summary.table(Summary.versions(VERSIONS, FUNCTION, runtime.invocations(), outcomes, now))
                .forEach(out::println);
        out.println("waiting workflows: " + Summary.waiters(outcomes));
        observeTimers();
        out.println(timers.get(Summary.REACTION).describe("WCI reaction time (signal seen -> invoke sent)"));
        out.println(timers.get(Summary.INVOKE_LATENCY).describe("Lambda Invoke call latency"));
        out.println("WCI invoke requests by reason: " + Summary.invokeRequests(wci.meters()));
        ledgerFollow.finish(now);
        LedgerFollow.describe(ledgerFollow.largestGap(), ledgerFollow.longestGap(),
                ledgerFollow.exitDelays(runtimeEnds())).forEach(out::println);
    }

    /** Handler JVMs the runtime may still be killing when it returns: wait a little, then kill what is left. */
    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
