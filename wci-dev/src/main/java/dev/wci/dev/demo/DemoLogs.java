package dev.wci.dev.demo;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * The demo's directory: its WCI configuration and the logs of everything it runs, so that the terminal shows
 * only progress. {@code wci.log} holds WCI's own log (and the demo's), {@code workers.log} the output of the
 * handler JVMs, {@code temporal.log} the dev server's.
 */
final class DemoLogs implements AutoCloseable {

    private final Path dir;
    private final PrintStream workers;

    private DemoLogs(Path dir, PrintStream workers) {
        this.dir = dir;
        this.workers = workers;
    }

    /** Creates a fresh directory under the system's temporary directory and sends Logback's output there. */
    static DemoLogs create() {
        try {
            Path dir = Files.createTempDirectory("wci-demo-");
            PrintStream workers = new PrintStream(new FileOutputStream(dir.resolve("workers.log").toFile()), true,
                    StandardCharsets.UTF_8);
            routeLogback(dir.resolve("wci.log"));
            return new DemoLogs(dir, workers);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the demo's log directory: " + e.getMessage(), e);
        }
    }

    private static void routeLogback(Path file) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{30} - %msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setName("DEMO-FILE");
        appender.setFile(file.toString());
        appender.setEncoder(encoder);
        appender.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.addAppender(appender);
    }

    Path dir() {
        return dir;
    }

    Path config() {
        return dir.resolve("wci.yaml");
    }

    Path temporalLog() {
        return dir.resolve("temporal.log");
    }

    Path provisionLog() {
        return dir.resolve("provision.log");
    }

    /** Where the local Lambda runtime writes the handler JVMs' output. */
    PrintStream workers() {
        return workers;
    }

    @Override
    public void close() {
        workers.close();
    }
}
