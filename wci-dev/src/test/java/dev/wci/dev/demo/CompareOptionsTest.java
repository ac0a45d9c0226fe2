package dev.wci.dev.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.server.cli.UserError;
import dev.wci.dev.demo.CompareOptions.Controller;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompareOptionsTest {

    @Test
    void theDefaultsAreIssue12sWorkload() {
        CompareOptions o = CompareOptions.parse(new String[] {"--controller", "wci-stats"});
        assertEquals(CompareOptions.defaults(Controller.WCI_STATS), o);
        assertEquals(120, o.trickleCount());
        assertEquals("burst 200, then 2/s for 60 s, idle 60 s, burst 200; activity 1000 ms; account limit 10;"
                + " idle exit 10 s; 1 version(s)", o.workload());
    }

    @Test
    void everyOptionIsRead() {
        CompareOptions o = CompareOptions.parse(new String[] {"--controller", "embedded", "--burst", "10", "--rate",
                "2.5", "--trickle-seconds", "3", "--idle-seconds", "20", "--burst2", "0", "--activity-ms", "200",
                "--lambda-concurrency", "4", "--idle-exit-seconds", "5", "--versions", "2", "--switch-at-seconds",
                "2", "--wci-worker-throughput", "20", "--run", "r-1", "--csv", "/tmp/x.csv"});
        assertEquals(new CompareOptions(Controller.EMBEDDED, 10, 2.5, 3, 20, 0, 200, 4, 5, 2, 2, 20, "r-1",
                Path.of("/tmp/x.csv")), o);
        assertEquals(7, o.trickleCount(), "2.5/s for 3 s, rounded down");
        assertEquals(Duration.ofSeconds(5), o.idleExit());
        assertEquals(5, o.firstAfterSwitch(), "the trickle's 6th workflow is due at 2 s");
        assertEquals(List.of("b1", "b2"), o.builds());
        assertTrue(o.workload().endsWith("; 2 version(s); b2 Current 2 s into the trickle;"
                + " WCI's defaultWorkerThroughput 20/s"), o.workload());
    }

    @Test
    void withoutASwitchThereIsOneBuild() {
        CompareOptions o = CompareOptions.parse(new String[] {"--controller", "wci-push"});
        assertFalse(o.switches());
        assertEquals(List.of("b1"), o.builds());
        CompareOptions on = CompareOptions.parse(new String[] {"--controller", "wci-push", "--trickle-seconds", "40",
                "--rate", "0.3", "--switch-at-seconds", "20"});
        assertTrue(on.switches());
        assertEquals(6, on.firstAfterSwitch(), "0.3/s: the 7th workflow, due at 20 s, is the first at or after 20 s");
    }

    @Test
    void aSwitchOutsideTheTrickleIsOneLine() {
        assertMessage("--switch-at-seconds takes a whole number from 1 to 3600, not '0'", "--controller", "embedded",
                "--switch-at-seconds", "0");
        assertMessage("--switch-at-seconds takes a whole number from 1 to 3600, not 'soon'", "--controller",
                "embedded", "--switch-at-seconds", "soon");
        assertMessage("--switch-at-seconds 60 is not within the trickle (--trickle-seconds 60): it takes a whole"
                + " number from 1 to 59", "--controller", "embedded", "--switch-at-seconds", "60");
        assertMessage("--switch-at-seconds 5 is not within the trickle (--trickle-seconds 0); a switch needs a"
                + " trickle of 2 s or more", "--controller", "embedded", "--trickle-seconds", "0",
                "--switch-at-seconds", "5");
        assertMessage("--switch-at-seconds 2: no trickle workflow starts at or after it (0.2/s for 5 s is 1"
                + " workflow(s)); switch earlier or trickle longer", "--controller", "embedded", "--rate", "0.2",
                "--trickle-seconds", "5", "--switch-at-seconds", "2");
    }

    @Test
    void mistakesAreOneLineNamingTheOption() {
        assertMessage("--controller is required: embedded, wci-stats, wci-metrics or wci-push", "--burst", "5");
        assertMessage("--controller takes embedded, wci-stats, wci-metrics or wci-push, not 'keda'", "--controller", "keda");
        assertMessage("--burst takes a whole number from 1 to 5000, not '0'", "--controller", "embedded", "--burst",
                "0");
        assertMessage("--rate takes a number above 0, at most 50, not 'fast'", "--controller", "embedded", "--rate",
                "fast");
        assertMessage("--versions takes a whole number from 1 to 10, not '11'", "--controller", "embedded",
                "--versions", "11");
        assertMessage("--wci-worker-throughput takes a number above 0, at most 100000, not '0'", "--controller",
                "wci-push", "--wci-worker-throughput", "0");
        assertMessage("--run takes 1-32 letters, digits, '.', '_' or '-', not 'a b'", "--controller", "embedded",
                "--run", "a b");
        assertMessage("unknown option '--bursts' (see docs/compare.md)", "--controller", "embedded", "--bursts",
                "3");
        assertMessage("--idle-seconds needs a value", "--controller", "embedded", "--idle-seconds");
    }

    @Test
    void theWorkerFunctionsIdleExitComesFromItsEnvironment() {
        assertEquals(Duration.ofMillis(10_000), CompareWorkerHandler.idleExit("10000"));
        assertEquals(DemoWorkerHandler.IDLE_EXIT, CompareWorkerHandler.idleExit(null));
        assertEquals(DemoWorkerHandler.IDLE_EXIT, CompareWorkerHandler.idleExit("ten"));
    }

    private static void assertMessage(String expected, String... args) {
        assertEquals(expected, assertThrows(UserError.class, () -> CompareOptions.parse(args)).getMessage());
    }
}
