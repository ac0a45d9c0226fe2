package dev.wci.dev.cli;

import dev.wci.server.cli.UserError;
import dev.wci.dev.bench.InvokeBenchmark;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wci bench-invoke}: sustained invoke rate and latency of the Lambda provider against a local stub. */
@Command(name = "bench-invoke", mixinStandardHelpOptions = true,
        description = {"Drives the Lambda compute provider against a stub Lambda endpoint on 127.0.0.1 at",
                "increasing rates and prints achieved invokes/s and p50/p99 client-side latency."})
final class BenchInvokeCommand implements Callable<Integer> {

    @Option(names = "--rates", split = ",", paramLabel = "N,N,...", description = "target invokes/s per step "
            + "(default 250,500,1000,2000)")
    List<Integer> rates = List.of(250, 500, 1000, 2000);

    @Option(names = "--seconds", paramLabel = "S", description = "seconds per step (default ${DEFAULT-VALUE})")
    double seconds = 3;

    @Override
    public Integer call() throws Exception {
        if (seconds <= 0 || rates.stream().anyMatch(r -> r <= 0)) {
            throw new UserError("--rates and --seconds must be positive");
        }
        InvokeBenchmark.Options d = InvokeBenchmark.Options.defaults();
        InvokeBenchmark.Options o = new InvokeBenchmark.Options(rates, Duration.ofMillis((long) (seconds * 1000)),
                d.warmup(), d.maxConcurrentInvokes());
        System.out.printf(Locale.ROOT, "Lambda provider invoke benchmark: stub on 127.0.0.1, %d cores, %s per step,"
                + " in-flight bound %d%n", Runtime.getRuntime().availableProcessors(), o.step(), o.maxConcurrentInvokes());
        System.out.print(InvokeBenchmark.run(o).table());
        return 0;
    }
}
