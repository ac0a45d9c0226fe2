package dev.wci.server.temporal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Waits out a duration. Production sleeps; tests move a simulated clock instead. */
@FunctionalInterface
interface Sleeper {

    Sleeper REAL = d -> {
        if (!d.isNegative() && !d.isZero()) {
            TimeUnit.NANOSECONDS.sleep(d.toNanos());
        }
    };

    void sleep(Duration duration) throws InterruptedException;
}
