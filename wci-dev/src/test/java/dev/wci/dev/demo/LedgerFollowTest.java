package dev.wci.dev.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LedgerFollowTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static Instant at(long millis) {
        return T0.plusMillis(millis);
    }

    @Test
    void theLargestGapAndHowLongItsEpisodeLasted() {
        LedgerFollow f = new LedgerFollow();
        f.sample(at(0), "v1", 3, 3, 3);
        f.sample(at(250), "v1", 3, 1, 3);    // two exited, WCI still counts them
        f.sample(at(500), "v1", 3, 0, 3);    // gap 3
        f.sample(at(750), "v1", 1, 0, 3);
        f.sample(at(1000), "v1", 0, 0, 3);   // caught up: the episode lasted 750 ms
        f.sample(at(1000), "v2", 2, 1, 2);   // gap 1 from 1 s ...
        f.sample(at(3000), "v2", 2, 1, 2);
        f.finish(at(4000));                  // ... still open at the end: 3 s
        assertEquals(new LedgerFollow.Gap("v1", 3, Duration.ofMillis(750)), f.largestGap());
        assertEquals(Duration.ofSeconds(3), f.longestGap());
    }

    @Test
    void noGapWhenWciNeverCountsMoreThanRun() {
        LedgerFollow f = new LedgerFollow();
        f.sample(at(0), "v1", 0, 2, 0); // the runtime started workers WCI did not invoke yet
        f.finish(at(1000));
        assertEquals(LedgerFollow.Gap.NONE, f.largestGap());
        assertEquals("WCI live vs runtime running: WCI never counted more workers than ran",
                LedgerFollow.describe(f.largestGap(), f.longestGap(),
                        f.exitDelays(Map.of())).get(0));
    }

    @Test
    void exitsArePairedInOrderWithTheLedgersCountedEnds() {
        LedgerFollow f = new LedgerFollow();
        f.sample(at(0), "v1", 3, 3, 3);
        f.sample(at(2000), "v1", 2, 2, 3);   // one end counted at 2 s
        f.sample(at(5000), "v1", 0, 0, 3);   // two more at 5 s
        // Runtime ends: 1.5 s, 1.0 s (any order), 4.0 s; one end WCI counted early (at 5 s for an exit at 6 s).
        LedgerFollow.ExitDelays d = f.exitDelays(Map.of("v1", List.of(at(1500), at(1000), at(4000), at(6000))));
        // Sorted ends 1.0, 1.5, 4.0, 6.0 paired with counted 2.0, 5.0, 5.0: delays 1000, 3500, 1000; 6.0 unmatched.
        assertEquals(3, d.delays().samples());
        assertEquals(1000, d.delays().p50());
        assertEquals(3500, d.delays().p99());
        assertEquals(1, d.unmatched());
        assertEquals("worker exit -> WCI ledger: 3 exits, p50 / p99 1.0 s / 3.5 s, 1 not counted by the end",
                LedgerFollow.describe(f.largestGap(), f.longestGap(), d).get(1));
    }

    @Test
    void anEndTheLedgerCountedBeforeTheProcessEndedCountsAsZero() {
        LedgerFollow f = new LedgerFollow();
        f.sample(at(0), "v1", 1, 1, 1);
        f.sample(at(1000), "v1", 0, 1, 1);   // the worker announced its shutdown; its process ends at 1.2 s
        LedgerFollow.ExitDelays d = f.exitDelays(Map.of("v1", List.of(at(1200))));
        assertEquals(0, d.delays().p99());
    }
}
