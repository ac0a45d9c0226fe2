package dev.wci.dev.demo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.lambda.worker.it.DevServerExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/wci demo} as a user runs it (the packaged jar, a real process, the real Temporal CLI): with tiny
 * settings it runs to completion, prints the summary and exits 0; SIGTERM in the middle stops it with exit 0; in
 * both cases no process it started (the dev server, handler JVMs) is left running.
 */
class DemoCommandIT {

    static final Path WCI = Path.of("..", "bin", "wci").toAbsolutePath().normalize();

    /** A running {@code wci demo} and every process below it seen so far. */
    static final class DemoProcess {
        final Process process;
        final Path out;
        final Path err;
        final Map<Long, ProcessHandle> seen = new ConcurrentHashMap<>();
        final Map<Long, String> commands = new ConcurrentHashMap<>(); // executables: full command lines are cut at 4 KiB

        DemoProcess(Path dir, Map<String, String> env, String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of(WCI.toString(), "demo"));
            command.addAll(List.of(args));
            out = dir.resolve("stdout.txt");
            err = dir.resolve("stderr.txt");
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            process = pb.start();
        }

        /** Records the current descendants; true when one of them runs {@code executable} (a file name) now. */
        boolean collect(String executable) {
            boolean running = false;
            for (ProcessHandle p : process.descendants().toList()) {
                seen.putIfAbsent(p.pid(), p);
                String command = p.info().command().orElse("?");
                // The latest command, not the first: a child seen between fork and exec still shows its parent's
                // executable (java), and the dev server seen that way once was then never recognised (a loaded host).
                if (!command.equals("?") || !commands.containsKey(p.pid())) {
                    commands.put(p.pid(), command);
                }
                running |= command.endsWith("/" + executable) && p.isAlive();
            }
            return running;
        }

        /** Whether a descendant ran {@code executable}: {@code java} (handler JVMs) or {@code temporal}. */
        boolean sawA(String executable) {
            return commands.values().stream().anyMatch(c -> c.endsWith("/" + executable));
        }

        String stdout() throws IOException {
            return Files.readString(out, StandardCharsets.UTF_8);
        }

        String stderr() throws IOException {
            return Files.readString(err, StandardCharsets.UTF_8);
        }

        /** Waits for the exit while recording descendants; returns the exit code. */
        int awaitExit(Duration max) throws Exception {
            long deadline = System.nanoTime() + max.toNanos();
            while (!process.waitFor(200, TimeUnit.MILLISECONDS)) {
                collect("none");
                if (System.nanoTime() > deadline) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    throw new AssertionError("wci demo did not exit within " + max + ":\n" + stdout() + stderr());
                }
            }
            return process.exitValue();
        }

        void assertNothingLeftRunning() {
            assertFalse(seen.isEmpty(), "the demo started processes");
            // They were stopped before the demo exited; allow the kernel a moment to reap the last ones.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<String> alive = seen.values().stream().filter(ProcessHandle::isAlive)
                        .map(p -> p.pid() + " " + commands.getOrDefault(p.pid(), "?")).toList();
                assertEquals(List.of(), alive, "left running");
            });
        }
    }

    private static Map<String, String> env() {
        Path cli = DevServerExtension.locateCli().orElse(null);
        Assumptions.assumeTrue(cli != null, "Temporal CLI not found (set WCI_TEMPORAL_CLI, run "
                + "`bash src/build/provision.sh`, or put `temporal` on PATH): skipping the demo test");
        return Map.of(TemporalCli.ENV, cli.toString());
    }

    @Test
    void runsToCompletionWithASummaryPerVersionAndLeavesNothingRunning(@TempDir Path dir) throws Exception {
        DemoProcess demo = new DemoProcess(dir, env(), "--burst", "10", "--trickle-seconds", "4", "--rate", "2",
                "--waiters", "2", "--activity-ms", "200", "--http-port", "0");
        int code = demo.awaitExit(Duration.ofSeconds(600));
        String out = demo.stdout();
        assertEquals(0, code, out + demo.stderr());
        assertEquals("", demo.stderr());
        assertTrue(out.contains("Summary after "), out);
        assertTrue(out.contains("22 workflows started, 22 done, 0 failed, 0 still running"), out);
        // Both versions ran workflows: v1 before the switch, v2 after it.
        for (String version : List.of("v1", "v2")) {
            Matcher row = Pattern.compile("(?m)^" + version + " +(\\d+) +(\\d+) +(\\d+) +(\\d+) ").matcher(out);
            assertTrue(row.find(), version + " row in " + out);
            assertTrue(Integer.parseInt(row.group(1)) >= 1, version + " was invoked: " + row.group());
            assertTrue(Integer.parseInt(row.group(4)) >= 1, version + " ran workflows: " + row.group());
        }
        assertTrue(out.contains("waiting workflows: pinned finished on v1 ×2; auto-upgrade finished on v2 ×2"), out);
        assertTrue(out.contains("WCI reaction time (signal seen -> invoke sent): "), out);
        assertTrue(out.contains("phase: trickle on v2"), out);
        assertTrue(out.contains("/status and http://127.0.0.1:"), out);
        assertTrue(out.endsWith("stopped.\n"), out);
        assertTrue(demo.sawA("temporal"), "the dev server ran: " + demo.commands);
        assertTrue(demo.sawA("java"), "handler JVMs ran: " + demo.commands);
        demo.assertNothingLeftRunning();
    }

    @Test
    void sigtermStopsEverythingAndExits0(@TempDir Path dir) throws Exception {
        DemoProcess demo = new DemoProcess(dir, env(), "--burst", "20", "--trickle-seconds", "60", "--rate", "2",
                "--waiters", "1", "--http-port", "0");
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
                boolean handlerRunning = demo.collect("java");
                return !demo.process.isAlive() || (handlerRunning && demo.stdout().contains("phase: burst"));
            });
            assertTrue(demo.process.isAlive(), demo.stdout() + demo.stderr());
        } finally {
            demo.process.destroy(); // SIGTERM
        }
        int code = demo.awaitExit(Duration.ofSeconds(300));
        String out = demo.stdout();
        assertEquals(0, code, out + demo.stderr());
        assertTrue(out.contains("wci demo: stop requested during phase "), out);
        assertTrue(out.endsWith("stopped.\n"), out);
        assertTrue(demo.sawA("temporal"), "the dev server ran: " + demo.commands);
        assertTrue(demo.sawA("java"), "handler JVMs ran: " + demo.commands);
        demo.assertNothingLeftRunning();
    }

    @Test
    void aTemporalCliThatIsNotThereIsOneLineAndExit2(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("no-such/temporal");
        DemoProcess demo = new DemoProcess(dir, Map.of(TemporalCli.ENV, missing.toString()), "--http-port", "0");
        assertEquals(2, demo.awaitExit(Duration.ofSeconds(300)), demo.stdout() + demo.stderr());
        assertEquals("wci: " + TemporalCli.ENV + "=" + missing
                + ": expected an executable temporal CLI, found no such file\n", demo.stderr());
        assertTrue(demo.seen.isEmpty(), "nothing was started: " + demo.commands);
    }
}
