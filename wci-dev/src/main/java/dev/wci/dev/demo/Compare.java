package dev.wci.dev.demo;

import dev.wci.core.version.DeploymentVersion;
import dev.wci.lambda.LambdaComputeProvider;
import dev.wci.local.lambda.ExecutionMode;
import dev.wci.local.lambda.InvocationRecord;
import dev.wci.local.lambda.LocalFunction;
import dev.wci.local.lambda.LocalFunctionVersion;
import dev.wci.local.lambda.LocalLambdaConfig;
import dev.wci.local.lambda.LocalLambdaRuntime;
import dev.wci.local.DevServerProcess;
import dev.wci.server.cli.UserError;
import dev.wci.server.config.WciConfig;
import dev.wci.dev.demo.CompareOptions.Controller;
import dev.wci.server.service.Providers;
import dev.wci.server.service.WciService;
import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.Counter;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.compute.v1.ComputeConfig;
import io.temporal.api.compute.v1.ComputeConfigScalingGroup;
import io.temporal.api.compute.v1.ComputeProvider;
import io.temporal.api.deployment.v1.WorkerDeploymentVersion;
import io.temporal.api.workflowservice.v1.CreateWorkerDeploymentRequest;
import io.temporal.api.workflowservice.v1.CreateWorkerDeploymentVersionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The head-to-head comparison of worker controllers (docs/compare.md), one run per call: a fresh Temporal dev
 * server and local Lambda runtime, one controller alone (Temporal's embedded one, or WCI with a signal source),
 * a workload of two bursts around a trickle and an idle gap, and one CSV row of figures. {@code src/bench/compare.sh}
 * interleaves runs and prints the table ({@code report}). A development tool beside the demo, not part of the
 * service: it is started by class name, not through {@code wci}.
 *
 * <pre>
 *   java -cp ... dev.wci.dev.demo.Compare run --controller embedded|wci-stats|wci-metrics|wci-push [options]
 *   java -cp ... dev.wci.dev.demo.Compare report FILE.csv
 * </pre>
 */
public final class Compare {

    static final String FUNCTION = "cmp-worker";
    static final String BUILD_ID = "b1";
    /** The build every deployment switches to with {@code --switch-at-seconds}. */
    static final String BUILD_ID_2 = "b2";
    static final String PUSH_KEY_ID = "AKIDWCICOMPARE";
    static final int FUNCTION_TIMEOUT_SECONDS = 300;
    static final Duration SETTLE_TIMEOUT = Duration.ofMinutes(3);
    static final Duration COMPLETE_TIMEOUT = Duration.ofMinutes(5);
    private static final int START_THREADS = 16;

    private final CompareOptions options;
    private final PrintStream out;
    private final Function<String, String> env;
    private final Clock clock;
    private final StopSignal stop = new StopSignal();
    private final Closer closer = new Closer();

    private DevServerProcess devServer;
    private LocalLambdaRuntime runtime;
    private WorkflowServiceStubs stubs;
    private WciService wci;
    /** The key pair the dev server signs its Lambda calls with in wci-push runs; fresh per run. */
    private final String pushSecret = UUID.randomUUID().toString();

    Compare(CompareOptions options, PrintStream out, Function<String, String> env, Clock clock) {
        this.options = options;
        this.out = out;
        this.env = env;
        this.clock = clock;
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(args, System.out);
        } catch (UserError e) {
            System.err.println("compare: " + e.getMessage());
            code = 2;
        }
        System.exit(code);
    }

    static int run(String[] args, PrintStream out) {
        if (args.length == 0 || !(args[0].equals("run") || args[0].equals("report"))) {
            throw new UserError("usage: Compare run --controller embedded|wci-stats|wci-metrics|wci-push [options]"
                    + " | Compare report FILE.csv (see docs/compare.md)");
        }
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        if (args[0].equals("report")) {
            if (rest.length != 1) {
                throw new UserError("report takes one CSV file");
            }
            report(Path.of(rest[0]), out);
            return 0;
        }
        CompareOptions options = CompareOptions.parse(rest);
        return new Compare(options, out, System::getenv, Clock.systemUTC()).runOnce();
    }

    /** Prints the per-run rows and the table of means and ratios of a CSV file the runs wrote. */
    static void report(Path csv, PrintStream out) {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError("cannot read " + csv + ": " + e.getMessage());
        }
        List<CompareReport.Row> rows = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith(CompareReport.HEADER.substring(0, 10))) {
                continue;
            }
            try {
                rows.add(CompareReport.Row.parse(line));
            } catch (IllegalArgumentException e) {
                throw new UserError(csv + ": " + e.getMessage());
            }
        }
        if (rows.isEmpty()) {
            throw new UserError(csv + " has no rows");
        }
        out.println("Per run:");
        CompareReport.perRun(rows).forEach(out::println);
        out.println();
        CompareReport.table(rows, Controller.EMBEDDED.label).forEach(out::println);
    }

    /** One run; its row goes to stdout and, with {@code --csv}, to the file. Returns 1 when workflows failed. */
    int runOnce() {
        Thread hook = new Thread(closer::close, "wci-compare-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        DemoLogs logs = DemoLogs.create();
        closer.add("log files", logs::close);
        out.println("compare: " + options.controller().label + " run " + options.run() + ": " + options.workload());
        out.println("files: " + logs.dir());
        try {
            return measure(logs);
        } catch (UserError e) {
            throw e;
        } catch (RuntimeException e) {
            // The run could not be measured (the dev server refused, a setup step timed out): one line, details in the log.
            LoggerFactory.getLogger(Compare.class).error("comparison run failed", e);
            out.println("compare: run failed: " + e.getMessage() + " (files in " + logs.dir() + ")");
            return 1;
        } finally {
            closer.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook closes what is left
            }
        }
    }

    private int measure(DemoLogs logs) {
        TemporalCli cli = new TemporalCli(env, TemporalCli.findRepoRoot(TemporalCli.codeLocation(), Path.of("")));
        Path cliPath = cli.locate().orElseGet(() -> cli.provision(out::println, logs.provisionLog(), stop));
        runtime = startRuntime(logs);
        Instant started = clock.instant();
        closer.add("handler JVMs", () -> DevStack.reapHandlerJvms(started, devServer));
        closer.add("local Lambda runtime", runtime::close);
        Controller controller = options.controller();
        List<String> args = new ArrayList<>();
        Map<String, String> serverEnv = new HashMap<>();
        int lambdaEndpointPort = controller == Controller.WCI_PUSH ? freePort() : 0;
        if (controller == Controller.EMBEDDED || controller == Controller.WCI_PUSH) {
            // As measured in issue 12: the embedded controller with the aws-lambda provider and no-sync, its
            // Lambda client pointed at the local runtime, or for wci-push at WCI's Lambda endpoint.
            for (String value : List.of("workercontroller.enabled=true",
                    "workercontroller.compute_providers.enabled=[\"aws-lambda\"]",
                    "workercontroller.scaling_algorithms.enabled=[\"no-sync\"]",
                    "workercontroller.compute_providers.aws.require_role_and_external_id=false")) {
                args.add("--dynamic-config-value");
                args.add(value);
            }
            if (controller == Controller.WCI_PUSH) {
                serverEnv.put("AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:" + lambdaEndpointPort);
                serverEnv.put("AWS_ACCESS_KEY_ID", PUSH_KEY_ID);
                serverEnv.put("AWS_SECRET_ACCESS_KEY", pushSecret);
            } else {
                serverEnv.put("AWS_ENDPOINT_URL_LAMBDA", runtime.endpoint().toString());
                serverEnv.put("AWS_ACCESS_KEY_ID", "local");
                serverEnv.put("AWS_SECRET_ACCESS_KEY", "local");
            }
            serverEnv.put("AWS_REGION", "us-east-1");
            serverEnv.put("AWS_EC2_METADATA_DISABLED", "true");
        }
        DevServerProcess.Options serverOptions = DevServerProcess.Options.of(cliPath, logs.temporalLog())
                .withExtraArgs(args).withEnvironment(serverEnv);
        boolean scrape = controller == Controller.WCI_METRICS || controller == Controller.WCI_PUSH;
        devServer = DevServerProcess.start(scrape ? serverOptions.withMetrics() : serverOptions, stop::sleep);
        closer.add("Temporal dev server", devServer::close);
        publishVersions();
        stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(devServer.target()).build());
        closer.add("Temporal client", stubs::shutdownNow);

        // Each build of each deployment is registered with the run's controller alone, b2 exactly as b1.
        if (controller == Controller.EMBEDDED) {
            forEachVersion(this::createEmbeddedVersion);
        } else {
            startWci(logs, devServer.metricsEndpoint().map(URI::getPort).orElse(0), lambdaEndpointPort);
            if (controller == Controller.WCI_PUSH) {
                // The server validates each version through WCI (GetFunction forwarded to the runtime); from now
                // on its controller's invokes are WCI's signals.
                forEachVersion(this::createEmbeddedVersion);
            }
        }
        for (int i = 1; i <= options.versions(); i++) {
            setCurrent(deployment(i));
        }
        int registered = options.versions() * options.builds().size();
        if (controller == Controller.WCI_PUSH || options.switches()) {
            // The versions exist before any worker polled them: wait for each one's registration invocation (WCI's
            // bootstrap, or the embedded controller's invoke at creation), so that the load, and the switch, meet
            // registered task queues as in the other controllers' runs. After setCurrent, as the embedded
            // controller's setup does it (once task queues are registered, a routing change on a version with a
            // compute config stayed in progress for minutes on this server).
            // Then until WCI's registry lists their task queues (it syncs every few seconds; the embedded controller
            // knows them at once): a run measures the steady path, not a version WCI has not seen yet.
            if (!await(SETTLE_TIMEOUT, () -> runtime.invocations().size() >= registered
                    && (wci == null || wciKnowsQueues()))) {
                throw new IllegalStateException("the versions were not each invoked once to register them"
                        + (wci == null ? "" : " and seen with their task queues by WCI") + " within "
                        + SETTLE_TIMEOUT.toSeconds() + " s; see " + logs.dir());
            }
        }
        // Every controller registers a version by invoking it once: wait for those workers to exit idle.
        if (!await(SETTLE_TIMEOUT, () -> runtime.inFlight() == 0)) {
            throw new IllegalStateException("the bootstrap workers did not exit within " + SETTLE_TIMEOUT.toSeconds()
                    + " s; see " + logs.dir());
        }
        int baseline = runtime.invocations().size();
        out.println("setup done (" + baseline + " bootstrap invocation(s)); load starts");

        WorkflowClient client = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder()
                .setNamespace(DevServerProcess.NAMESPACE).build());
        ExecutorService starters = Executors.newFixedThreadPool(START_THREADS, r -> {
            Thread t = new Thread(r, "wci-compare-start");
            t.setDaemon(true);
            return t;
        });
        closer.add("workflow starters", starters::shutdownNow);
        List<CompletableFuture<CompareReport.Workflow>> results = new ArrayList<>();
        List<Instant> burstStarts = new ArrayList<>();
        int[] sequence = {0};
        burstStarts.add(clock.instant());
        out.println("burst 1 at " + burstStarts.get(0));
        burst(client, starters, CompareReport.Part.BURST1, options.burst(), results, sequence);
        long t0 = clock.millis();
        Instant switchedAt = null;
        for (int n = 0; n < options.trickleCount(); n++) {
            long due = t0 + Math.round(n * 1000.0 / options.rate());
            if (options.switches() && n == options.firstAfterSwitch()) {
                sleepUntil(t0 + options.switchAtSeconds() * 1000L);
                switchedAt = switchToSecondBuild(starters);
            }
            sleepUntil(due);
            results.add(start(client, CompareReport.Part.TRICKLE, sequence));
        }
        if (options.burst2() > 0) {
            // The idle gap is idle: every workflow so far done and every worker exited (on a busy host the backlog
            // outlasts the trickle by minutes), then --idle-seconds without work.
            await(COMPLETE_TIMEOUT, () -> results.stream().allMatch(CompletableFuture::isDone)
                    && runtime.inFlight() == 0);
            sleepUntil(clock.millis() + options.idleSeconds() * 1000L);
            burstStarts.add(clock.instant());
            out.println("burst 2 at " + burstStarts.get(1) + " (" + runtime.inFlight() + " worker(s) running)");
            burst(client, starters, CompareReport.Part.BURST2, options.burst2(), results, sequence);
        }
        out.println("load started: " + results.size() + " workflows; waiting for them to complete");
        await(COMPLETE_TIMEOUT, () -> results.stream().allMatch(Future::isDone));
        await(Duration.ofSeconds(options.idleExitSeconds() + 30L), () -> runtime.inFlight() == 0);
        List<CompareReport.Workflow> workflows = new ArrayList<>();
        int unfinished = 0;
        for (CompletableFuture<CompareReport.Workflow> f : results) {
            if (f.isDone()) {
                workflows.add(f.join());
            } else {
                unfinished++;
                workflows.add(CompareReport.Workflow.failed(CompareReport.Part.TRICKLE, clock.instant()));
            }
        }
        List<InvocationRecord> all = runtime.invocations();
        writeInvocations(logs.dir().resolve("invocations.csv"), all.subList(baseline, all.size()), burstStarts,
                switchedAt);
        CompareReport.Switch versionSwitch = switchedAt == null ? null : new CompareReport.Switch(switchedAt,
                versionsOfBuild(BUILD_ID), versionsOfBuild(BUILD_ID_2), BUILD_ID_2);
        CompareReport.Row row = CompareReport.measure(controller.label, options.run(),
                all.subList(baseline, all.size()), burstStarts, versionSwitch, workflows, clock.instant());
        if (wci != null) {
            saveStatus(wci, logs.dir().resolve("status.json"));
            if (controller == Controller.WCI_PUSH) {
                out.println(pushSummary(wci, all.size()));
            }
        }
        out.println(CompareReport.HEADER);
        out.println(row.csv());
        if (options.csv() != null) {
            appendCsv(options.csv(), row);
        }
        if (unfinished > 0) {
            out.println("compare: " + unfinished + " workflow(s) did not complete within "
                    + COMPLETE_TIMEOUT.toMinutes() + " min; see " + logs.dir());
        }
        return row.failed() > 0 ? 1 : 0;
    }

    static String deployment(int i) {
        return "cmp-" + i;
    }

    private LocalLambdaRuntime startRuntime(DemoLogs logs) {
        LocalLambdaConfig config = new LocalLambdaConfig(null, null, options.concurrency(), ExecutionMode.PROCESS,
                List.of(new LocalFunction(FUNCTION, null, null, functionVersions("127.0.0.1:1"))));
        return DevStack.startRuntime(config, logs, clock);
    }

    /**
     * The published function version that runs deployment cmp-i's build: i for b1, and with a switch versions + i
     * for b2 (one function, a version per build as a Lambda deployment publishes them).
     */
    private String functionVersion(int i, String buildId) {
        return Integer.toString(options.builds().indexOf(buildId) * options.versions() + i);
    }

    /** The function versions that run {@code buildId}, one per deployment. */
    private Set<String> versionsOfBuild(String buildId) {
        Set<String> versions = new HashSet<>();
        forEachVersion((i, build) -> {
            if (build.equals(buildId)) {
                versions.add(functionVersion(i, build));
            }
        });
        return versions;
    }

    /** Calls {@code action} with each deployment's number and each of its builds, b1 first. */
    private void forEachVersion(BiConsumer<Integer, String> action) {
        for (String build : options.builds()) {
            for (int i = 1; i <= options.versions(); i++) {
                action.accept(i, build);
            }
        }
    }

    /** The function's versions; the server's address is known once it runs. */
    private List<LocalFunctionVersion> functionVersions(String temporalAddress) {
        List<String> classpath = List.of(System.getProperty("java.class.path").split(File.pathSeparator));
        List<LocalFunctionVersion> versions = new ArrayList<>();
        forEachVersion((i, build) -> versions.add(new LocalFunctionVersion(functionVersion(i, build),
                CompareWorkerHandler.class.getName(), classpath, FUNCTION_TIMEOUT_SECONDS, 512, Map.of(
                    "TEMPORAL_ADDRESS", temporalAddress,
                    "TEMPORAL_NAMESPACE", DevServerProcess.NAMESPACE,
                    "TEMPORAL_DEPLOYMENT_NAME", deployment(i),
                    DemoWorkflows.BUILD_ID_ENV, build,
                    "TEMPORAL_TASK_QUEUE", deployment(i),
                    CompareWorkerHandler.IDLE_EXIT_ENV, Long.toString(options.idleExit().toMillis()),
                    // No deadlock detector: on a shared 2-core host a workflow thread starved of CPU for 1 s fails
                    // its task (retried later), which real Lambda, a CPU per environment, does not do.
                    "TEMPORAL_DEBUG", "true"), List.of())));
        return versions;
    }

    private void publishVersions() {
        functionVersions(devServer.target()).forEach(v -> runtime.publishVersion(FUNCTION, v));
    }

    /**
     * The embedded controller's registration of deployment i's build: {@code CreateWorkerDeploymentVersion} with a
     * compute config of provider {@code aws-lambda} naming the qualified ARN (the server checks it with GetFunction
     * and invokes it once); the deployment is created with its first build. Through the API rather than the CLI, whose
     * {@code create-version} (1.9.1) insists on a role ARN that the local runtime has no STS for.
     */
    private void createEmbeddedVersion(int i, String buildId) {
        String details = "{\"arn\":\"" + runtime.functionArn(FUNCTION, functionVersion(i, buildId)) + "\"}";
        ComputeProvider provider = ComputeProvider.newBuilder().setType("aws-lambda").setDetails(Payload.newBuilder()
                .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
                .setData(ByteString.copyFromUtf8(details))).build();
        try {
            if (buildId.equals(BUILD_ID)) {
                stubs.blockingStub().withDeadlineAfter(30, TimeUnit.SECONDS).createWorkerDeployment(
                        CreateWorkerDeploymentRequest.newBuilder().setNamespace(DevServerProcess.NAMESPACE)
                                .setDeploymentName(deployment(i)).setIdentity("wci-compare").build());
            }
            stubs.blockingStub().withDeadlineAfter(60, TimeUnit.SECONDS).createWorkerDeploymentVersion(
                    CreateWorkerDeploymentVersionRequest.newBuilder().setNamespace(DevServerProcess.NAMESPACE)
                            .setDeploymentVersion(WorkerDeploymentVersion.newBuilder()
                                    .setDeploymentName(deployment(i)).setBuildId(buildId))
                            .setComputeConfig(ComputeConfig.newBuilder().putScalingGroups("default",
                                    ComputeConfigScalingGroup.newBuilder().setProvider(provider).build()))
                            .setIdentity("wci-compare").build());
        } catch (StatusRuntimeException e) {
            throw new IllegalStateException("the dev server refused the embedded controller's version "
                    + deployment(i) + ":" + buildId + ": " + e.getStatus(), e);
        }
    }

    /**
     * What the Lambda endpoint received from the server and what WCI did, for the run's log: how many of the
     * server's invokes became signals, and the Invokes the runtime received (bootstraps included) beside those WCI
     * sent; equal counts mean only WCI invoked.
     */
    static String pushSummary(WciService wci, int runtimeInvokes) {
        var meters = wci.meters();
        long signals = Math.round(meters.counter("wci.lambda.endpoint.invokes", "result", "signal").count());
        long noQueue = Math.round(meters.counter("wci.lambda.endpoint.invokes", "result", "no_task_queue").count());
        long unmanaged = Math.round(meters.counter("wci.lambda.endpoint.invokes", "result", "unmanaged").count());
        long sent = Math.round(meters.find("wci.invocations").counters().stream()
                .mapToDouble(Counter::count).sum());
        return "lambda endpoint: " + (signals + noQueue + unmanaged) + " invokes from the server (signal " + signals
                + ", no_task_queue " + noQueue + ", unmanaged " + unmanaged + "); runtime received " + runtimeInvokes
                + " invokes, WCI sent " + sent;
    }

    /** Whether WCI manages every version (each build of each deployment) and knows its task queues. */
    private boolean wciKnowsQueues() {
        for (String build : options.builds()) {
            for (int i = 1; i <= options.versions(); i++) {
                boolean known = wci.registry().version(new DeploymentVersion(deployment(i), build))
                        .map(v -> v.isManaged() && !v.temporal().taskQueues().isEmpty()).orElse(false);
                if (!known) {
                    return false;
                }
            }
        }
        return true;
    }

    /** WCI's /status at the end of the run (its recent decisions with their triggers), to read a run later. */
    private static void saveStatus(WciService wci, Path file) {
        try {
            HttpResponse<Path> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + wci.httpPort() + "/status")).timeout(Duration.ofSeconds(30))
                    .build(), HttpResponse.BodyHandlers.ofFile(file));
            if (r.statusCode() != 200) {
                LoggerFactory.getLogger(Compare.class).warn("/status answered {}", r.statusCode());
            }
        } catch (IOException e) {
            LoggerFactory.getLogger(Compare.class).warn("cannot save /status: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A free loopback port for WCI's Lambda endpoint, which the dev server must know before WCI can start. */
    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port: " + e.getMessage(), e);
        }
    }

    private void startWci(DemoLogs logs, int metricsPort, int lambdaEndpointPort) {
        String yaml = wciYaml(options, devServer.target(), runtime.endpoint().toString(),
                (i, build) -> runtime.functionArn(FUNCTION, functionVersion(i, build)), metricsPort,
                lambdaEndpointPort, pushSecret);
        WciConfig config = DevStack.writeConfig(logs.config(), yaml, env, "the comparison's WCI configuration");
        LambdaComputeProvider lambda = Providers.lambda(config.aws(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")), clock);
        closer.add("Lambda provider", lambda::close);
        WciService service = new WciService(config, Map.of(lambda.type(), lambda), clock);
        closer.add("WCI", service::close);
        service.start();
        wci = service;
    }

    /** Makes the version Current once Temporal knows it, then waits until the change reached its task queues. */
    private void setCurrent(String deployment) {
        if (!DevStack.makeCurrent(stubs, deployment, BUILD_ID, "wci-compare", Demo.SET_CURRENT_TIMEOUT,
                Demo.CONFIRM_CURRENT_WAIT, stop)) {
            out.println(DevStack.unconfirmed(deployment, BUILD_ID, Demo.CONFIRM_CURRENT_WAIT));
        }
    }

    /**
     * The switch: makes b2 Current in every deployment and returns when Temporal accepted the last of them (the
     * switch's time in the figures). The trickle goes on meanwhile: the wait for Temporal to report the routing
     * change applied (bounded, as the demo's) runs on {@code background} and only says when it was not.
     */
    private Instant switchToSecondBuild(ExecutorService background) {
        for (int i = 1; i <= options.versions(); i++) {
            DevStack.setCurrent(stubs, deployment(i), BUILD_ID_2, "wci-compare", Demo.SET_CURRENT_TIMEOUT, stop);
        }
        Instant at = clock.instant();
        out.println("switch: " + BUILD_ID_2 + " Current at " + at);
        background.submit(() -> {
            for (int i = 1; i <= options.versions(); i++) {
                if (!DevStack.awaitApplied(stubs, deployment(i), Demo.CONFIRM_CURRENT_WAIT, stop)) {
                    out.println(DevStack.unconfirmed(deployment(i), BUILD_ID_2, Demo.CONFIRM_CURRENT_WAIT));
                }
            }
        });
        return at;
    }

    private void burst(WorkflowClient client, ExecutorService starters, CompareReport.Part part, int n,
                       List<CompletableFuture<CompareReport.Workflow>> results, int[] sequence) {
        List<Future<CompletableFuture<CompareReport.Workflow>>> starts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            starts.add(starters.submit(() -> start(client, part, sequence)));
        }
        for (Future<CompletableFuture<CompareReport.Workflow>> f : starts) {
            try {
                results.add(f.get());
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("starting a workflow failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StopSignal.Stopped();
            }
        }
    }

    /** Starts one Auto-Upgrade workflow (it runs on the Current version) round-robin over the deployments. */
    private CompletableFuture<CompareReport.Workflow> start(WorkflowClient client, CompareReport.Part part, int[] sequence) {
        int n;
        synchronized (sequence) {
            n = ++sequence[0];
        }
        String queue = deployment(1 + n % options.versions());
        WorkflowStub stub = client.newUntypedWorkflowStub("AutoUpgrade", WorkflowOptions.newBuilder()
                .setTaskQueue(queue).setWorkflowId(String.format(Locale.ROOT, "cmp-%s-%05d", part, n)).build());
        Instant sent = clock.instant();
        try {
            stub.start(false, options.activityMillis());
        } catch (RuntimeException e) {
            // The server refused or timed out (seen on an overloaded host): a failed workflow, counted as such.
            out.println("starting workflow " + stub.getOptions().map(o -> o.getWorkflowId()).orElse("?")
                    + " failed: " + e.getMessage());
            return CompletableFuture.completedFuture(CompareReport.Workflow.failed(part, sent));
        }
        return stub.getResultAsync(DemoWorkflows.Result.class).handle((result, error) -> error != null
                ? CompareReport.Workflow.failed(part, sent)
                : new CompareReport.Workflow(part, sent, result.firstTaskWaitMillis(), result.buildId(), false));
    }

    /** The measured period's invocations, one line each, to check or re-measure a run later. */
    private static void writeInvocations(Path file, List<InvocationRecord> records, List<Instant> burstStarts,
                                         Instant switchedAt) {
        StringBuilder b = new StringBuilder("# bursts started at " + burstStarts
                + (switchedAt == null ? "" : "; " + BUILD_ID_2 + " Current at " + switchedAt) + "\n"
                + "request_id,version,received_at,started_at,ended_at,outcome\n");
        for (InvocationRecord r : records) {
            b.append(r.requestId()).append(',').append(r.version()).append(',').append(r.receivedAt()).append(',')
                    .append(r.startedAt() == null ? "" : r.startedAt()).append(',')
                    .append(r.endedAt() == null ? "" : r.endedAt()).append(',').append(r.outcome()).append('\n');
        }
        try {
            Files.writeString(file, b);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void appendCsv(Path csv, CompareReport.Row row) {
        try {
            boolean fresh = !Files.exists(csv) || Files.size(csv) == 0;
            Files.writeString(csv, (fresh ? CompareReport.HEADER + "\n" : "") + row.csv() + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + csv + ": " + e.getMessage(), e);
        }
    }

    private void sleepUntil(long epochMillis) {
        long wait = epochMillis - clock.millis();
        if (wait > 0) {
            stop.sleep(Duration.ofMillis(wait));
        }
    }

    private boolean await(Duration timeout, BooleanSupplier condition) {
        return stop.await(timeout, Duration.ofMillis(100), condition);
    }

    /**
     * WCI's configuration for one run: the account limit as both caps, the workers' idle exit and shutdown buffer,
     * WCI's {@code defaultWorkerThroughput} when {@code --wci-worker-throughput} sets it, each deployment's builds
     * mapped to their qualified ARNs ({@code arn} of the deployment's number and the build), and the sources the
     * controller uses (a port of 0 leaves a source out).
     */
    static String wciYaml(CompareOptions options, String temporalTarget, String lambdaEndpoint,
                          BiFunction<Integer, String, String> arn, int metricsPort, int lambdaEndpointPort,
                          String pushSecret) {
        StringBuilder deployments = new StringBuilder();
        for (int i = 1; i <= options.versions(); i++) {
            deployments.append("""
                      - name: %s
                        scaling:
                          maxWorkersPerVersion: %d
                          workerIdleExit: %ds
                          shutdownBuffer: %ds
                    """.formatted(deployment(i), options.concurrency(), options.idleExitSeconds(),
                    DemoWorkerHandler.SHUTDOWN_BUFFER.toSeconds()));
            if (options.wciWorkerThroughput() > 0) {
                deployments.append("      defaultWorkerThroughput: ").append(number(options.wciWorkerThroughput()))
                        .append('\n');
            }
            deployments.append("    versions:\n");
            for (String build : options.builds()) {
                deployments.append("""
                              - buildId: %s
                                target: %s
                        """.formatted(build, arn.apply(i, build)));
            }
        }
        String signals = metricsPort == 0 && lambdaEndpointPort == 0 ? "" : "signals:\n";
        if (metricsPort != 0) {
            signals += """
                      matchingMetrics:
                        enabled: true
                        endpoints:
                          - http://127.0.0.1:%d/metrics
                    """.formatted(metricsPort);
        }
        if (lambdaEndpointPort != 0) {
            signals += """
                      lambdaEndpoint:
                        enabled: true
                        listen: 127.0.0.1:%d
                        accessKeyId: %s
                        secretAccessKey: %s
                    """.formatted(lambdaEndpointPort, PUSH_KEY_ID, pushSecret);
        }
        return DevStack.wciConfigHead("Written by the comparison (docs/compare.md) for this run.", temporalTarget,
                lambdaEndpoint, 0, options.concurrency()) + signals + "deployments:\n" + deployments;
    }

    /** 2 → "2", 2.5 → "2.5". */
    static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
