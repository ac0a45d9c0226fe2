package dev.wci.dev.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.server.cli.Cli;
import dev.wci.server.cli.UserError;
import dev.wci.dev.cli.WciDevCommand;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {

    private static DemoOptions options(int burst, int trickle, double rate, int waiters, int activity, Integer port,
                                       int concurrency) {
        return new DemoOptions(burst, trickle, rate, waiters, activity, port, concurrency);
    }

    @Test
    void theDefaultsAreValidAndDeriveTheTimeline() {
        DemoOptions o = options(200, 40, 2, 5, 1000, null, 10);
        assertEquals(80, o.trickleCount());
        assertEquals(200 + 80 + 10, o.totalWorkflows());
        assertEquals(Duration.ofSeconds(20), o.switchAt());
        assertEquals(7, options(0, 3, 2.5, 0, 0, 0, 1).trickleCount(), "2.5/s for 3 s, rounded down");
        assertEquals(Duration.ofMillis(1500), options(0, 3, 2.5, 0, 0, 0, 1).switchAt());
    }

    @Test
    void eachValueOutOfRangeNamesItsOptionTheRangeAndWhatWasFound() {
        assertMessage("--burst: expected an integer from 0 to 5000, found -1", () -> options(-1, 40, 2, 5, 1000, null, 10));
        assertMessage("--burst: expected an integer from 0 to 5000, found 5001",
                () -> options(5001, 40, 2, 5, 1000, null, 10));
        assertMessage("--trickle-seconds: expected an integer from 0 to 3600, found 3601",
                () -> options(200, 3601, 2, 5, 1000, null, 10));
        assertMessage("--rate: expected workflows per second above 0 and at most 50, found 0.0",
                () -> options(200, 40, 0, 5, 1000, null, 10));
        assertMessage("--rate: expected workflows per second above 0 and at most 50, found 50.5",
                () -> options(200, 40, 50.5, 5, 1000, null, 10));
        assertMessage("--rate: expected workflows per second above 0 and at most 50, found NaN",
                () -> options(200, 40, Double.NaN, 5, 1000, null, 10));
        assertMessage("--waiters: expected an integer from 0 to 100, found 101",
                () -> options(200, 40, 2, 101, 1000, null, 10));
        assertMessage("--activity-ms: expected an integer from 0 to 60000, found -5",
                () -> options(200, 40, 2, 5, -5, null, 10));
        assertMessage("--http-port: expected an integer from 0 to 65535, found 70000",
                () -> options(200, 40, 2, 5, 1000, 70000, 10));
        assertMessage("--lambda-concurrency: expected an integer from 1 to 200, found 0",
                () -> options(200, 40, 2, 5, 1000, null, 0));
        assertMessage("--burst, --trickle-seconds and --waiters are all 0: the demo would start no workflow",
                () -> options(0, 0, 2, 0, 1000, null, 10));
    }

    private static void assertMessage(String expected, Runnable build) {
        assertEquals(expected, assertThrows(UserError.class, build::run).getMessage());
    }

    @Test
    void aBadOptionIsOneLineAndExitCode2BeforeAnythingStarts() {
        Cli.Outcome o = Cli.runWith(WciDevCommand::execute, "demo", "--rate", "0");
        assertEquals(2, o.code(), o.err());
        assertEquals("wci: --rate: expected workflows per second above 0 and at most 50, found 0.0\n", o.err());
        assertEquals("", o.out(), "nothing was started");

        Cli.Outcome typo = Cli.runWith(WciDevCommand::execute, "demo", "--burst", "many");
        assertEquals(2, typo.code());
        assertTrue(typo.err().startsWith("wci: Invalid value for option '--burst': 'many' is not an int"), typo.err());
    }

    @Test
    void aTakenHttpPortIsAUserError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Cli.Outcome o = Cli.runWith(WciDevCommand::execute, "demo", "--http-port", Integer.toString(port));
            assertEquals(2, o.code(), o.err());
            assertEquals("wci: --http-port " + port + ": 127.0.0.1:" + port
                    + " is already in use; pick another port, or 0 for any free one\n", o.err());
            assertEquals("", o.out(), "nothing was started");
        }
    }

    @Test
    void helpListsEveryOption() {
        Cli.Outcome o = Cli.runWith(WciDevCommand::execute, "demo", "--help");
        assertEquals(0, o.code());
        for (String option : new String[] {"--burst", "--trickle-seconds", "--rate", "--waiters", "--activity-ms",
                "--http-port", "--lambda-concurrency"}) {
            assertTrue(o.out().contains(option), option + " in " + o.out());
        }
    }
}
