package dev.wci.dev.demo;

import dev.wci.server.cli.UserError;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * One comparison run's parameters ({@link Compare}). Parsed from {@code --name value} pairs; every value is checked
 * against its range, and a mistake is one line naming the option ({@link UserError}).
 *
 * @param controller      who starts the workers: {@link Controller}
 * @param burst           workflows started at once, from zero
 * @param rate            workflows per second after the first burst
 * @param trickleSeconds  how long that rate lasts
 * @param idleSeconds     the idle gap before the second burst, counted once every workflow so far completed and every
 *                        worker exited
 * @param burst2          the second burst (0 = none)
 * @param activityMillis  each workflow's one activity
 * @param concurrency     the local Lambda account's concurrent executions (Invoke beyond it answers 429)
 * @param idleExitSeconds a worker exits after this long without work
 * @param versions        Worker Deployment Versions (one deployment and task queue each); workflows round-robin
 * @param switchAtSeconds 0 for none; else every deployment also has build {@value Compare#BUILD_ID_2}, made Current
 *                        this many seconds into the trickle
 * @param wciWorkerThroughput 0 for WCI's default; else WCI's {@code defaultWorkerThroughput} (tasks per second one
 *                        worker completes until learned), as docs/configuration.md advises setting it for a known
 *                        function: its slots over its task time. The embedded controller has no such setting
 * @param run             the run's label in the CSV (e.g. its number)
 * @param csv             the CSV file the run's row is appended to, or null
 */
record CompareOptions(Controller controller, int burst, double rate, int trickleSeconds, int idleSeconds, int burst2,
                      int activityMillis, int concurrency, int idleExitSeconds, int versions, int switchAtSeconds,
                      double wciWorkerThroughput, String run, Path csv) {

    /** Who starts the workers in a run: never both. */
    enum Controller {
        /** Temporal's own worker controller inside the dev server (compute provider aws-lambda, algorithm no-sync). */
        EMBEDDED("embedded"),
        /** WCI with the temporal-stats source only (what Temporal Cloud allows). */
        WCI_STATS("wci-stats"),
        /** WCI with the matching-metrics source (the dev server's Prometheus endpoint) beside temporal-stats. */
        WCI_METRICS("wci-metrics"),
        /**
         * WCI as the Lambda endpoint of the embedded controller (signals.lambdaEndpoint: the server's own sync-match
         * signal, pushed as Invoke calls), beside matching-metrics and temporal-stats; only WCI invokes.
         */
        WCI_PUSH("wci-push");

        final String label;

        Controller(String label) {
            this.label = label;
        }

        static Controller parse(String s) {
            for (Controller c : values()) {
                if (c.label.equals(s)) {
                    return c;
                }
            }
            throw new UserError("--controller takes embedded, wci-stats, wci-metrics or wci-push, not '" + s + "'");
        }
    }

    static CompareOptions defaults(Controller controller) {
        return new CompareOptions(controller, 200, 2, 60, 60, 200, 1000, 10, 10, 1, 0, 0, "1", null);
    }

    /** Workflows of the trickle. */
    int trickleCount() {
        return (int) Math.floor(rate * trickleSeconds);
    }

    /** Whether the workload switches every deployment from its first build to its second. */
    boolean switches() {
        return switchAtSeconds > 0;
    }

    /** The builds every deployment has: b1, and b2 with a switch. */
    List<String> builds() {
        return switches() ? List.of(Compare.BUILD_ID, Compare.BUILD_ID_2) : List.of(Compare.BUILD_ID);
    }

    static CompareOptions parse(String[] args) {
        Controller controller = null;
        CompareOptions o = defaults(Controller.EMBEDDED);
        int burst = o.burst;
        double rate = o.rate;
        int trickle = o.trickleSeconds;
        int idle = o.idleSeconds;
        int burst2 = o.burst2;
        int activity = o.activityMillis;
        int concurrency = o.concurrency;
        int idleExit = o.idleExitSeconds;
        int versions = o.versions;
        int switchAt = o.switchAtSeconds;
        double throughput = o.wciWorkerThroughput;
        String run = o.run;
        Path csv = null;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw new UserError(name + " needs a value");
            }
            String v = args[++i];
            switch (name) {
                case "--controller" -> controller = Controller.parse(v);
                case "--burst" -> burst = integer(name, v, 1, 5000);
                case "--rate" -> rate = decimal(name, v, 0, 50);
                case "--trickle-seconds" -> trickle = integer(name, v, 0, 3600);
                case "--idle-seconds" -> idle = integer(name, v, 0, 3600);
                case "--burst2" -> burst2 = integer(name, v, 0, 5000);
                case "--activity-ms" -> activity = integer(name, v, 0, 60000);
                case "--lambda-concurrency" -> concurrency = integer(name, v, 1, 200);
                case "--idle-exit-seconds" -> idleExit = integer(name, v, 1, 300);
                case "--versions" -> versions = integer(name, v, 1, 10);
                case "--switch-at-seconds" -> switchAt = integer(name, v, 1, 3600);
                case "--wci-worker-throughput" -> throughput = decimal(name, v, 0, 100_000);
                case "--run" -> run = label(v);
                case "--csv" -> csv = Path.of(v);
                default -> throw new UserError("unknown option '" + name + "' (see docs/compare.md)");
            }
        }
        if (controller == null) {
            throw new UserError("--controller is required: embedded, wci-stats, wci-metrics or wci-push");
        }
        if (switchAt >= trickle) {
            throw new UserError("--switch-at-seconds " + switchAt + " is not within the trickle (--trickle-seconds "
                    + trickle + ")" + (trickle > 1 ? ": it takes a whole number from 1 to " + (trickle - 1)
                    : "; a switch needs a trickle of 2 s or more"));
        }
        CompareOptions parsed = new CompareOptions(controller, burst, rate, trickle, idle, burst2, activity,
                concurrency, idleExit, versions, switchAt, throughput, run, csv);
        if (parsed.switches() && parsed.firstAfterSwitch() >= parsed.trickleCount()) {
            throw new UserError("--switch-at-seconds " + switchAt + ": no trickle workflow starts at or after it ("
                    + Compare.number(rate) + "/s for " + trickle + " s is " + parsed.trickleCount()
                    + " workflow(s)); switch earlier or trickle longer");
        }
        return parsed;
    }

    /** The index of the first trickle workflow due at or after the switch (the trickle's n-th is due at n / rate). */
    int firstAfterSwitch() {
        return (int) Math.ceil(switchAtSeconds * rate - 1e-9);
    }

    /** One line describing the workload (printed before the run and kept beside the CSV). */
    String workload() {
        return String.format(Locale.ROOT, "burst %d, then %s/s for %d s, idle %d s, burst %d; activity %d ms;"
                        + " account limit %d; idle exit %d s; %d version(s)%s", burst, Compare.number(rate),
                trickleSeconds, idleSeconds, burst2, activityMillis, concurrency, idleExitSeconds, versions,
                switches() ? "; " + Compare.BUILD_ID_2 + " Current " + switchAtSeconds + " s into the trickle" : "")
                + (wciWorkerThroughput > 0 ? "; WCI's defaultWorkerThroughput " + Compare.number(wciWorkerThroughput)
                + "/s" : "");
    }

    Duration idleExit() {
        return Duration.ofSeconds(idleExitSeconds);
    }

    private static int integer(String name, String v, int min, int max) {
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UserError(name + " takes a whole number from " + min + " to " + max + ", not '" + v + "'");
    }

    private static double decimal(String name, String v, double above, double max) {
        try {
            double d = Double.parseDouble(v);
            if (d > above && d <= max) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UserError(name + " takes a number above " + Compare.number(above) + ", at most "
                + Compare.number(max) + ", not '" + v + "'");
    }

    private static String label(String v) {
        if (!v.matches("[A-Za-z0-9_.-]{1,32}")) {
            throw new UserError("--run takes 1-32 letters, digits, '.', '_' or '-', not '" + v + "'");
        }
        return v;
    }
}
