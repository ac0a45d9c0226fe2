package dev.wci.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.compute.TargetValidation;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.server.config.ConfigLoader;
import dev.wci.server.config.VersionConfig;
import dev.wci.server.config.WciConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code wci validate} and {@code wci run} on broken files: one clear report, exit 2, no stack trace. */
class ValidateCommandTest {

    static final Path BAD = Path.of("src/test/resources/config/bad");

    @Test
    void validateRejectsAnUnqualifiedArnWithTheSpecificMessage() {
        Cli.Outcome o = Cli.run("validate", "--config", BAD.resolve("unqualified-arn.yaml").toString());
        assertEquals(2, o.code());
        assertTrue(o.err().startsWith("wci: " + BAD.resolve("unqualified-arn.yaml") + ":7:17: deployments[0]"
                + ".versions[0].target: expected a version-qualified Lambda function ARN"), o.err());
        assertEquals(1, o.err().lines().count(), "one mistake, one line: " + o.err());
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
        assertTrue(o.err().lines().allMatch(l -> l.startsWith("wci: " + BAD.resolve("duplicate-target.yaml") + ":")),
                "each mistake on its own complete line: " + o.err());
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
    void aLambdaEndpointThatNeverAnswersIsOneFailLine(@TempDir Path dir) throws Exception {
        // The kernel completes the connection; nobody ever reads the request or answers.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Path file = dir.resolve("wci.yaml");
            Files.writeString(file, """
                    temporal:
                      address: 127.0.0.1:1
                    aws:
                      endpoint: http://127.0.0.1:%d
                    deployments:
                      - name: orders
                        versions:
                          - buildId: v1
                            target: arn:aws:lambda:us-east-1:123456789012:function:orders:3
                    """.formatted(silent.getLocalPort()));
            String keyId = System.getProperty("aws.accessKeyId");
            String secret = System.getProperty("aws.secretAccessKey");
            System.setProperty("aws.accessKeyId", "local");
            System.setProperty("aws.secretAccessKey", "local");
            Cli.Outcome o;
            try {
                o = Cli.run("validate", "--timeout", "1", "--config", file.toString());
            } finally {
                restore("aws.accessKeyId", keyId);
                restore("aws.secretAccessKey", secret);
            }

            // The provider's own timeouts or the command's wait end it, depending on the machine: one line either way.
            assertEquals(1, o.code(), o.out() + o.err());
            assertEquals(1, o.out().lines().filter(l -> l.startsWith("FAIL  " + file + ":8:9: orders:v1 -> "
                    + "arn:aws:lambda:us-east-1:123456789012:function:orders:3: ")).count(), o.out());
            assertTrue(o.out().endsWith("validation FAILED" + System.lineSeparator()), o.out());
            // stderr may carry the AWS SDK's Netty noise about the connection abandoned at close (wci-lambda's).
            assertFalse(o.out().contains("\tat "), o.out());
        }
    }

    @Test
    void aValidationThatNeverEndsIsOneLineNamingTheEndpointAndTheWait(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("wci.yaml");
        Files.writeString(file, """
                temporal:
                  address: 127.0.0.1:7233
                aws:
                  endpoint: http://admin:hunter2@127.0.0.1:9001
                deployments:
                  - name: orders
                    versions:
                      - buildId: v1
                        target: arn:aws:lambda:us-east-1:123456789012:function:orders:3
                """);
        WciConfig cfg = new ConfigLoader(name -> null).load(file);
        VersionConfig v = cfg.deployments().get(0).versions().get(0);
        CompletableFuture<TargetValidation> never = new CompletableFuture<>();
        StringWriter text = new StringWriter();

        boolean valid = ValidateCommand.checkTarget(new PrintWriter(text, true), cfg,
                new DeploymentVersion("orders", "v1"), v, never, 1);

        assertFalse(valid);
        assertEquals("FAIL  " + file + ":8:9: orders:v1 -> arn:aws:lambda:us-east-1:123456789012:function:orders:3: "
                + "no answer from the Lambda endpoint http://***@127.0.0.1:9001 within 1 s" + System.lineSeparator(),
                text.toString());
        assertTrue(never.isCancelled());
    }

    @Test
    void aTimeoutOutOfRangeIsAUserError() {
        Cli.Outcome o = Cli.run("validate", "--timeout", "0", "--config", "unused.yaml");

        assertEquals(2, o.code());
        assertEquals("wci: --timeout must be 1 to 600 seconds, found 0" + System.lineSeparator(), o.err());
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }

    @Test
    void aMissingFileIsAUserError() {
        Cli.Outcome o = Cli.run("validate", "--config", "/nonexistent/wci.yaml");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("/nonexistent/wci.yaml"), o.err());
    }
}
