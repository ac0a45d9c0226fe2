package dev.wci.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hostile-input corpus: every {@code config/hostile/NAME.yaml} through {@code wci validate --static-only}
 * must print exactly the one line in {@code NAME.expected} (after {@code wci: } and the file name), exit 2 and
 * print no stack trace. Files too large to keep in the repository are written by the tests below.
 */
class HostileConfigTest {

    static final Path DIR = Path.of("src/test/resources/config/hostile");

    static Stream<String> corpus() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().toList()
                    .stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void eachFileGivesItsOneLineErrorAndExitCode2(String name) throws IOException {
        Path file = DIR.resolve(name);
        String expected = Files.readString(DIR.resolve(name.replace(".yaml", ".expected")), StandardCharsets.UTF_8)
                .strip();

        Cli.Outcome o = Cli.run("validate", "--static-only", "--config", file.toString());

        assertEquals("wci: " + file + expected + System.lineSeparator(), o.err());
        assertEquals(2, o.code());
        assertEquals("", o.out());
    }

    @Test
    void everyCaseHasItsExpectedLine() throws IOException {
        assertTrue(corpus().count() >= 15, "the corpus is there");
        corpus().forEach(n -> assertTrue(Files.exists(DIR.resolve(n.replace(".yaml", ".expected"))), n));
    }

    @Test
    void aFileOverOneMebibyteIsRefusedUnread(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("huge.yaml");
        // One 50 MB scalar made the loader hold 1.4 GB; the size is checked before anything is parsed.
        String big = "temporal:\n  address: \"" + "a".repeat(50 * 1024 * 1024) + "\"\n";
        Files.writeString(file, big);

        Cli.Outcome o = Cli.run("validate", "--static-only", "--config", file.toString());

        assertEquals("wci: " + file + ": expected a configuration file of at most 1 MiB, found a file of "
                + Files.size(file) + " bytes" + System.lineSeparator(), o.err());
        assertEquals(2, o.code());
    }

    @Test
    void aFileJustUnderTheCapIsParsed(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("big-comment.yaml");
        String body = "temporal:\n  address: 127.0.0.1:7233\ndeployments:\n  - name: orders\n    versions:\n"
                + "      - buildId: v1\n        target: arn:aws:lambda:us-east-1:123456789012:function:orders:1\n";
        Files.writeString(file, body + "#" + "x".repeat(1024 * 1024 - body.length() - 2) + "\n");

        Cli.Outcome o = Cli.run("validate", "--static-only", "--config", file.toString());

        assertEquals(0, o.code(), o.err());
        assertFalse(o.err().contains("\tat "), o.err());
    }
}
