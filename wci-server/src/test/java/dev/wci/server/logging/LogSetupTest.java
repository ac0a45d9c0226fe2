package dev.wci.server.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wci.server.config.LoggingConfig;
import dev.wci.server.config.Secret;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** LogSetup reconfigures the process's Logback; each test captures stderr and restores logback.xml after. */
class LogSetupTest {

    private static final String SECRET = "s3cr3t-push-token-0123456789";

    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final Logger wci = LoggerFactory.getLogger("dev.wci.server.logging.Probe");
    private final Logger library = LoggerFactory.getLogger("io.grpc.Probe");
    private PrintStream stderr;

    @BeforeEach
    void captureStderr() {
        stderr = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() throws Exception {
        System.setErr(stderr);
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        new ContextInitializer(context).autoConfig();
    }

    @Test
    void jsonFormatWritesOneJsonObjectPerLineWithTheFormattedMessage() throws Exception {
        LogSetup.apply(new LoggingConfig(LoggingConfig.Format.JSON, "debug"));

        wci.info("push endpoint token {}", new Secret(SECRET));
        wci.debug("re-validating {}", "orders:v1");
        wci.trace("not at debug");
        wci.error("tick failed", new IllegalStateException("boom"));
        library.warn("library warning");
        library.info("library chatter");

        List<JsonNode> lines = jsonLines();
        List<String> messages = lines.stream().map(n -> n.get("formattedMessage").asText()).toList();
        assertEquals(List.of("push endpoint token ***", "re-validating orders:v1", "tick failed", "library warning"),
                messages);
        JsonNode first = lines.get(0);
        assertEquals("INFO", first.get("level").asText());
        assertEquals("dev.wci.server.logging.Probe", first.get("loggerName").asText());
        assertTrue(first.has("timestamp"));
        assertFalse(first.has("message"), "only the formatted message: the raw one would repeat it");
        assertFalse(first.has("arguments"), "arguments are not written: they could hold anything");
        assertEquals("DEBUG", lines.get(1).get("level").asText());
        assertTrue(lines.get(2).has("throwable"), lines.get(2).toString());
        assertFalse(captured.toString(StandardCharsets.UTF_8).contains(SECRET));
    }

    @Test
    void textFormatWritesTimestampLevelLoggerAndMessage() {
        LogSetup.apply(new LoggingConfig(LoggingConfig.Format.TEXT, "warn"));

        wci.info("below the level");
        wci.warn("target {} is mutable, token {}", "fn:$LATEST", new Secret(SECRET));

        List<String> lines = lines();
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2}) "
                + "WARN  dev\\.wci\\.server\\.logging\\.Probe - target fn:\\$LATEST is mutable, token \\*\\*\\*"), lines.get(0));
    }

    @Test
    void unknownLevelFallsBackToInfo() {
        LogSetup.apply(new LoggingConfig(LoggingConfig.Format.TEXT, "chatty"));

        wci.debug("hidden");
        wci.info("shown");

        List<String> lines = lines();
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).endsWith(" - shown"), lines.get(0));
    }

    private List<String> lines() {
        List<String> out = new ArrayList<>();
        for (String line : captured.toString(StandardCharsets.UTF_8).split("\\R")) {
            if (!line.isBlank()) {
                out.add(line);
            }
        }
        return out;
    }

    private List<JsonNode> jsonLines() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String line : lines()) {
            JsonNode node = json.readTree(line);
            assertTrue(node.isObject(), line);
            out.add(node);
        }
        return out;
    }
}
