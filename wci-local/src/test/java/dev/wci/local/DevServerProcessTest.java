package dev.wci.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's command line, options and failure paths, with stand-in CLIs (shell scripts). */
class DevServerProcessTest {

    @TempDir
    Path dir;

    private Path script(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @Test
    void theDevServerRunsOnLoopbackWithDeploymentVersioningOn() {
        List<String> command = DevServerProcess.command(
                DevServerProcess.Options.of(Path.of("/opt/temporal"), dir.resolve("log")), 7233, 8233, 0);
        assertEquals(List.of("/opt/temporal", "server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port",
                "7233", "--ui-port", "8233", "--log-level", "error",
                "--dynamic-config-value", "system.enableDeploymentVersions=true",
                "--dynamic-config-value", "frontend.workerVersioningWorkflowAPIs=true",
                "--dynamic-config-value", "frontend.enableCancelWorkerPollsOnShutdown=true"), command);
    }

    @Test
    void metricsDatabaseAndExtraArgumentsReachTheCommandLine() {
        Path db = dir.resolve("temporal.db");
        List<String> command = DevServerProcess.command(DevServerProcess.Options.of(Path.of("/opt/temporal"),
                        dir.resolve("log")).withMetrics().withDatabase(db).withPort(7233)
                .withExtraArgs(List.of("--dynamic-config-value", "x=1")), 7233, 8233, 9090);
        assertEquals(List.of("--metrics-port", "9090", "--db-filename", db.toString()),
                command.subList(12, 16));
        assertEquals(List.of("--dynamic-config-value", "x=1"), command.subList(command.size() - 2, command.size()));
        assertTrue(command.containsAll(DevServerProcess.SETTINGS));
    }

    @Test
    void aServerThatExitsWhileStartingIsReportedWithItsLastOutputAndEnvironment() throws IOException {
        Path cli = script("exits", "echo \"no luck with $WCI_PROBE\"; exit 3");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DevServerProcess.start(
                DevServerProcess.Options.of(cli, dir.resolve("log")).withEnvironment(Map.of("WCI_PROBE", "42"))));
        assertTrue(e.getMessage().startsWith("the Temporal dev server exited with code 3 while starting: last output: "
                + "no luck with 42"), e.getMessage());
    }

    @Test
    void anAbandonedStartStopsTheServer() throws IOException {
        Path cli = script("hangs", "exec sleep 300");
        RuntimeException stop = new RuntimeException("stop requested");
        RuntimeException e = assertThrows(RuntimeException.class, () -> DevServerProcess.start(
                DevServerProcess.Options.of(cli, dir.resolve("log")), d -> {
                    throw stop;
                }));
        assertEquals(stop, e);
        assertFalse(ProcessHandle.current().children().anyMatch(p -> p.isAlive()
                && p.info().command().orElse("").endsWith("/sleep")), "the started process is stopped");
    }

    @Test
    void aCliThatCannotBeStartedIsAClearError() {
        Path missing = dir.resolve("no-such-temporal");
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> DevServerProcess.start(DevServerProcess.Options.of(missing, dir.resolve("log"))));
        assertTrue(e.getMessage().startsWith("cannot start " + missing + ": "), e.getMessage());
    }

    @Test
    void portsOutOfRangeAreRefused() {
        DevServerProcess.Options o = DevServerProcess.Options.of(Path.of("temporal"), dir.resolve("log"));
        assertThrows(IllegalArgumentException.class, () -> o.withPort(65536));
        assertThrows(IllegalArgumentException.class, () -> o.withPort(-1));
    }

    @Test
    void theCliIsFoundFromTheEnvironmentTheRepositoryOrThePath() throws IOException {
        Path onPath = script("temporal", "exit 0");
        Path root = dir.resolve("repo");
        assertEquals(Optional.of(onPath), DevServerProcess.locateCli(
                Map.of("PATH", dir.toString())::get, Optional.of(root)));
        Path venv = DevServerProcess.venvCli(root);
        Files.createDirectories(venv.getParent());
        Files.copy(onPath, venv);
        assertEquals(Optional.of(venv), DevServerProcess.locateCli(
                Map.of("PATH", dir.toString())::get, Optional.of(root)));
        assertEquals(Optional.of(onPath), DevServerProcess.locateCli(
                Map.of(DevServerProcess.CLI_ENV, onPath.toString())::get, Optional.of(root)));
        assertEquals(Optional.empty(), DevServerProcess.locateCli(Map.<String, String>of()::get, Optional.empty()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DevServerProcess.locateCli(
                Map.of(DevServerProcess.CLI_ENV, dir.resolve("nope").toString())::get, Optional.empty()));
        assertEquals(DevServerProcess.CLI_ENV + "=" + dir.resolve("nope") + ": expected an executable temporal CLI, "
                + "found no such file", e.getMessage());
    }
}
