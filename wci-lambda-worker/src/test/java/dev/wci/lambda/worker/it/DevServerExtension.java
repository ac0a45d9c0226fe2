package dev.wci.lambda.worker.it;

import dev.wci.local.DevServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one real Temporal dev server ({@code temporal server start-dev} on 127.0.0.1, in memory,
 * headless) per test JVM through {@link DevServerProcess} (wci-local), and stops it when the test run
 * ends (and from a shutdown hook, should the run be cut short). The CLI is found via
 * {@code WCI_TEMPORAL_CLI}, then {@code ../.venv/bin/temporal} (provisioned by
 * {@code src/build/provision.sh}), then {@code PATH}; without it the tests are skipped, saying so.
 * Inject {@link DevServer} into test methods or lifecycle methods. Tests that need a server of their own
 * (restarted, with metrics or other settings) start a {@link DevServerProcess} themselves.
 */
public final class DevServerExtension implements BeforeAllCallback, ParameterResolver {

    /** The running server. */
    public record DevServer(String target, String namespace) {
    }

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(DevServerExtension.class);

    // JUnit closes AutoCloseable store values when the root context (the whole test run) ends.
    private static final class Holder implements AutoCloseable {
        final DevServerProcess server;
        final Path log;
        final Thread hook;

        Holder(DevServerProcess server, Path log) {
            this.server = server;
            this.log = log;
            this.hook = new Thread(server::close, "temporal-dev-server-stop");
            Runtime.getRuntime().addShutdownHook(hook);
        }

        @Override
        public void close() throws IOException {
            server.close();
            Files.deleteIfExists(log);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook runs anyway
            }
        }
    }

    /** Where the {@code temporal} CLI is, if anywhere (the repository is the module directory's parent). */
    public static Optional<Path> locateCli() {
        return DevServerProcess.locateCli(System::getenv, Optional.of(Path.of("..").toAbsolutePath().normalize()));
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
            Path log;
            try {
                log = Files.createTempFile("wci-temporal-dev-server", ".log");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Holder(DevServerProcess.start(DevServerProcess.Options.of(cli.get(), log)), log);
        }, Holder.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == DevServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        Holder h = holder(e);
        return new DevServer(h.server.target(), DevServerProcess.NAMESPACE);
    }
}
