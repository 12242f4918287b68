package dnsmig.orchestrator.dualwrite;

import java.time.Duration;

/**
 * Timeouts and limits of dual writes.
 *
 * @param lockTimeout       how long a write waits for its zone's lock (then 503, nothing written)
 * @param statementTimeout  one database statement
 * @param maxConcurrent     writes in flight at once (bulkhead); more wait up to {@code bulkheadWait}, then 503
 * @param bulkheadWait      see above
 * @param applierInterval   how often the concurrent-mode applier and the outbox worker look for work when idle
 * @param applierAttempts   store failures of one queued change before it goes to the divergence list
 * @param retryBackoff      first pause after a failure (doubles per attempt, at most 30 s)
 * @param intentStaleAfter  an intent (queued, legacy outcome unknown) older than this is resolved by reading the legacy side;
 *                          longer than a legacy write can take
 */
public record DualWriteSettings(Duration lockTimeout, Duration statementTimeout, int maxConcurrent, Duration bulkheadWait, Duration applierInterval,
        int applierAttempts, Duration retryBackoff, Duration intentStaleAfter) {

    public static DualWriteSettings defaults() {
        return new DualWriteSettings(Duration.ofSeconds(5), Duration.ofSeconds(10), 64, Duration.ofSeconds(2), Duration.ofMillis(500), 8,
                Duration.ofMillis(200), Duration.ofSeconds(30));
    }

    public DualWriteSettings withIntentStaleAfter(Duration d) {
        return new DualWriteSettings(lockTimeout, statementTimeout, maxConcurrent, bulkheadWait, applierInterval, applierAttempts, retryBackoff, d);
    }

    public DualWriteSettings withApplier(Duration interval, int attempts, Duration backoff) {
        return new DualWriteSettings(lockTimeout, statementTimeout, maxConcurrent, bulkheadWait, interval, attempts, backoff, intentStaleAfter);
    }

    public DualWriteSettings withLockTimeout(Duration d) {
        return new DualWriteSettings(d, statementTimeout, maxConcurrent, bulkheadWait, applierInterval, applierAttempts, retryBackoff, intentStaleAfter);
    }

    public DualWriteSettings withBulkhead(int max, Duration wait) {
        return new DualWriteSettings(lockTimeout, statementTimeout, max, wait, applierInterval, applierAttempts, retryBackoff, intentStaleAfter);
    }

    /**
     * The database connections dual writes need: a write holds one for its whole course (its
     * zone's lock) and briefly takes a second (the legacy write journal, its queue row's state);
     * with no more connections than writes in flight, every write would hold one and wait for
     * another until the pool timed out. A few more serve the API's look-ups and the background
     * workers.
     */
    public int poolSize() {
        return Math.max(8, maxConcurrent + 8);
    }

    Duration backoff(int attempts) {
        long ms = retryBackoff.toMillis() << Math.min(attempts, 10);
        return Duration.ofMillis(Math.min(ms, 30_000));
    }
}
