package dev.wci.lambda.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.local.lambda.LocalLambdaConfig;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps {@code examples/hello-worker} honest: its sources compile against this library and its config loads. */
class HelloWorkerExampleTest {

    private static final Path EXAMPLE = Path.of("..", "examples", "hello-worker");

    @Test
    void exampleSourcesCompileAgainstTheLibrary(@TempDir Path out) throws IOException {
        List<String> sources;
        try (Stream<Path> files = Files.walk(EXAMPLE.resolve("src"))) {
            sources = files.filter(p -> p.toString().endsWith(".java")).map(Path::toString).toList();
        }
        assertTrue(sources.size() >= 5, "example sources found: " + sources);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "-classpath",
                System.getProperty("java.class.path"), "--release", "17", "-Xlint:all,-path", "-Werror"));
        args.addAll(sources);
        StringWriter diagnostics = new StringWriter();
        int status = javac.run(null, null, new java.io.PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                diagnostics.write(b);
            }
        }), args.toArray(String[]::new));
        assertEquals(0, status, diagnostics.toString());
        assertTrue(Files.exists(out.resolve("com/example/hello/HelloWorkerHandler.class")));
    }

    @Test
    void exampleLocalLambdaConfigLoads() {
        LocalLambdaConfig config = LocalLambdaConfig.load(EXAMPLE.resolve("local-lambda.yaml"));
        assertEquals("com.example.hello.HelloWorkerHandler",
                config.functions().get(0).versions().get(0).handlerClass());
    }
}
