package dev.wci.server.cli;

import dev.wci.lambda.LambdaComputeProvider;
import dev.wci.server.config.LoggingConfig;
import dev.wci.server.config.WciConfig;
import dev.wci.server.logging.LogSetup;
import dev.wci.server.service.Providers;
import dev.wci.server.service.WciService;
import dev.wci.server.temporal.TemporalSetupException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/** {@code wci run}: the controller service, until SIGTERM or Ctrl-C (then a graceful stop and exit 0). */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs the controller: connects to Temporal, watches the configured deployments and invokes",
                "their Lambda workers. Stops gracefully on SIGTERM / Ctrl-C. See docs/configuration.md."})
final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "the configuration (YAML)")
    Path config;

    @Option(names = "--log-format", paramLabel = "text|json",
            description = "overrides logging.format from the configuration")
    LoggingConfig.Format logFormat;

    @Override
    public Integer call() throws InterruptedException {
        WciConfig cfg = ConfigFiles.load(config);
        LoggingConfig logging = logFormat == null ? cfg.logging() : new LoggingConfig(logFormat, cfg.logging().level());
        LogSetup.apply(logging);
        CountDownLatch stopped = new CountDownLatch(1);
        LambdaComputeProvider lambda = Providers.lambda(cfg.aws(), DefaultCredentialsProvider.builder().build(),
                Clock.systemUTC());
        WciService service;
        try {
            service = new WciService(cfg, Map.of(lambda.type(), lambda), Clock.systemUTC());
            service.start();
        } catch (UncheckedIOException | TemporalSetupException e) {
            lambda.close();
            throw new UserError(e.getMessage());
        }
        // SIGTERM and Ctrl-C stop gracefully and exit 0 (a JVM killed by a signal would exit 143 / 130).
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), sig -> stopped.countDown());
        }
        // Any other exit (e.g. System.exit elsewhere, SIGHUP) still closes in order; close() is idempotent.
        Thread hook = new Thread(() -> {
            service.close();
            lambda.close();
        }, "wci-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
        service.close();
        lambda.close();
        return 0;
    }
}
