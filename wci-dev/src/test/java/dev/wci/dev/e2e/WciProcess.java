package dev.wci.dev.e2e;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The WCI service as a user runs it, {@code bin/wci run --config F} (the packaged jar): a real JVM of its own, whose
 * pid is the process's (bin/wci {@code exec}s java), so {@link #kill()} is a SIGKILL of the service itself. Its log
 * (stderr) goes to a file, stdout to a file beside it. Closing it kills it if it still runs.
 */
final class WciProcess implements AutoCloseable {

    static final Path WCI = Path.of("..", "bin", "wci").toAbsolutePath().normalize();
    private static final Pattern HTTP_PORT = Pattern.compile("HTTP on 127\\.0\\.0\\.1:(\\d+)");

    final Process process;
    final Path log;

    private WciProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code bin/wci run --config config [extraArgs]} with local AWS credentials plus {@code env}.
     *
     * @param log where its log (stderr) goes; stdout goes to {@code log + ".out"}
     */
    static WciProcess start(Path config, Path log, Map<String, String> env, String... extraArgs) throws IOException {
        List<String> command = new ArrayList<>(List.of(WCI.toString(), "run", "--config", config.toString()));
        command.addAll(List.of(extraArgs));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(log.toFile())
                .redirectOutput(Path.of(log + ".out").toFile());
        pb.environment().put("AWS_ACCESS_KEY_ID", "local");
        pb.environment().put("AWS_SECRET_ACCESS_KEY", "local");
        pb.environment().putAll(env);
        return new WciProcess(pb.start(), log);
    }

    /** Waits until the service logs its HTTP port (or dies) and returns the port, or -1 if it died first. */
    int awaitHttpPort() {
        int[] port = {-1};
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
            Matcher m = HTTP_PORT.matcher(Files.readString(log));
            if (m.find()) {
                port[0] = Integer.parseInt(m.group(1));
            }
            return port[0] > 0 || !process.isAlive();
        });
        return port[0];
    }

    long pid() {
        return process.pid();
    }

    /** Whether the pid is a java process (not a wrapper shell), as the OS reports its command. */
    boolean isJava() {
        return process.toHandle().info().command().map(c -> Path.of(c).getFileName().toString().equals("java"))
                .orElse(false);
    }

    /** SIGKILL, and waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
