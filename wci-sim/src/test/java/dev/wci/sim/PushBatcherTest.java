package dev.wci.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.TaskQueueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class PushBatcherTest {

    private static final DeploymentVersion V1 = new DeploymentVersion("d", "1");
    private static final DeploymentVersion V2 = new DeploymentVersion("d", "2");

    private record Fixture(EventQueue events, List<SyncMatchFailure> out, PushBatcher batcher) {
        void rawAt(long millis, DeploymentVersion v) {
            events.at(millis * 1_000_000L, () -> batcher.onNotMatched(v, "q", TaskQueueType.ACTIVITY));
        }

        void run() {
            events.run(Long.MAX_VALUE, () -> false);
        }
    }

    private static Fixture fixture() {
        EventQueue events = new EventQueue(new SimClock());
        List<SyncMatchFailure> out = new ArrayList<>();
        return new Fixture(events, out, new PushBatcher(events, Duration.ofMillis(500), out::add));
    }

    private static long ms(SyncMatchFailure s) {
        return java.time.Duration.between(SimClock.EPOCH, s.observedAt()).toMillis();
    }

    @Test
    void firstAfterQuietIsImmediateThenBatchedPerInterval() {
        Fixture f = fixture();
        f.rawAt(0, V1);
        f.rawAt(100, V1);
        f.rawAt(200, V1);
        f.rawAt(300, V1);
        f.rawAt(2000, V1);
        f.run();
        assertEquals(3, f.out().size());
        assertEquals(0, ms(f.out().get(0)));
        assertEquals(1, f.out().get(0).notMatchedCount());
        assertEquals(500, ms(f.out().get(1)));
        assertEquals(3, f.out().get(1).notMatchedCount());
        assertEquals(2000, ms(f.out().get(2)), "quiet for 1.5 s: sent at once");
        assertEquals(1, f.out().get(2).notMatchedCount());
    }

    @Test
    void versionsAreBatchedIndependently() {
        Fixture f = fixture();
        f.rawAt(0, V1);
        f.rawAt(10, V2);
        f.rawAt(20, V1);
        f.run();
        assertEquals(3, f.out().size());
        assertEquals(V1, f.out().get(0).version());
        assertEquals(V2, f.out().get(1).version());
        assertEquals(10, ms(f.out().get(1)));
        assertEquals(500, ms(f.out().get(2)));
    }

    @Property(tries = 200)
    void atMostOnePerIntervalAndCountsSum(@ForAll @Size(min = 1, max = 200) List<@IntRange(min = 0, max = 5000) Integer> times) {
        Fixture f = fixture();
        for (int t : times) {
            f.rawAt(t, V1);
        }
        f.run();
        long sum = 0;
        long last = Long.MIN_VALUE / 2;
        for (SyncMatchFailure s : f.out()) {
            sum += s.notMatchedCount();
            assertTrue(ms(s) - last >= 500, "signals " + last + " and " + ms(s) + " closer than 500 ms");
            last = ms(s);
        }
        assertEquals(times.size(), sum);
        int first = times.stream().mapToInt(Integer::intValue).min().orElseThrow();
        assertEquals(first, ms(f.out().get(0)), "the first event is signalled at once");
    }
}
