package dev.wci.server.prometheus;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds Debian's {@code prometheus} and {@code promtool} binaries the way the dev-server tests find the Temporal CLI:
 * {@code WCI_PROMETHEUS_BIN} (a directory holding both), then {@code ../.venv/bin} (provisioned by
 * {@code src/build/provision.sh}), then {@code PATH}. Without them a test is skipped, saying so, except under CI
 * ({@code CI} set), where it fails: a green build must not hide skipped alert tests.
 */
public final class PrometheusBinaries {

    /** The repository's {@code docker/} directory, seen from the module's directory (Maven's working directory). */
    public static final Path DOCKER = Path.of("..", "docker").toAbsolutePath().normalize();

    private PrometheusBinaries() {
    }

    /** The binary {@code name} ({@code prometheus} or {@code promtool}), or the test is skipped (failed under CI). */
    public static Path require(String name) {
        Optional<Path> found = locate(name);
        if (found.isEmpty()) {
            String message = name + " not found (run `src/build/provision.sh`, which unpacks Debian's prometheus"
                    + " package into .venv/, put it on PATH, or set WCI_PROMETHEUS_BIN to its directory)";
            if (System.getenv("CI") != null) {
                fail(message);
            }
            Assumptions.abort(message);
        }
        return found.get();
    }

    static Optional<Path> locate(String name) {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("WCI_PROMETHEUS_BIN");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env, name);
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException("WCI_PROMETHEUS_BIN=" + env + " holds no executable " + name);
            }
            return Optional.of(p);
        }
        candidates.add(Path.of("..", ".venv", "bin", name).toAbsolutePath().normalize());
        for (String dir : Optional.ofNullable(System.getenv("PATH")).orElse("").split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, name));
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    /** What a finished command said and how it exited. */
    public record Result(int exitCode, String output) {
    }

    /**
     * Runs {@code promtool} with {@code args} in {@code dir} and returns its exit code and output. The ceiling only
     * stops a hung process: promtool answers in well under a second.
     */
    public static Result promtool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(require("promtool").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("promtool " + String.join(" ", args) + " did not finish");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }
}
