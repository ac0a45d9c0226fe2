package dev.wci.local;

import io.grpc.StatusRuntimeException;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A {@code temporal server start-dev} child process on 127.0.0.1 (headless), with Worker Deployment versioning
 * switched on as WCI's workers need it: the one launcher of the demo and of every integration test.
 * {@link #close()} stops it, and anything it started. What the SDK's {@code TemporalDevServer} lacks and this has:
 * a fixed port and database file (to restart the same server), the Prometheus endpoint, extra dynamic config and
 * environment for the server process, and a wait the demo's Ctrl-C can cut short.
 */
public final class DevServerProcess implements AutoCloseable {

    /** The namespace the dev server creates. */
    public static final String NAMESPACE = "default";

    /** Where the CLI is named explicitly. */
    public static final String CLI_ENV = "WCI_TEMPORAL_CLI";

    /**
     * The server settings WCI's workers rely on, as {@code --dynamic-config-value} arguments: the Worker Deployment
     * APIs (on by default in recent servers, explicit for older ones), and completing a stopping worker's polls, so
     * that no task is dispatched to a worker that exits idle (see docs/operations.md).
     */
    public static final List<String> SETTINGS = List.of(
            "--dynamic-config-value", "system.enableDeploymentVersions=true",
            "--dynamic-config-value", "frontend.workerVersioningWorkflowAPIs=true",
            "--dynamic-config-value", "frontend.enableCancelWorkerPollsOnShutdown=true");

    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    // A loaded machine may need a while to stop the server cleanly (its database file outlives it for a restart).
    static final Duration STOP_GRACE = Duration.ofSeconds(30);
    static final Duration POLL = Duration.ofMillis(200);

    /**
     * What to start.
     *
     * @param cli         the {@code temporal} executable
     * @param log         the server's output is appended here (a restart appends to the same file)
     * @param port        the frontend port; 0 picks a free one
     * @param metrics     whether to serve Prometheus metrics (on a free port, see {@link #metricsEndpoint()})
     * @param database    a SQLite file that keeps the server's state across a restart; empty: in memory
     * @param extraArgs   further {@code start-dev} arguments, e.g. {@code --dynamic-config-value k=v}
     * @param environment added to the server process's environment
     */
    public record Options(Path cli, Path log, int port, boolean metrics, Optional<Path> database,
                          List<String> extraArgs, Map<String, String> environment) {

        public Options {
            Objects.requireNonNull(cli, "cli");
            Objects.requireNonNull(log, "log");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be within 0..65535, got " + port);
            }
            database = Objects.requireNonNull(database, "database");
            extraArgs = List.copyOf(extraArgs);
            environment = Map.copyOf(environment);
        }

        /** In memory, on free ports, no metrics, no extra arguments. */
        public static Options of(Path cli, Path log) {
            return new Options(cli, log, 0, false, Optional.empty(), List.of(), Map.of());
        }

        public Options withPort(int p) {
            return new Options(cli, log, p, metrics, database, extraArgs, environment);
        }

        public Options withMetrics() {
            return new Options(cli, log, port, true, database, extraArgs, environment);
        }

        public Options withDatabase(Path file) {
            return new Options(cli, log, port, metrics, Optional.of(file), extraArgs, environment);
        }

        public Options withExtraArgs(List<String> args) {
            return new Options(cli, log, port, metrics, database, args, environment);
        }

        public Options withEnvironment(Map<String, String> env) {
            return new Options(cli, log, port, metrics, database, extraArgs, env);
        }
    }

    /** How the launcher waits between readiness checks; the demo's version ends the wait when the user stops it. */
    @FunctionalInterface
    public interface Pause {
        /** Waits for {@code d}; may throw to abandon the start (the server is then stopped). */
        void pause(Duration d);

        /** Just waits; an interrupt abandons the start. */
        Pause SLEEP = d -> {
            try {
                Thread.sleep(d.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the Temporal dev server was starting", e);
            }
        };
    }

    private final Process process;
    private final int port;
    private final Optional<URI> metricsEndpoint;
    private final Path log;

    private DevServerProcess(Process process, int port, Optional<URI> metricsEndpoint, Path log) {
        this.process = process;
        this.port = port;
        this.metricsEndpoint = metricsEndpoint;
        this.log = log;
    }

    /** The command line of the dev server. */
    static List<String> command(Options o, int port, int uiPort, int metricsPort) {
        List<String> command = new ArrayList<>(List.of(o.cli().toString(), "server", "start-dev", "--headless",
                "--ip", "127.0.0.1", "--port", Integer.toString(port), "--ui-port", Integer.toString(uiPort),
                "--log-level", "error"));
        if (metricsPort > 0) {
            command.addAll(List.of("--metrics-port", Integer.toString(metricsPort)));
        }
        o.database().ifPresent(db -> command.addAll(List.of("--db-filename", db.toString())));
        command.addAll(SETTINGS);
        command.addAll(o.extraArgs());
        return List.copyOf(command);
    }

    /** Starts the server and waits, {@link Pause#SLEEP sleeping} in between checks, until it answers. */
    public static DevServerProcess start(Options options) {
        return start(options, Pause.SLEEP);
    }

    /**
     * Starts the server and waits until its frontend answers for the {@code default} namespace (and its metrics
     * endpoint, when asked for).
     *
     * @throws IllegalStateException when it exits or does not answer within {@link #STARTUP_TIMEOUT}
     * @throws UncheckedIOException  when the CLI cannot be started
     */
    public static DevServerProcess start(Options options, Pause pause) {
        int port = options.port() == 0 ? freePort() : options.port();
        int metricsPort = options.metrics() ? freePort() : 0;
        ProcessBuilder builder = new ProcessBuilder(command(options, port, freePort(), metricsPort))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(options.log().toFile()));
        builder.environment().putAll(options.environment());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + options.cli() + ": " + e.getMessage(), e);
        }
        Optional<URI> metrics = metricsPort == 0 ? Optional.empty()
                : Optional.of(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"));
        DevServerProcess server = new DevServerProcess(process, port, metrics, options.log());
        try {
            server.awaitReady(pause);
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void awaitReady(Pause pause) {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(target()).build());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        try {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the Temporal dev server exited with code " + process.exitValue()
                            + " while starting: " + tail());
                }
                String notYet = notReady(stubs, http);
                if (notYet == null) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the Temporal dev server did not answer on " + target()
                            + " within " + STARTUP_TIMEOUT.toSeconds() + " s (" + notYet + "); its output is in "
                            + log);
                }
                pause.pause(POLL);
            }
        } finally {
            stubs.shutdownNow();
        }
    }

    /** Null when ready, else why not. */
    private String notReady(WorkflowServiceStubs stubs, HttpClient http) {
        try {
            stubs.blockingStub().withDeadlineAfter(1, TimeUnit.SECONDS)
                    .describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace(NAMESPACE).build());
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode().toString();
        }
        if (metricsEndpoint.isEmpty()) {
            return null;
        }
        try {
            int status = http.send(HttpRequest.newBuilder(metricsEndpoint.get()).timeout(Duration.ofSeconds(2))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            return status == 200 ? null : "metrics endpoint answered " + status;
        } catch (IOException e) {
            return "metrics endpoint: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the Temporal dev server was starting", e);
        }
    }

    /** The frontend address, {@code 127.0.0.1:port}. */
    public String target() {
        return "127.0.0.1:" + port;
    }

    /** The frontend port: start a server on it again to restart this one. */
    public int port() {
        return port;
    }

    /** The Prometheus endpoint, when {@link Options#metrics()} asked for one. */
    public Optional<URI> metricsEndpoint() {
        return metricsEndpoint;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Why it is not alive: its exit code and last output line. */
    public String exitDescription() {
        return "exit code " + (process.isAlive() ? "none yet" : process.exitValue()) + ", " + tail();
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    private String tail() {
        try {
            List<String> lines = new ArrayList<>(Files.readAllLines(log, StandardCharsets.UTF_8));
            lines.removeIf(String::isBlank);
            return lines.isEmpty() ? "no output (see " + log + ")"
                    : "last output: " + lines.get(lines.size() - 1).strip() + " (see " + log + ")";
        } catch (IOException | UncheckedIOException e) {
            return "no output (see " + log + ")";
        }
    }

    /** SIGTERM, then SIGKILL after {@link #STOP_GRACE}; the same for anything the server started. */
    @Override
    public void close() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        process.destroy();
        tree.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * Where the {@code temporal} CLI is: {@value #CLI_ENV}, then {@code <repoRoot>/.venv/bin/temporal} (provisioned
     * by {@code src/build/provision.sh}), then {@code PATH}.
     *
     * @param env      the process environment ({@code System::getenv})
     * @param repoRoot the repository, when known
     * @throws IllegalArgumentException when {@value #CLI_ENV} names no executable file
     */
    public static Optional<Path> locateCli(Function<String, String> env, Optional<Path> repoRoot) {
        String configured = env.apply(CLI_ENV);
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
                throw new IllegalArgumentException(CLI_ENV + "=" + configured + ": expected an executable temporal "
                        + "CLI, found " + (Files.exists(p) ? "a file that is not executable" : "no such file"));
            }
            return Optional.of(p);
        }
        Optional<Path> venv = repoRoot.map(DevServerProcess::venvCli).filter(Files::isExecutable);
        if (venv.isPresent()) {
            return venv;
        }
        String path = env.apply("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isEmpty()) {
                    continue;
                }
                Path p = Path.of(dir, "temporal");
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** Where {@code src/build/provision.sh} installs the CLI in a repository. */
    public static Path venvCli(Path repoRoot) {
        return repoRoot.resolve(".venv").resolve("bin").resolve("temporal");
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on 127.0.0.1: " + e.getMessage(), e);
        }
    }
}
