package dev.wci.dev.cli;

import dev.wci.server.cli.WciCommand;
import dev.wci.dev.demo.DemoCommand;
import java.util.List;
import picocli.CommandLine;

/**
 * The development entry point of {@code bin/wci}: the service's command line ({@code run}, {@code validate}) plus the
 * development commands of this module ({@code simulate}, {@code demo}, {@code local-lambda}, {@code bench-invoke}).
 * The image runs {@link WciCommand} instead, without this module on its class path.
 */
public final class WciDevCommand {

    private WciDevCommand() {
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line as {@link WciCommand#execute} does, with the development commands added. */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        return WciCommand.commandLine(List.of(new SimulateCommand(), new DemoCommand(), new LocalLambdaCommand(),
                new BenchInvokeCommand()));
    }
}
