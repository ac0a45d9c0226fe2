package dev.wci.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wci.server.config.Kinds.HostPort;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class KindsTest {

    @Test
    void durationsTakeMillisecondsSecondsMinutesAndHours() {
        assertEquals(Duration.ofMillis(500), Kinds.parseDuration("500ms"));
        assertEquals(Duration.ofSeconds(8), Kinds.parseDuration("8s"));
        assertEquals(Duration.ofMinutes(2), Kinds.parseDuration("2m"));
        assertEquals(Duration.ofHours(1), Kinds.parseDuration("1h"));
        assertEquals(Duration.ZERO, Kinds.parseDuration("0s"));
        for (String bad : new String[] {"8", "1.5s", "-1s", "8 s", "8S", "PT8S", "1d", "s", "1m30s"}) {
            assertThrows(IllegalArgumentException.class, () -> Kinds.parseDuration(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> Kinds.positiveDuration().parser().parse("0ms"));
    }

    @Test
    void durationsAreFormattedAsWritten() {
        assertEquals("500ms", Kinds.format(Duration.ofMillis(500)));
        assertEquals("8s", Kinds.format(Duration.ofSeconds(8)));
        assertEquals("90s", Kinds.format(Duration.ofSeconds(90)));
        assertEquals("1m", Kinds.format(Duration.ofSeconds(60)));
        assertEquals("2h", Kinds.format(Duration.ofHours(2)));
        assertEquals("0s", Kinds.format(Duration.ZERO));
    }

    @Test
    void numbersArePlainDecimals() {
        var number = Kinds.number().parser();
        assertEquals(2.5, number.parse("2.5"));
        assertEquals(10.0, number.parse("10"));
        assertEquals(1000.0, number.parse("1e3"));
        for (String bad : new String[] {"NaN", "Infinity", "0x10", "1d", "1f", "ten", "1e999"}) {
            assertThrows(IllegalArgumentException.class, () -> number.parse(bad), bad);
        }
        var budget = Kinds.budget().parser();
        assertEquals(Double.POSITIVE_INFINITY, budget.parse("unlimited"));
        assertEquals(3600.0, budget.parse("3600"));
        assertThrows(IllegalArgumentException.class, () -> budget.parse("none"));
    }

    @Test
    void integersHonourTheirRange() {
        var retries = Kinds.integer(0, 10, "x").parser();
        assertEquals(0, retries.parse("0"));
        assertEquals(10, retries.parse("10"));
        for (String bad : new String[] {"11", "-1", "2.0", "two", "99999999999"}) {
            assertThrows(IllegalArgumentException.class, () -> retries.parse(bad), bad);
        }
    }

    @Test
    void hostPortTakesNamesIpv4AndBracketedIpv6() {
        var listen = Kinds.hostPort(0, "x").parser();
        assertEquals(new HostPort("127.0.0.1", 8080), listen.parse("127.0.0.1:8080"));
        assertEquals(new HostPort("temporal", 7233), listen.parse("temporal:7233"));
        assertEquals(new HostPort("::1", 0), listen.parse("[::1]:0"));
        assertEquals(new HostPort("0.0.0.0", 65535), listen.parse("0.0.0.0:65535"));
        for (String bad : new String[] {"localhost", ":8080", "host:", "host:65536", "::1:80", "[::1]80", "a b:1",
                "host:-1", "http://host:80"}) {
            assertThrows(IllegalArgumentException.class, () -> listen.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> Kinds.hostPort(1, "x").parser().parse("temporal:0"));
    }

    @Test
    void endpointsAreAbsoluteHttpUrls() {
        var uri = Kinds.httpUri("x").parser();
        assertEquals("http://127.0.0.1:9001", uri.parse("http://127.0.0.1:9001").toString());
        assertEquals("https://lambda.us-east-1.amazonaws.com", uri.parse("https://lambda.us-east-1.amazonaws.com").toString());
        for (String bad : new String[] {"127.0.0.1:9001", "ftp://host", "/path", "http://", "http://a b"}) {
            assertThrows(IllegalArgumentException.class, () -> uri.parse(bad), bad);
        }
    }
}
