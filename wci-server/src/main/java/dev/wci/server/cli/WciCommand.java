package dev.wci.server.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code wci} command line of the service: {@code run} and {@code validate}. Each subcommand is its own class;
 * user errors exit 2 with one clear line. The development commands ({@code demo}, {@code simulate}, ...) live in the
 * wci-dev module, whose entry point adds them to this command line through {@link #commandLine(List)}.
 */
@Command(name = "wci",
        mixinStandardHelpOptions = true,
        versionProvider = WciCommand.Version.class,
        description = "Worker Controller Instance: runs Temporal workers on AWS Lambda.",
        subcommands = {
                CommandLine.HelpCommand.class,
                RunCommand.class,
                ValidateCommand.class
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
        return commandLine(List.of()).execute(args);
    }

    /**
     * The command line with {@code more} subcommands (picocli {@code @Command} objects) after the service's own, and
     * the error handling of {@link #execute}.
     */
    public static CommandLine commandLine(List<Object> more) {
        CommandLine cl = new CommandLine(new WciCommand());
        more.forEach(cl::addSubcommand);
        // After adding: picocli applies these settings to the subcommands present at the time.
        cl.setCaseInsensitiveEnumValuesAllowed(true);
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
        return cl;
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
