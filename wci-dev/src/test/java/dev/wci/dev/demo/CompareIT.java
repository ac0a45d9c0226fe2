package dev.wci.dev.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.lambda.worker.it.DevServerExtension;
import dev.wci.dev.demo.CompareReport.Row;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code src/bench/compare.sh} as a user runs it, with a tiny workload: Temporal's embedded controller (in the real
 * dev server, invoking the local Lambda runtime) and WCI with temporal-stats each run every workflow to completion
 * on workers they invoked, and the script prints the table with the ratio column and writes one CSV row per run.
 */
class CompareIT {

    static final Path SCRIPT = Path.of("..", "src", "bench", "compare.sh").toAbsolutePath().normalize();

    @Test
    void eachControllerAloneRunsTheWorkloadAndTheTableComparesThem(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        String stdout = runScript(dir, out, "embedded,wci-stats");

        List<Row> rows = Files.readAllLines(out.resolve("compare.csv"), StandardCharsets.UTF_8).stream()
                .skip(1).map(Row::parse).toList();
        assertEquals(List.of("embedded", "wci-stats"), rows.stream().map(Row::controller).toList(), stdout);
        for (Row r : rows) {
            assertEquals(5, r.done(), "3 in the burst, 2 in the trickle, all on invoked workers: " + r);
            assertEquals(0, r.failed(), r.toString());
            assertTrue(r.invokes() >= 1 && r.detect1Millis() >= 0, "the controller invoked after the burst: " + r);
            assertTrue(r.workerSeconds() > 0, r.toString());
            assertEquals(-1, r.detect2Millis(), "no second burst, nothing measured for it: " + r);
        }
        String table = Files.readString(out.resolve("table.md"), StandardCharsets.UTF_8);
        assertTrue(table.contains("| | embedded (mean of 1) | wci-stats (mean of 1) | wci-stats / embedded |"), table);
        assertTrue(table.contains("workload: burst 3, then 1/s for 2 s, idle 0 s, burst 0;"), table);
        assertTrue(stdout.contains("run 1 embedded: exit 0") && stdout.contains("run 1 wci-stats: exit 0"), stdout);
    }

    /**
     * wci-push, with a version switch: the dev server's embedded controller is enabled with WCI as its Lambda
     * endpoint. The server validates both builds through WCI (GetFunction forwarded to the runtime), its sync-match
     * invokes reach WCI as signals, and every Invoke the local runtime received, of b1 and of b2, was sent by WCI.
     * b2 becomes Current 1 s into the trickle; the second burst, after the idle gap, runs on it. WCI is told its
     * workers' throughput ({@code --wci-worker-throughput}), and its configuration loads with it.
     */
    @Test
    void withWciAsTheLambdaEndpointTheServersInvokesBecomeSignalsAndOnlyWciInvokes(@TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("out");
        runScript(dir, out, "wci-push", "--switch-at-seconds", "1", "--burst2", "2", "--wci-worker-throughput", "20");
        String log = Files.readString(out.resolve("run-1-wci-push.log"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("lambda endpoint: (\\d+) invokes from the server"
                + " \\(signal (\\d+), [^)]*\\); runtime received (\\d+) invokes, WCI sent (\\d+)").matcher(log);
        assertTrue(m.find(), log);
        assertTrue(Integer.parseInt(m.group(2)) >= 1, "a sync-match failure reached WCI as the server's invoke: " + log);
        assertEquals(m.group(4), m.group(3), "every Invoke the runtime received was WCI's: " + log);
        Row row = Files.readAllLines(out.resolve("compare.csv"), StandardCharsets.UTF_8).stream().skip(1)
                .map(Row::parse).findFirst().orElseThrow();
        assertEquals(7, row.done(), "3 + 2 + 2: " + row);
        assertEquals(0, row.failed(), row.toString());
        assertTrue(row.invokes() >= 1 && row.detect1Millis() >= 0, row.toString());
        assertTrue(row.switchDetectMillis() >= 0, "an Invoke of b2 followed the switch: " + row);
        assertTrue(row.switchP99Millis() >= 0, "the trickle's workflow after the switch is measured: " + row);
        assertTrue(row.oldInvokesAfterSwitch() >= 0, row.toString());
        assertTrue(row.newBuildDone() >= 2, "the second burst ran on b2: " + row);
        assertTrue(log.contains("switch: b2 Current at "), log);
        String table = Files.readString(out.resolve("table.md"), StandardCharsets.UTF_8);
        assertTrue(table.contains("| switch detection (b2 made Current -> first Invoke of b2 received) |"), table);
        assertTrue(table.contains("b2 Current 1 s into the trickle; WCI's defaultWorkerThroughput 20/s"), table);
        Matcher files = Pattern.compile("files: (\\S+)").matcher(log);
        assertTrue(files.find(), log);
        assertTrue(Files.readString(Path.of(files.group(1), "wci.yaml"), StandardCharsets.UTF_8)
                .contains("defaultWorkerThroughput: 20"), "WCI ran with the throughput it was told");
    }

    /**
     * Runs the script once per controller in {@code controllers} with the tiny workload, changed by {@code more}
     * workload options, its files in {@code out}; asserts it exited 0 and returns what it printed.
     */
    private static String runScript(Path dir, Path out, String controllers, String... more) throws Exception {
        Path cli = DevServerExtension.locateCli().orElse(null);
        Assumptions.assumeTrue(cli != null, "Temporal CLI not found (set WCI_TEMPORAL_CLI, run "
                + "src/build/provision.sh, or put temporal on PATH)");
        List<String> command = new ArrayList<>(List.of(SCRIPT.toString(), "--runs", "1", "--controllers",
                controllers, "--out", out.toString(), "--", "--burst", "3", "--rate", "1", "--trickle-seconds", "2",
                "--idle-seconds", "0", "--burst2", "0", "--activity-ms", "100", "--idle-exit-seconds", "3"));
        command.addAll(List.of(more)); // a later option overrides an earlier one
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.txt").toFile());
        pb.environment().put("WCI_TEMPORAL_CLI", cli.toString());
        Process p = pb.start();
        // A generous ceiling, not a timing bound: each run starts a dev server and JVMs on a possibly busy host.
        if (!p.waitFor(20, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String stdout = Files.readString(dir.resolve("stdout.txt"), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), stdout);
        return stdout;
    }
}
