package dev.wci.server.service;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * At most one log message per key per interval, so a storm of like events (throttled invokes, failed starts, a
 * fleet adopted after a restart) becomes a few lines; the one that is logged says how many were left out since the
 * last. The metrics count every event. Thread-safe.
 *
 * @param <K> what makes two events alike (a version and a kind, say)
 */
final class LogThrottle<K> {

    private final Clock clock;
    private final long everyMillis;
    private final int maxKeys;
    private final Map<K, Long> lastLogged = new HashMap<>();
    private final Map<K, Integer> suppressed = new HashMap<>();

    /**
     * @param every   the least time between two messages of one key
     * @param maxKeys keys remembered at most; beyond, the memory is cleared (a few repeated lines, never unbounded)
     */
    LogThrottle(Clock clock, Duration every, int maxKeys) {
        this.clock = clock;
        this.everyMillis = every.toMillis();
        this.maxKeys = maxKeys;
    }

    /** Empty when this event is left out; else how many of its key were left out since the last message. */
    synchronized OptionalInt admit(K key) {
        long now = clock.millis();
        Long last = lastLogged.get(key);
        if (last != null && now - last < everyMillis) {
            suppressed.merge(key, 1, Integer::sum);
            return OptionalInt.empty();
        }
        if (last == null && lastLogged.size() >= maxKeys) {
            lastLogged.clear();
            suppressed.clear();
        }
        lastLogged.put(key, now);
        Integer s = suppressed.remove(key);
        return OptionalInt.of(s == null ? 0 : s);
    }

    /** " (N more like it since the last message)", or "" when none were left out. */
    static String more(int skipped) {
        return skipped > 0 ? " (" + skipped + " more like it since the last message)" : "";
    }
}
