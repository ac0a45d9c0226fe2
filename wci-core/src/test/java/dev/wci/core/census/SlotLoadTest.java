package dev.wci.core.census;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A heartbeat's load is refused when it cannot describe work: negative counts, no interval or an empty one. */
class SlotLoadTest {

    @Test
    void negativeCountsAreRefusedWithBothValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SlotLoad(-1, 3, Duration.ofSeconds(1)));
        assertEquals("used slots and processed tasks must not be negative, got -1 and 3", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SlotLoad(2, -3, Duration.ofSeconds(1)));
    }

    @Test
    void anIntervalMustBePositive() {
        assertEquals("heartbeat interval must be positive, got PT0S",
                assertThrows(IllegalArgumentException.class, () -> new SlotLoad(1, 1, Duration.ZERO)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SlotLoad(1, 1, Duration.ofMillis(-1)));
        assertThrows(NullPointerException.class, () -> new SlotLoad(1, 1, null));
        assertEquals(Duration.ofMillis(1500), new SlotLoad(0, 0, Duration.ofMillis(1500)).interval());
    }
}
