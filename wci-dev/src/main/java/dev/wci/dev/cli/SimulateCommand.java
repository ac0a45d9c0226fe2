package dev.wci.dev.cli;

import dev.wci.server.cli.UserError;
import dev.wci.sim.CostFrontier;
import dev.wci.sim.RandomBenchmark;
import dev.wci.sim.RandomWorkloads;
import dev.wci.sim.ResultFormatter;
import dev.wci.sim.SimAlgorithms;
import dev.wci.sim.WciSimAlgorithm;
import dev.wci.sim.SimConfig;
import dev.wci.sim.SimResult;
import dev.wci.sim.SimRunner;
import dev.wci.sim.SvgChart;
import dev.wci.sim.Workload;
import dev.wci.sim.WorkloadKind;
import dev.wci.sim.WorkloadParams;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wci simulate}: compares scaling algorithms on simulated Temporal queues and a simulated
 * Lambda, deterministically from a seed. Durations accept {@code 1500ms}, {@code 5s}, {@code 15m},
 * {@code 1h} or ISO-8601 ({@code PT5S}).
 */
@Command(name = "simulate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Compares scaling algorithms on simulated Temporal queues and a simulated Lambda.",
                "Deterministic: the same seed gives the same result, and every algorithm",
                "sees the same tasks and the same cold starts.",
                "",
                "Workloads (defaults):",
                "  steady   Poisson arrivals, 20 tasks/s for 600s, tasks of median 2s",
                "  burst    1000 tasks at once at t=10s from zero workers, tasks of median 5s",
                "  spikes   1 task/s for 600s + 300 tasks at once every 120s from 60s, median 2s",
                "  diurnal  sinusoidal rate from 2 to 40 tasks/s and back over 1800s, median 2s",
                "  long     0.2 tasks/s for 1800s, tasks of median 180s (cap 600s): hits lifetime",
                "  ramp-up  rate rising linearly from rate/20 to 20 tasks/s over 600s, median 2s",
                "  ramp-down rate falling linearly from 20 tasks/s to 1 over 600s, median 2s",
                "  on-off   20 tasks/s for 60s, none for 60s, repeated for 600s, median 2s",
                "Task durations are lognormal around the median.",
                "",
                "--random N draws N workloads and models at random (see the README) and prints,",
                "per algorithm, the share of draws where its p99 is within max(10%%, 0.5s) of the",
                "best, its worker-seconds relative to reference-no-sync, and its worst draws.",
                "--random N --frontier prints, for the draws where wci's worker-seconds exceed",
                "1.25x the reference's, what the cheapest oracle in the band costs.",
                "",
                "Models (defaults): stats 5s stale, 30s rate windows; Invoke latency 20ms;",
                "account concurrency 1000; scaling rate 1000 new environments per 10s;",
                "throttle retry-after 1s; cold start lognormal median 1.5s, p99 4s;",
                "10 slots per worker; function timeout 900s, shutdown buffer 30s; idle exit 5s.",
                ""})
public final class SimulateCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--workload", paramLabel = "NAME",
            description = "Workload to run: steady, burst, spikes, diurnal, long, ramp-up, ramp-down, on-off, or all "
                    + "(repeatable; default all).")
    List<String> workloads = new ArrayList<>();

    @Option(names = "--algorithm", paramLabel = "NAME",
            description = "Algorithm to compare: wci, reference-no-sync, keda-like (repeatable; default all).")
    List<String> algorithms = new ArrayList<>();

    @Option(names = "--seed", paramLabel = "N", description = "Run seed (default ${DEFAULT-VALUE}).", defaultValue = "1")
    long seed;

    @Option(names = "--random", paramLabel = "N",
            description = "Run N random workloads (a documented distribution) instead of the named ones.")
    Integer random;

    @Option(names = "--frontier",
            description = "With --random: for each draw where wci's worker-seconds exceed 1.25x the reference's, "
                    + "the cheapest oracle fleet whose p99 is in the band, and whether the draw can be won (README).")
    boolean frontier;

    @Option(names = "--threads", paramLabel = "N",
            description = "Draws run at once with --random (default: available processors, at most 4).")
    Integer threads;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "Output: table (with ratios against 'wci', or the first algorithm) or csv. Default ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--chart", paramLabel = "FILE", description = "Also write an SVG chart of backlog and live workers.")
    Path chart;

    @Option(names = "--duration", paramLabel = "DURATION", description = "How long tasks keep arriving (workload default).")
    String duration;

    @Option(names = "--rate", paramLabel = "TASKS_PER_S",
            description = "Arrival rate: Poisson rate (steady, long), background (spikes), peak (diurnal).")
    Double rate;

    @Option(names = "--burst-size", paramLabel = "N", description = "Tasks per burst (burst) or per spike (spikes).")
    Integer burstSize;

    @Option(names = "--task-duration", paramLabel = "DURATION", description = "Median task duration (workload default).")
    String taskDuration;

    @Option(names = "--task-sigma", paramLabel = "SIGMA",
            description = "Sigma of the lognormal task durations (workload default: 0.5, long 0.8).")
    Double taskSigma;

    @Option(names = "--versions", paramLabel = "N", description = "Deployment versions the tasks are spread over (default 1).")
    Integer versions;

    @Option(names = "--slots", paramLabel = "N", description = "Tasks one worker runs at once (default 10).")
    Integer slots;

    @Option(names = "--idle-exit", paramLabel = "DURATION|off",
            description = "A worker with nothing in flight for this long exits; 'off' keeps it to its time limit (default 5s).")
    String idleExit;

    @Option(names = "--cold-start-median", paramLabel = "DURATION",
            description = "Median cold start (default 1.5s); the p99 keeps its ratio (p99/median = 4/1.5).")
    String coldStartMedian;

    @Option(names = "--account-concurrency", paramLabel = "N", description = "Lambda account concurrency limit (default 1000).")
    Integer accountConcurrency;

    @Option(names = "--function-timeout", paramLabel = "DURATION", description = "Lambda function timeout (default 900s).")
    String functionTimeout;

    @Option(names = "--staleness", paramLabel = "DURATION", description = "Age of the queue stats when observed (default 5s).")
    String staleness;

    @Option(names = "--drain-limit", paramLabel = "DURATION",
            description = "How long the run may continue after the last arrival (default 30m).")
    String drainLimit;

    private final SimAlgorithms registry;

    public SimulateCommand() {
        this(SimAlgorithms.defaults());
    }

    SimulateCommand(SimAlgorithms registry) {
        this.registry = registry;
    }

    @Override
    public void run() {
        if (frontier && random == null) {
            throw new UserError("--frontier needs --random N");
        }
        if (random != null) {
            runRandom();
            return;
        }
        List<Workload> selected = workloads();
        List<String> algs = algorithms();
        SimConfig config = config();
        List<SimResult> results;
        try {
            results = new SimRunner(WciSimAlgorithm.configuredFor(registry, config), config, seed).run(selected, algs);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print("csv".equals(format) ? ResultFormatter.csv(results) : ResultFormatter.table(results));
        out.flush();
        if (chart != null) {
            try {
                Files.writeString(chart, SvgChart.render(results), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UserError("cannot write chart " + chart + ": " + e.getMessage());
            }
            if (!"csv".equals(format)) {
                out.println("chart written to " + chart);
                out.flush();
            }
        }
    }

    /** {@code --random N}: the draws decide workload and model, so options that set them would be ignored: refused. */
    private void runRandom() {
        List<String> set = new ArrayList<>();
        if (!workloads.isEmpty()) {
            set.add("--workload");
        }
        if (frontier && !algorithms.isEmpty()) {
            // The band is set by the best of all algorithms, and the frontier compares wci with the reference.
            set.add("--algorithm");
        }
        if (chart != null) {
            set.add("--chart");
        }
        Object[][] modelOptions = {{"--duration", duration}, {"--rate", rate}, {"--burst-size", burstSize},
                {"--task-duration", taskDuration}, {"--task-sigma", taskSigma}, {"--versions", versions},
                {"--slots", slots}, {"--idle-exit", idleExit}, {"--cold-start-median", coldStartMedian},
                {"--account-concurrency", accountConcurrency}, {"--function-timeout", functionTimeout},
                {"--staleness", staleness}, {"--drain-limit", drainLimit}};
        for (Object[] o : modelOptions) {
            if (o[1] != null) {
                set.add((String) o[0]);
            }
        }
        if (!set.isEmpty()) {
            throw new UserError((frontier ? "--random with --frontier" : "--random")
                    + " draws workload and model itself and runs every algorithm; drop " + String.join(", ", set));
        }
        if (!"table".equals(format) && !"csv".equals(format)) {
            throw new UserError("unknown format '" + format + "'; expected table or csv");
        }
        int cores = Runtime.getRuntime().availableProcessors();
        int n = threads == null ? Math.max(1, Math.min(4, cores)) : threads;
        if (n < 1 || n > 64) {
            throw new UserError("--threads must be within 1..64, got " + n);
        }
        List<String> algs = algorithms();
        List<RandomBenchmark.DrawResult> results;
        try {
            results = RandomBenchmark.run(registry, RandomWorkloads.draw(seed, random), algs, n);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (frontier) {
            List<CostFrontier.Row> rows = CostFrontier.check(results, n);
            out.print("csv".equals(format) ? CostFrontier.csv(rows) : CostFrontier.table(seed, results, rows));
        } else {
            out.print("csv".equals(format) ? RandomBenchmark.csv(results, algs)
                    : RandomBenchmark.table(seed, results, algs));
        }
        out.flush();
    }

    private List<Workload> workloads() {
        WorkloadParams params;
        try {
            params = new WorkloadParams(duration("--duration", duration), rate, burstSize,
                    duration("--task-duration", taskDuration), versions, taskSigma);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        Set<WorkloadKind> kinds = new LinkedHashSet<>();
        for (String w : workloads.isEmpty() ? List.of("all") : workloads) {
            String name = w.toLowerCase(Locale.ROOT);
            if (name.equals("all")) {
                kinds.addAll(List.of(WorkloadKind.values()));
                continue;
            }
            WorkloadKind k = WorkloadKind.byId(name);
            if (k == null) {
                throw new UserError("unknown workload '" + w + "'; expected steady, burst, spikes, diurnal, long, "
                        + "ramp-up, ramp-down, on-off or all");
            }
            kinds.add(k);
        }
        List<Workload> out = new ArrayList<>();
        for (WorkloadKind k : kinds) {
            out.add(k.with(params));
        }
        return out;
    }

    private List<String> algorithms() {
        List<String> names = algorithms.isEmpty() ? registry.names() : List.copyOf(new LinkedHashSet<>(algorithms));
        for (String n : names) {
            if (!registry.contains(n)) {
                throw new UserError("unknown algorithm '" + n + "'; known: " + String.join(", ", registry.names()));
            }
        }
        return names;
    }

    private SimConfig config() {
        if (!"table".equals(format) && !"csv".equals(format)) {
            throw new UserError("unknown format '" + format + "'; expected table or csv");
        }
        SimConfig c = SimConfig.defaults();
        try {
            if (slots != null) {
                c = c.withSlots(slots);
            }
            if (accountConcurrency != null) {
                c = c.withAccountConcurrency(accountConcurrency);
            }
            if (idleExit != null) {
                c = c.withIdleExit("off".equalsIgnoreCase(idleExit) ? null : duration("--idle-exit", idleExit));
            }
            if (coldStartMedian != null) {
                c = c.withColdStartMedian(duration("--cold-start-median", coldStartMedian));
            }
            if (functionTimeout != null) {
                c = c.withLifetime(duration("--function-timeout", functionTimeout), c.shutdownBuffer());
            }
            if (staleness != null) {
                c = c.withStaleness(duration("--staleness", staleness));
            }
            if (drainLimit != null) {
                c = c.withDrainLimit(duration("--drain-limit", drainLimit));
            }
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        return c;
    }

    /** Parses 1500ms, 5s, 15m, 1h, or ISO-8601; null stays null. */
    static Duration duration(String option, String text) {
        if (text == null) {
            return null;
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt") || t.startsWith("p")) {
                return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
            }
            if (t.endsWith("ms")) {
                return Duration.ofNanos(Math.round(Double.parseDouble(t.substring(0, t.length() - 2)) * 1e6));
            }
            double v = Double.parseDouble(t.substring(0, t.length() - 1));
            switch (t.charAt(t.length() - 1)) {
                case 's':
                    return Duration.ofNanos(Math.round(v * 1e9));
                case 'm':
                    return Duration.ofNanos(Math.round(v * 60e9));
                case 'h':
                    return Duration.ofNanos(Math.round(v * 3600e9));
                default:
                    break;
            }
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            // fall through to the one-line error
        }
        throw new UserError(option + ": invalid duration '" + text + "'; use e.g. 500ms, 5s, 15m, 1h or PT5S");
    }
}
