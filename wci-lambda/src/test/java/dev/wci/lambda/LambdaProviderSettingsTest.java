package dev.wci.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LambdaProviderSettingsTest {

    @Test
    void documentedDefaults() {
        LambdaProviderSettings d = LambdaProviderSettings.defaults();
        assertTrue(d.lambdaEndpointOverride().isEmpty());
        assertTrue(d.stsEndpointOverride().isEmpty());
        assertTrue(d.globalAssumeRole().isEmpty());
        assertEquals(Duration.ofSeconds(2), d.connectTimeout());
        assertEquals(Duration.ofSeconds(3), d.apiCallAttemptTimeout());
        assertEquals(Duration.ofSeconds(10), d.apiCallTimeout());
        assertEquals(256, d.maxConcurrentInvokes());
        assertEquals(2, d.maxRetries());
        assertEquals(Duration.ofMinutes(5), d.revalidationInterval());
        assertEquals(Duration.ofSeconds(30), d.minRevalidationInterval());
        assertEquals(d, d.toBuilder().build());
    }

    @Test
    void rejectsInconsistentValues() {
        var e = assertThrows(IllegalArgumentException.class, () -> LambdaProviderSettings.builder()
                .apiCallAttemptTimeout(Duration.ofSeconds(20)).build());
        assertTrue(e.getMessage().contains("must not exceed apiCallTimeout"), e::getMessage);
        assertThrows(IllegalArgumentException.class, () -> LambdaProviderSettings.builder().maxConcurrentInvokes(0).build());
        assertThrows(IllegalArgumentException.class, () -> LambdaProviderSettings.builder().maxRetries(-1).build());
        assertThrows(IllegalArgumentException.class, () -> LambdaProviderSettings.builder()
                .minRevalidationInterval(Duration.ofHours(1)).build());
        assertThrows(IllegalArgumentException.class, () -> LambdaProviderSettings.builder()
                .connectTimeout(Duration.ZERO).build());
    }
}
