package dev.wci.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code wci} command line. Each subcommand is its own class; user errors exit 2 with one clear line. */
@Command(name = "wci",
        mixinStandardHelpOptions = true,
        versionProvider = WciCommand.Version.class,
        description = "Worker Controller Instance: runs Temporal workers on AWS Lambda.",
        subcommands = {
                CommandLine.HelpCommand.class,
                RunCommand.class,
                ValidateCommand.class,
                SimulateCommand.class,
                dev.wci.server.demo.DemoCommand.class,
                LocalLambdaCommand.class,
                BenchInvokeCommand.class
        })
public final class WciCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /**
     * Runs the command line; a parameter or user error prints one line per problem, each starting with "wci: " (no
     * stack trace), and returns 2.
     */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new WciCommand()).setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof UserError) {
                for (String line : ex.getMessage().split("\n")) {
                    commandLine.getErr().println("wci: " + line);
                }
                return 2;
            }
            throw ex;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("wci: " + ex.getMessage());
            ex.getCommandLine().getErr().println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return 2;
        });
        return cl.execute(args);
    }

    /** Reports the version from the jar manifest, or "development" from a class directory. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = WciCommand.class.getPackage().getImplementationVersion();
            return new String[] {"wci " + (v == null ? "development" : v)};
        }
    }
}
