package dev.wci.dev.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark runs end to end on a tiny load (figures are not asserted: benchmarks never time-assert). */
class InvokeBenchmarkTest {

    @Test
    void smallRunProducesATable() throws Exception {
        var result = InvokeBenchmark.run(new InvokeBenchmark.Options(List.of(50, 100), Duration.ofMillis(300),
                Duration.ZERO, 16));

        assertEquals(2, result.steps().size());
        for (var step : result.steps()) {
            assertEquals(0, step.errors(), step::toString);
            assertTrue(step.sent() > 0, step::toString);
        }
        assertTrue(result.table().contains("achieved/s"), result.table());
    }
}
