package dev.wci.server.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.ToIntFunction;

/** Runs the {@code wci} command line (the service's, or another entry point's) in-process and captures what it prints. */
public final class Cli {

    public record Outcome(int code, String out, String err) {
    }

    private Cli() {
    }

    public static Outcome run(String... args) {
        return runWith(WciCommand::execute, args);
    }

    /** Runs {@code entryPoint} (e.g. wci-dev's {@code WciDevCommand::execute}) with {@code args}. */
    public static synchronized Outcome runWith(ToIntFunction<String[]> entryPoint, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = entryPoint.applyAsInt(args);
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
