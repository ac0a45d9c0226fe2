package dev.wci.dev.demo;

import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wci demo}: the whole loop on this machine, on 127.0.0.1 only: a Temporal dev server, the local Lambda
 * runtime running a sample worker function (two versions), WCI, and a load generator; live progress, then a
 * summary. Ctrl-C stops everything and exits 0. See docs/demo.md.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs WCI end to end on this machine (127.0.0.1 only): a Temporal dev server, the local Lambda",
                "runtime with a sample worker function published as versions 1 and 2 (build IDs v1 and v2), WCI, and a",
                "load generator: a burst, a steady trickle, then a switch of the Current version from v1 to v2.",
                "Shows live progress and ends with a summary per version. Ctrl-C stops everything. See docs/demo.md."})
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--burst", paramLabel = "N", defaultValue = "200",
            description = "workflows started at once at the beginning (default: ${DEFAULT-VALUE})")
    int burst;

    @Option(names = "--trickle-seconds", paramLabel = "S", defaultValue = "120",
            description = "length of the steady trickle after the burst; v2 becomes Current half-way through it"
                    + " (default: ${DEFAULT-VALUE})")
    int trickleSeconds;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "2",
            description = "workflows per second during the trickle (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--waiters", paramLabel = "N", defaultValue = "5",
            description = "pinned workflows, and as many auto-upgrade ones, started on v1 that wait for a signal sent"
                    + " after the switch: pinned ones finish on v1, auto-upgrade ones on v2 (default: ${DEFAULT-VALUE})")
    int waiters;

    @Option(names = "--activity-ms", paramLabel = "MS", defaultValue = "1000",
            description = "how long each workflow's activity works (default: ${DEFAULT-VALUE})")
    int activityMillis;

    @Option(names = "--http-port", paramLabel = "PORT",
            description = "WCI's /status and /metrics port on 127.0.0.1 (default: 8080 if free, else any free port)")
    Integer httpPort;

    @Option(names = "--lambda-concurrency", paramLabel = "N", defaultValue = "10",
            description = "concurrent executions the local Lambda account allows, i.e. handler JVMs at once;"
                    + " WCI may use all of it, and half of it per version (default: ${DEFAULT-VALUE})")
    int lambdaConcurrency;

    @Override
    public Integer call() {
        DemoOptions options = new DemoOptions(burst, trickleSeconds, rate, waiters, activityMillis, httpPort,
                lambdaConcurrency);
        return new Demo(options, System.out, System::getenv, Clock.systemUTC()).run();
    }
}
