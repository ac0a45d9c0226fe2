package dev.wci.local.lambda;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * Command-line entry of the local Lambda runtime: {@code --config FILE [--port N] [--mode process|thread]}.
 * Runs until the JVM is asked to stop (Ctrl-C / SIGTERM). The {@code wci local-lambda} command delegates here.
 */
public final class LocalLambdaMain {

    /** Exit status: stopped normally. */
    public static final int OK = 0;
    /** Exit status: the configuration file is unusable. */
    public static final int CONFIG_ERROR = 1;
    /** Exit status: bad command-line arguments. */
    public static final int USAGE = 2;
    /** The default port: close to the AWS SAM local default and unlikely to clash with Temporal's 7233. */
    public static final int DEFAULT_PORT = 9001;

    private static final String USAGE_TEXT =
            "usage: local-lambda --config FILE [--port N (default 9001, 0 = any)] [--mode process|thread]";

    private LocalLambdaMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Parses the arguments, starts the runtime and blocks until shutdown; returns the exit status. */
    public static int run(String[] args) {
        return run(args, System.out, System.err, new CountDownLatch(1), true);
    }

    static int run(String[] args, PrintStream out, PrintStream err, CountDownLatch stop, boolean shutdownHook) {
        Path configFile = null;
        int port = DEFAULT_PORT;
        ExecutionMode mode = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (arg) {
                case "--config" -> configFile = value == null ? null : Path.of(value);
                case "--port" -> {
                    try {
                        port = Integer.parseInt(String.valueOf(value));
                    } catch (NumberFormatException e) {
                        err.println("--port needs a number 0..65535, got '" + value + "'");
                        return USAGE;
                    }
                    if (port < 0 || port > 65535) {
                        err.println("--port needs a number 0..65535, got " + port);
                        return USAGE;
                    }
                }
                case "--mode" -> {
                    if (!"process".equals(value) && !"thread".equals(value)) {
                        err.println("--mode must be 'process' or 'thread', got '" + value + "'");
                        return USAGE;
                    }
                    mode = ExecutionMode.valueOf(value.toUpperCase(Locale.ROOT));
                }
                case "-h", "--help" -> {
                    out.println(USAGE_TEXT);
                    return OK;
                }
                default -> {
                    err.println("unknown argument '" + arg + "'\n" + USAGE_TEXT);
                    return USAGE;
                }
            }
            i++;
        }
        if (configFile == null) {
            err.println("--config FILE is required\n" + USAGE_TEXT);
            return USAGE;
        }
        if (!Files.isRegularFile(configFile)) {
            err.println(configFile + ": no such file");
            return CONFIG_ERROR;
        }
        LocalLambdaConfig config;
        try {
            config = LocalLambdaConfig.load(configFile);
        } catch (LocalLambdaConfigException e) {
            err.println(e.getMessage());
            return CONFIG_ERROR;
        }
        if (mode != null) {
            config = config.withExecutionMode(mode);
        }
        LocalLambdaRuntime runtime;
        try {
            runtime = LocalLambdaRuntime.start(config, port);
        } catch (RuntimeException e) {
            err.println(e.getMessage());
            return CONFIG_ERROR;
        }
        if (shutdownHook) {
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "local-lambda-shutdown"));
        }
        out.println("local Lambda runtime listening on " + runtime.endpoint() + " (" + config.executionMode()
                .name().toLowerCase(Locale.ROOT) + " mode)");
        for (LocalFunction f : config.functions()) {
            for (LocalFunctionVersion v : f.versions()) {
                out.println("  " + runtime.functionArn(f.name(), v.version()) + "  handler=" + v.handler()
                        + " timeout=" + v.timeoutSeconds() + "s memory=" + v.memoryMb() + "MB");
            }
        }
        out.println("invocations: " + runtime.endpoint() + "/_local/invocations");
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            runtime.close();
        }
        return OK;
    }
}
