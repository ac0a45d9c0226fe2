package dev.wci.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code wci validate} and {@code wci run} on broken files: one clear report, exit 2, no stack trace. */
class ValidateCommandTest {

    static final Path BAD = Path.of("src/test/resources/config/bad");

    @Test
    void validateRejectsAnUnqualifiedArnWithTheSpecificMessage() {
        Cli.Outcome o = Cli.run("validate", "--config", BAD.resolve("unqualified-arn.yaml").toString());
        assertEquals(2, o.code());
        assertTrue(o.err().startsWith("wci: 1 error in the configuration:\n"), o.err());
        assertTrue(o.err().contains("unqualified-arn.yaml:7:17: deployments[0].versions[0].target: expected a "
                + "version-qualified Lambda function ARN"), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
    }

    @Test
    void runRefusesABrokenFileTheSameWay() {
        Cli.Outcome o = Cli.run("run", "--config", BAD.resolve("unknown-key-typo.yaml").toString());
        assertEquals(2, o.code());
        assertTrue(o.err().contains("did you mean"), o.err());
        assertFalse(o.err().contains("\tat "), o.err());
    }

    @Test
    void everyErrorOfAFileIsListed() {
        Cli.Outcome o = Cli.run("validate", "--static-only", "--config", BAD.resolve("duplicate-target.yaml").toString());
        assertEquals(2, o.code());
        assertTrue(o.err().contains("duplicate-target.yaml:"), o.err());
    }

    @Test
    void staticOnlyPassesAGoodFileAndWarnsAboutMutableTargets(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("wci.yaml");
        Files.writeString(file, """
                temporal:
                  address: 127.0.0.1:7233
                deployments:
                  - name: orders
                    versions:
                      - buildId: v1
                        target: arn:aws:lambda:us-east-1:123456789012:function:orders:3
                      - buildId: dev
                        target: arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST
                        allowMutableTarget: true
                """);
        Cli.Outcome o = Cli.run("validate", "--static-only", "--config", file.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("ok    " + file + ": 1 deployment(s), 2 version(s)"), o.out());
        assertTrue(o.out().contains("warn  " + file + ":8:9: orders:dev maps to a mutable target"), o.out());
    }

    @Test
    void aMissingFileIsAUserError() {
        Cli.Outcome o = Cli.run("validate", "--config", "/nonexistent/wci.yaml");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("/nonexistent/wci.yaml"), o.err());
    }
}
