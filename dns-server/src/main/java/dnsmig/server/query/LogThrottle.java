package dnsmig.server.query;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * At most one log line per interval, however many event loops have something to say: a burst
 * of the same failure on every thread logs one line, and the next line says how many were held
 * back.
 */
final class LogThrottle {

    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final AtomicLong held = new AtomicLong();
    private final AtomicLong nextAt;

    LogThrottle(Duration interval, LongSupplier nanoTime) {
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
        this.nextAt = new AtomicLong(nanoTime.getAsLong());
    }

    /** -1 when this event is not to be logged (it is counted); otherwise how many were held back before it. */
    long admit() {
        held.incrementAndGet();
        long now = nanoTime.getAsLong();
        long next = nextAt.get();
        // One thread wins the slot.
        if (now - next < 0 || !nextAt.compareAndSet(next, now + intervalNanos)) {
            return -1;
        }
        return held.getAndSet(0) - 1;
    }
}
