package dev.wci.dev.cli;

import dev.wci.local.lambda.LocalLambdaMain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wci local-lambda}: serves the Lambda API on loopback and runs worker handlers locally. */
@Command(name = "local-lambda", mixinStandardHelpOptions = true,
        description = {"Serves the Lambda Invoke and GetFunction* APIs on 127.0.0.1 and runs the handlers of the",
                "functions in the config file, each invocation in its own JVM (or in threads). See docs/local-lambda.md."})
final class LocalLambdaCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "functions and limits (YAML)")
    Path config;

    @Option(names = "--port", paramLabel = "N", description = "port on 127.0.0.1 (default ${DEFAULT-VALUE})")
    int port = LocalLambdaMain.DEFAULT_PORT;

    @Option(names = "--mode", paramLabel = "process|thread",
            description = "run each invocation in its own JVM (default) or in a thread")
    String mode;

    @Override
    public Integer call() {
        List<String> args = new ArrayList<>(List.of("--config", config.toString(), "--port", Integer.toString(port)));
        if (mode != null) {
            args.add("--mode");
            args.add(mode);
        }
        return LocalLambdaMain.run(args.toArray(String[]::new));
    }
}
