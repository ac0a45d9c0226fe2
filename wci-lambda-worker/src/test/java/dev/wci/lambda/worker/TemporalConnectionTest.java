package dev.wci.lambda.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TemporalConnectionTest {

    @Test
    void defaultsToALocalPlaintextServer() {
        TemporalConnection c = TemporalConnection.fromEnvironment(Map.<String, String>of()::get);
        assertEquals("localhost:7233", c.address());
        assertEquals("default", c.namespace());
        assertFalse(c.tls());
    }

    @Test
    void apiKeyTurnsTlsOnUnlessExplicitlyOffAndIsNeverPrinted() {
        TemporalConnection c = TemporalConnection.fromEnvironment(Map.of(
                "TEMPORAL_ADDRESS", "ns.acct.tmprl.cloud:7233", "TEMPORAL_NAMESPACE", "ns.acct",
                "TEMPORAL_API_KEY", "secret-key")::get);
        assertTrue(c.tls());
        assertFalse(c.toString().contains("secret-key"), c.toString());
        TemporalConnection off = TemporalConnection.fromEnvironment(Map.of(
                "TEMPORAL_API_KEY", "k", "TEMPORAL_TLS", "false")::get);
        assertFalse(off.tls());
    }

    @Test
    void badValuesAreNamed() {
        IllegalArgumentException flag = assertThrows(IllegalArgumentException.class,
                () -> TemporalConnection.fromEnvironment(Map.of("TEMPORAL_TLS", "maybe")::get));
        assertTrue(flag.getMessage().contains("TEMPORAL_TLS"), flag.getMessage());
        IllegalArgumentException file = assertThrows(IllegalArgumentException.class,
                () -> TemporalConnection.fromEnvironment(
                        Map.of("TEMPORAL_TLS_SERVER_CA_CERT_PATH", "/nonexistent/ca.pem")::get));
        assertTrue(file.getMessage().contains("TEMPORAL_TLS_SERVER_CA_CERT_PATH"), file.getMessage());
    }
}
