package dev.wci.local.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalLambdaConfigTest {

    private static final String VALID = """
            accountConcurrencyLimit: 7
            executionMode: thread
            functions:
              - name: hello
                reservedConcurrency: 2
                eventInvokeConfig: {maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60}
                versions:
                  - version: 1
                    handler: com.example.Hello::handleRequest
                    classpath: [lib/hello.jar]
                    timeoutSeconds: 30
                    memoryMb: 512
                    environment: {A: b}
                  - version: 2
                    handler: com.example.Hello
            """;

    @Test
    void parsesAFullFileWithDefaults() {
        LocalLambdaConfig c = LocalLambdaConfig.parse(VALID, "test.yaml");
        assertEquals(7, c.accountConcurrencyLimit());
        assertEquals(ExecutionMode.THREAD, c.executionMode());
        assertEquals("us-east-1", c.region());
        assertEquals("000000000000", c.accountId());
        LocalFunction f = c.functions().get(0);
        assertEquals(2, f.reservedConcurrency());
        assertEquals(0, f.eventInvokeConfig().maximumRetryAttempts());
        LocalFunctionVersion v1 = f.versions().get(0);
        assertEquals("com.example.Hello", v1.handlerClass());
        assertEquals(Map.of("A", "b"), v1.environment());
        LocalFunctionVersion v2 = f.versions().get(1);
        assertEquals(3, v2.timeoutSeconds(), "AWS default timeout");
        assertEquals(128, v2.memoryMb(), "AWS default memory");
    }

    @Test
    void loadResolvesClasspathAgainstTheFileDirectory(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("local.yaml");
        Files.writeString(file, VALID);
        LocalLambdaConfig c = LocalLambdaConfig.load(file);
        assertEquals(List.of(dir.resolve("lib/hello.jar").toString()), c.functions().get(0).versions().get(0).classpath());
    }

    @Test
    void unknownFieldNamesFileLineFieldAndAlternatives() {
        String yaml = VALID.replace("memoryMb: 512", "memory: 512");
        LocalLambdaConfigException e = assertThrows(LocalLambdaConfigException.class,
                () -> LocalLambdaConfig.parse(yaml, "local.yaml"));
        assertTrue(e.getMessage().startsWith("local.yaml:12:9:"), e.getMessage());
        assertTrue(e.getMessage().contains("functions[0].versions[0].memory"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown field 'memory'"), e.getMessage());
        assertTrue(e.getMessage().contains("memoryMb"), e.getMessage());
    }

    @Test
    void outOfRangeValueNamesTheFieldAndTheRange() {
        String yaml = VALID.replace("timeoutSeconds: 30", "timeoutSeconds: 901");
        LocalLambdaConfigException e = assertThrows(LocalLambdaConfigException.class,
                () -> LocalLambdaConfig.parse(yaml, "local.yaml"));
        assertTrue(e.getMessage().contains("functions[0].versions[0]"), e.getMessage());
        assertTrue(e.getMessage().contains("timeoutSeconds must be 1..900, got 901"), e.getMessage());
    }

    @Test
    void wrongTypeSaysWhatWasExpected() {
        String yaml = VALID.replace("accountConcurrencyLimit: 7", "accountConcurrencyLimit: lots");
        LocalLambdaConfigException e = assertThrows(LocalLambdaConfigException.class,
                () -> LocalLambdaConfig.parse(yaml, "local.yaml"));
        assertTrue(e.getMessage().startsWith("local.yaml:1:"), e.getMessage());
        assertTrue(e.getMessage().contains("'accountConcurrencyLimit'"), e.getMessage());
        assertTrue(e.getMessage().contains("expected an integer"), e.getMessage());
    }

    @Test
    void badModeListsTheChoices() {
        String yaml = VALID.replace("executionMode: thread", "executionMode: container");
        LocalLambdaConfigException e = assertThrows(LocalLambdaConfigException.class,
                () -> LocalLambdaConfig.parse(yaml, "local.yaml"));
        assertTrue(e.getMessage().contains("[process, thread]"), e.getMessage());
    }

    @Test
    void duplicateVersionIsRejected() {
        String yaml = VALID.replace("version: 2", "version: 1");
        LocalLambdaConfigException e = assertThrows(LocalLambdaConfigException.class,
                () -> LocalLambdaConfig.parse(yaml, "local.yaml"));
        assertTrue(e.getMessage().contains("lists version 1 twice"), e.getMessage());
    }
}
