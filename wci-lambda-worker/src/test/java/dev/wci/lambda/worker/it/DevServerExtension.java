package dev.wci.lambda.worker.it;

import io.temporal.testing.TemporalDevServer;
import io.temporal.testing.TemporalDevServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one real Temporal dev server ({@code temporal server start-dev} on 127.0.0.1, in memory,
 * headless) per test JVM through the SDK's {@link TemporalDevServer}, and stops it when the test run
 * ends (and from a shutdown hook, should the run be cut short). The CLI is found via
 * {@code WCI_TEMPORAL_CLI}, then {@code ../.venv/bin/temporal} (provisioned by
 * {@code src/build/provision.sh}), then {@code PATH}; without it the tests are skipped, saying so.
 * Inject {@link DevServer} into test methods or lifecycle methods.
 */
public final class DevServerExtension implements BeforeAllCallback, ParameterResolver {

    /** The running server. */
    public record DevServer(String target, String namespace) {
    }

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(DevServerExtension.class);

    // JUnit closes AutoCloseable store values when the root context (the whole test run) ends.
    private static final class Holder implements AutoCloseable {
        final TemporalDevServer server;
        final Thread hook;

        Holder(TemporalDevServer server) {
            this.server = server;
            this.hook = new Thread(server::close, "temporal-dev-server-stop");
            Runtime.getRuntime().addShutdownHook(hook);
        }

        @Override
        public void close() {
            server.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook runs anyway
            }
        }
    }

    /** Where the {@code temporal} CLI is, if anywhere. */
    public static Optional<Path> locateCli() {
        String env = System.getenv("WCI_TEMPORAL_CLI");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException("WCI_TEMPORAL_CLI=" + env + " is not an executable file");
            }
            return Optional.of(p);
        }
        Path venv = Path.of("..", ".venv", "bin", "temporal").toAbsolutePath().normalize();
        if (Files.isExecutable(venv)) {
            return Optional.of(venv);
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path p = Path.of(dir, "temporal");
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        holder(context);
    }

    private static Holder holder(ExtensionContext context) {
        return context.getRoot().getStore(NS).getOrComputeIfAbsent("server", k -> {
            Optional<Path> cli = locateCli();
            Assumptions.assumeTrue(cli.isPresent(), "Temporal CLI not found (set WCI_TEMPORAL_CLI, run "
                    + "`bash src/build/provision.sh`, or put `temporal` on PATH): skipping dev-server tests");
            TemporalDevServer server = TemporalDevServer.start(TemporalDevServerOptions.newBuilder()
                    .setExistingPath(cli.get().toString())
                    .setDownloadEnabled(false)
                    .setIp("127.0.0.1")
                    .setUiEnabled(false)
                    .setLogLevel("error")
                    .setStartupTimeout(Duration.ofSeconds(60))
                    .setExtraArgs(
                            // Worker Deployment APIs; on by default in recent servers, explicit for older ones.
                            "--dynamic-config-value", "system.enableDeploymentVersions=true",
                            "--dynamic-config-value", "frontend.workerVersioningWorkflowAPIs=true",
                            // A stopping worker's polls are completed, so no task goes to a worker that exits.
                            "--dynamic-config-value", "frontend.enableCancelWorkerPollsOnShutdown=true")
                    .build());
            return new Holder(server);
        }, Holder.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == DevServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        Holder h = holder(e);
        return new DevServer(h.server.getTarget(), h.server.getNamespace());
    }
}
