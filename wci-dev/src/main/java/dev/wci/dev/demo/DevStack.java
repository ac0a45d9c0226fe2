package dev.wci.dev.demo;

import dev.wci.local.lambda.LocalLambdaConfig;
import dev.wci.local.lambda.LocalLambdaRuntime;
import dev.wci.local.DevServerProcess;
import dev.wci.server.config.ConfigException;
import dev.wci.server.config.ConfigLoader;
import dev.wci.server.config.WciConfig;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.RoutingConfigUpdateState;
import io.temporal.api.workflowservice.v1.DescribeWorkerDeploymentRequest;
import io.temporal.api.workflowservice.v1.SetWorkerDeploymentCurrentVersionRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * What the demo and the comparison both do with the stack they start (a dev server, a local Lambda runtime, the
 * handler JVMs it launches): start the runtime with the handlers' output in the workers log, write and load the WCI
 * configuration for it, make a version Current and wait until Temporal has applied it, and stop stray handler JVMs.
 */
final class DevStack {

    private DevStack() {
    }

    /**
     * Starts the runtime. It forwards handler output to {@code System.out} as it is at start: pointed at the
     * workers log for that moment, so the terminal keeps only the progress display.
     */
    static LocalLambdaRuntime startRuntime(LocalLambdaConfig config, DemoLogs logs, Clock clock) {
        PrintStream console = System.out;
        System.setOut(logs.workers());
        try {
            return LocalLambdaRuntime.start(config, 0, clock);
        } finally {
            System.setOut(console);
        }
    }

    /**
     * The head of a WCI configuration for this stack, up to {@code deployments:}: Temporal (the dev server's
     * namespace), the local runtime as the Lambda endpoint, the HTTP listener on loopback (port 0: any) and the total
     * cap at the local account's concurrency. {@code writtenBy} is the comment's first line.
     */
    static String wciConfigHead(String writtenBy, String temporalTarget, String lambdaEndpoint, int httpPort,
                                int accountConcurrency) {
        return """
                # %s
                temporal:
                  address: %s
                  namespace: %s
                aws:
                  region: us-east-1
                  endpoint: %s
                http:
                  listen: 127.0.0.1:%d
                limits:
                  # The local Lambda account runs %d executions at once: stay within it, as in production.
                  maxWorkersTotal: %d
                """.formatted(writtenBy, temporalTarget, DevServerProcess.NAMESPACE, lambdaEndpoint, httpPort,
                accountConcurrency, accountConcurrency);
    }

    /**
     * Writes a configuration this tool generated to {@code file} and loads it as {@code wci run} would. It is ours, so
     * a mistake in it is a bug: {@code whose} names it in the message.
     */
    static WciConfig writeConfig(Path file, String yaml, Function<String, String> env, String whose) {
        try {
            Files.writeString(file, yaml);
            return new ConfigLoader(env).load(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        } catch (ConfigException e) {
            throw new IllegalStateException(whose + " does not load:\n" + e.getMessage(), e);
        }
    }

    /**
     * Makes {@code deployment:buildId} Current ({@link #setCurrent}), then waits up to {@code confirmWait} until
     * Temporal reports the routing change applied to the task queues ({@link #awaitApplied}).
     *
     * @return false when Temporal set the version Current but still reports the change in progress after
     *         {@code confirmWait}
     * @throws IllegalStateException when the version cannot be made Current within {@code timeout}
     */
    static boolean makeCurrent(WorkflowServiceStubs stubs, String deployment, String buildId, String identity,
                               Duration timeout, Duration confirmWait, StopSignal stop) {
        setCurrent(stubs, deployment, buildId, identity, timeout, stop);
        return awaitApplied(stubs, deployment, confirmWait, stop);
    }

    /**
     * Makes {@code deployment:buildId} Current, retrying while the server does not know the version yet (its first
     * worker has not polled); returns once Temporal accepted the change.
     *
     * @throws IllegalStateException when the version cannot be made Current within {@code timeout}, naming
     *                               Temporal's last answer
     */
    static void setCurrent(WorkflowServiceStubs stubs, String deployment, String buildId, String identity,
                           Duration timeout, StopSignal stop) {
        StatusRuntimeException[] last = {null};
        boolean set = stop.await(timeout, Duration.ofMillis(250), () -> {
            try {
                stubs.blockingStub().withDeadlineAfter(10, TimeUnit.SECONDS).setWorkerDeploymentCurrentVersion(
                        SetWorkerDeploymentCurrentVersionRequest.newBuilder().setNamespace(DevServerProcess.NAMESPACE)
                                .setDeploymentName(deployment).setBuildId(buildId).setIdentity(identity).build());
                return true;
            } catch (StatusRuntimeException e) {
                last[0] = e; // not known yet: no worker of the version has polled
                return false;
            }
        });
        if (!set) {
            throw new IllegalStateException(deployment + ":" + buildId + " could not be made Current within "
                    + timeout.toSeconds() + " s (a version exists once one of its workers polled)" + answer(last[0]));
        }
    }

    /**
     * Waits up to {@code confirmWait} until Temporal reports the deployment's last routing change applied to its task
     * queues.
     *
     * @return false when it still reports the change in progress after {@code confirmWait}: Server 1.32 can leave
     *         {@code routingConfigUpdateState} IN_PROGRESS for good although the change took effect
     *         (temporalio/temporal#11842); the caller says so and goes on, and what the run then measures shows
     *         whether routing followed
     */
    static boolean awaitApplied(WorkflowServiceStubs stubs, String deployment, Duration confirmWait, StopSignal stop) {
        return stop.await(confirmWait, Duration.ofMillis(250), () -> {
            try {
                return stubs.blockingStub().withDeadlineAfter(2, TimeUnit.SECONDS).describeWorkerDeployment(
                        DescribeWorkerDeploymentRequest.newBuilder().setNamespace(DevServerProcess.NAMESPACE)
                                .setDeploymentName(deployment).build()).getWorkerDeploymentInfo()
                        .getRoutingConfigUpdateState() != RoutingConfigUpdateState.ROUTING_CONFIG_UPDATE_STATE_IN_PROGRESS;
            } catch (StatusRuntimeException e) {
                return false; // RESOURCE_EXHAUSTED while the deployment applies the change: ask again
            }
        });
    }

    /** The line a caller prints when {@link #makeCurrent} returned false. */
    static String unconfirmed(String deployment, String buildId, Duration confirmWait) {
        return "Temporal set " + deployment + ":" + buildId + " Current but still reports the routing change in progress"
                + " after " + confirmWait.toSeconds() + " s (a known server issue, temporalio/temporal#11842); going on";
    }

    private static String answer(StatusRuntimeException e) {
        return e == null ? "" : " (last answer: " + e.getStatus() + ")";
    }

    /**
     * Stops the handler JVMs this process started since {@code since} (the runtime does on close; this is the
     * backstop): politely, then forcibly after 5 s. They are this JVM's own {@code java} (their command lines are
     * too long to match on: the kernel shows only the first 4 KiB); the dev server's process is spared.
     */
    static void reapHandlerJvms(Instant since, DevServerProcess devServer) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<ProcessHandle> mine = ProcessHandle.current().children()
                .filter(p -> p.info().command().map(java::equals).orElse(false))
                .filter(p -> p.info().startInstant().map(s -> !s.isBefore(since.minusSeconds(1))).orElse(false))
                .filter(p -> devServer == null || p.pid() != devServer.handle().pid())
                .toList();
        mine.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (ProcessHandle p : mine) {
            try {
                p.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                p.destroyForcibly();
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
