package dev.wci.server.demo;

import io.grpc.StatusRuntimeException;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code temporal server start-dev} child process on 127.0.0.1 (in memory, headless), with Worker Deployment
 * versioning switched on as the integration tests do. {@link #close()} stops it, and anything it started.
 */
public final class DevServerProcess implements AutoCloseable {

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
    static final Duration STOP_GRACE = Duration.ofSeconds(10);
    static final String NAMESPACE = "default";

    private final Process process;
    private final int port;
    private final Path log;

    private DevServerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** The command line of the dev server. */
    static List<String> command(Path cli, int port, int uiPort) {
        List<String> command = new ArrayList<>(List.of(cli.toString(), "server", "start-dev", "--headless", "--ip",
                "127.0.0.1", "--port", Integer.toString(port), "--ui-port", Integer.toString(uiPort), "--log-level",
                "error"));
        command.addAll(SETTINGS);
        return List.copyOf(command);
    }

    /**
     * Starts the server and waits until its frontend answers for the {@code default} namespace.
     *
     * @param log the server's output goes here
     * @throws IllegalStateException when it exits or does not answer within {@link #STARTUP_TIMEOUT}
     */
    static DevServerProcess start(Path cli, Path log, StopSignal stop) {
        return start(cli, log, stop, List.of(), java.util.Map.of());
    }

    /**
     * As {@link #start(Path, Path, StopSignal)}, with more command-line arguments (e.g. dynamic config values)
     * and more environment variables for the server process (the comparison's embedded controller, {@link Compare}, needs both).
     */
    static DevServerProcess start(Path cli, Path log, StopSignal stop, List<String> extraArgs,
                                  java.util.Map<String, String> extraEnv) {
        int port = Ports.free();
        Process process;
        try {
            List<String> command = new ArrayList<>(command(cli, port, Ports.free()));
            command.addAll(extraArgs);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(extraEnv);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cli + ": " + e.getMessage(), e);
        }
        DevServerProcess server = new DevServerProcess(process, port, log);
        try {
            server.awaitReady(stop);
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void awaitReady(StopSignal stop) {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(target()).build());
        try {
            while (true) {
                stop.check();
                if (!process.isAlive()) {
                    throw new IllegalStateException("the Temporal dev server exited with code " + process.exitValue()
                            + " while starting: " + tail());
                }
                try {
                    stubs.blockingStub().withDeadlineAfter(1, TimeUnit.SECONDS)
                            .describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace(NAMESPACE).build());
                    return;
                } catch (StatusRuntimeException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the Temporal dev server did not answer on " + target()
                                + " within " + STARTUP_TIMEOUT.toSeconds() + " s (" + e.getStatus().getCode()
                                + "); its output is in " + log);
                    }
                }
                stop.sleep(Duration.ofMillis(200));
            }
        } finally {
            stubs.shutdownNow();
        }
    }

    /** The frontend address, {@code 127.0.0.1:port}. */
    String target() {
        return "127.0.0.1:" + port;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Why it is not alive: its exit code and last output line. */
    String exitDescription() {
        return "exit code " + (process.isAlive() ? "none yet" : process.exitValue()) + ", " + tail();
    }

    ProcessHandle handle() {
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
}
