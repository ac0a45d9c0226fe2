package dev.wci.core.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DeploymentVersionTest {

    @Test
    void parsesAndPrintsDeploymentColonBuildId() {
        DeploymentVersion v = DeploymentVersion.parse("orders:2026-11-25.1");
        assertEquals(new DeploymentVersion("orders", "2026-11-25.1"), v);
        assertEquals("orders:2026-11-25.1", v.toString());
        // The build ID is after the last colon, so a deployment name may contain one.
        assertEquals(new DeploymentVersion("team:orders", "v3"), DeploymentVersion.parse("team:orders:v3"));
    }

    @Test
    void rejectsMalformedTextWithWhatWasExpected() {
        for (String bad : new String[] {"orders", ":v1", "orders:", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DeploymentVersion.parse(bad));
            assertTrue(e.getMessage().contains("expected <deployment>:<buildId>"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> DeploymentVersion.parse(null));
        assertThrows(IllegalArgumentException.class, () -> new DeploymentVersion(" ", "v1"));
    }

    @Test
    void rampPercentageMustBeAPercentage() {
        assertEquals(25.0, new RoutingState.Ramping(25).percentage());
        assertThrows(IllegalArgumentException.class, () -> new RoutingState.Ramping(101));
        assertThrows(IllegalArgumentException.class, () -> new RoutingState.Ramping(Double.NaN));
    }
}
