package dev.wci.dev.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hostile soak's pass rules: what counts as flat, and the token-bucket check of the invokes. */
class SoakVerdictTest {

    private static final long S = 1_000_000_000L;

    @Test
    void aPlateauReachedInTheFirstThirdIsFlatAndAClimbIsNot() {
        assertTrue(SoakVerdict.flat(List.of(10.0, 40.0, 42.0, 41.0, 43.0, 40.0), 0));
        assertTrue(SoakVerdict.flat(List.of(100.0, 100.0, 120.0, 150.0, 155.0, 154.0), 5), "1.5x + slack");
        assertFalse(SoakVerdict.flat(List.of(100.0, 100.0, 120.0, 150.0, 155.0, 156.0), 5));
        assertFalse(SoakVerdict.flat(List.of(10.0, 20.0, 30.0, 40.0, 50.0, 60.0), 0), "a steady leak");
        assertTrue(SoakVerdict.flat(List.of(1.0, 99.0), 0), "too few rows to judge");
    }

    @Test
    void arrivalsAtTheRateAfterAFullBurstPassAndOneMorePastTheSlackFails() {
        List<Long> arrivals = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            arrivals.add(0L); // the burst at once
        }
        for (int i = 1; i <= 20; i++) {
            arrivals.add(i * S / 2); // then 2/s
        }
        assertEquals(5, SoakVerdict.maxBurst(arrivals, 2), 1e-9);
        assertTrue(SoakVerdict.withinRate(arrivals, 5, 2));
        assertEquals(6, SoakVerdict.maxPerSecond(arrivals.subList(0, 6)) , "burst plus the next within a second");

        List<Long> storm = new ArrayList<>(arrivals);
        storm.add(10 * S + 1);
        storm.add(10 * S + 2);
        storm.sort(null);
        assertEquals(7, SoakVerdict.maxBurst(storm, 2), 1e-6, "two extra on top of a bucket already emptied");
        assertFalse(SoakVerdict.withinRate(storm, 5, 2));
    }

    @Test
    void aQuietStretchRefillsOnlyUpToTheRateTimesItsLength() {
        // 14 attempts within one second after 10 quiet seconds: the bucket holds 5, not 5 + 20.
        List<Long> arrivals = new ArrayList<>();
        arrivals.add(0L);
        for (int i = 0; i < 14; i++) {
            arrivals.add(10 * S + i * S / 14);
        }
        assertTrue(SoakVerdict.maxBurst(arrivals, 2) > 12, "the 14 in one second are seen as a burst of about 12");
        assertFalse(SoakVerdict.withinRate(arrivals, 5, 2));
    }
}
