package dev.wci.dev.cli;

import dev.wci.server.cli.Cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The development entry point is the service's command line plus the development commands, with its error handling. */
class WciDevCommandTest {

    static final List<String> SERVICE = List.of("run", "validate");
    static final List<String> DEV = List.of("simulate", "demo", "local-lambda", "bench-invoke");

    @Test
    void addsTheDevelopmentCommandsToTheServicesOnes() {
        Cli.Outcome dev = Cli.runWith(WciDevCommand::execute, "--help");
        assertEquals(0, dev.code(), dev.err());
        for (String c : SERVICE) {
            assertTrue(dev.out().contains("  " + c + " "), c + " in:\n" + dev.out());
        }
        for (String c : DEV) {
            assertTrue(dev.out().contains("  " + c + " "), c + " in:\n" + dev.out());
        }
        Cli.Outcome service = Cli.run("--help");
        for (String c : DEV) {
            assertFalse(service.out().contains("  " + c + " "), "the service's command line has no " + c);
        }
    }

    @Test
    void developmentCommandsReportUserErrorsInOneLineAsTheServiceDoes() {
        Cli.Outcome parse = Cli.runWith(WciDevCommand::execute, "bench-invoke", "--rates", "x");
        assertEquals(2, parse.code());
        assertTrue(parse.err().startsWith("wci: "), parse.err());
        assertTrue(parse.err().contains("Try 'wci bench-invoke --help'."), parse.err());

        Cli.Outcome user = Cli.runWith(WciDevCommand::execute, "bench-invoke", "--seconds", "0");
        assertEquals(2, user.code());
        assertEquals("wci: --rates and --seconds must be positive", user.err().strip());
    }
}
