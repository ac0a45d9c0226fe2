package dev.wci.server.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class TallyNamesTest {

    @Test
    void replacesEverythingButAsciiLettersDigitsAndUnderscoreAsTemporalsReporterDoes() {
        // Pairs observed on Temporal 1.32's /metrics (see the captured pages).
        assertEquals("scrape_q_auto", TallyNames.sanitize("scrape-q.auto"));
        assertEquals("b_3", TallyNames.sanitize("b.3"));
        assertEquals("scrape_pin2_b_3", TallyNames.sanitize("scrape-pin2:b.3"));
        assertEquals("1_32_0", TallyNames.sanitize("1.32.0"));
        // One underscore per code point, also outside the BMP.
        assertEquals("caf__q", TallyNames.sanitize("café/q"));
        assertEquals("a_b", TallyNames.sanitize("a\uD83D\uDE00b"));
    }

    @Test
    void returnsCleanNamesUnchanged() {
        String clean = "Orders_v2";
        assertSame(clean, TallyNames.sanitize(clean));
    }
}
