package dev.wci.dev.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressTest {

    static final Progress.Snapshot SNAPSHOT = new Progress.Snapshot(75, "trickle on v1", 230, 180, 2, List.of(
            new Progress.VersionLine("v1", "CURRENT", 12, 2, 3, 9, 5, 1, 170),
            new Progress.VersionLine("v2", "INACTIVE", 0.5, 0, 0, 1, 0, 0, 10)));

    @Test
    void oneLinePerUpdateForPipes() {
        assertEquals("[1:15] trickle on v1 | workflows: 230 started, 180 done, 48 running, 2 failed"
                        + " | v1 CURRENT: backlog 12, workers 2 starting + 3 ready, 9 invocations (5 running, 1 throttled), 170 done"
                        + " | v2 INACTIVE: backlog 0.5, workers 0 starting + 0 ready, 1 invocations (0 running, 0 throttled), 10 done",
                Progress.line(SNAPSHOT));
    }

    @Test
    void aTableForTerminals() {
        assertEquals(List.of(
                "wci demo  1:15  phase: trickle on v1",
                "workflows: 230 started, 180 done, 48 running, 2 failed",
                "version  routing    backlog  starting  ready  invocations  running  throttled   done",
                "v1       CURRENT         12         2      3            9        5          1    170",
                "v2       INACTIVE       0.5         0      0            1        0          0     10"),
                Progress.block(SNAPSHOT));
    }

    @Test
    void noFailedCountWhileNothingFailed() {
        Progress.Snapshot s = new Progress.Snapshot(5, "burst", 3, 1, 0, List.of());
        assertEquals("[0:05] burst         | workflows: 3 started, 1 done, 2 running", Progress.line(s));
        assertEquals("workflows: 3 started, 1 done, 2 running", Progress.block(s).get(1));
    }

    @Test
    void elapsedTimeIsMinutesAndSeconds() {
        assertEquals("0:00", Progress.clock(0));
        assertEquals("0:59", Progress.clock(59));
        assertEquals("2:05", Progress.clock(125));
        assertEquals("61:01", Progress.clock(3661));
    }

    private static String print(boolean ansi, java.util.function.Consumer<ProgressPrinter> actions) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        actions.accept(new ProgressPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8), ansi));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void withoutATerminalEveryUpdateAndEventIsAPlainLine() {
        String out = print(false, p -> {
            p.event("phase: burst");
            p.update(SNAPSHOT);
            p.update(SNAPSHOT);
        });
        String line = Progress.line(SNAPSHOT);
        assertEquals("phase: burst\n" + line + "\n" + line + "\n", out);
    }

    @Test
    void onATerminalTheBlockIsRedrawnInPlaceAndEventsGoAboveIt() {
        String block = String.join("\n", Progress.block(SNAPSHOT)) + "\n";
        String up5 = "\033[5F\033[J";
        String out = print(true, p -> {
            p.update(SNAPSHOT);
            p.update(SNAPSHOT);
            p.event("phase: drain");
            p.release();
            p.event("summary");
        });
        assertEquals(block + up5 + block + up5 + "phase: drain\n" + block + "summary\n", out);
    }
}
