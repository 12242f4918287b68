package dnsmig.legacy;

import java.time.Clock;
import java.time.Duration;

/**
 * How LegacyDns protects itself and its callers from a slow or dead legacy server.
 *
 * @param queryTimeout    one query or UPDATE (TCP), connect included
 * @param transferTimeout one whole zone transfer
 * @param readAttempts    tries of a read or health check (idempotent) while the server is unavailable; writes are tried once
 * @param retryWait       pause between those tries
 * @param breakerWindow   the circuit breaker looks at this many recent calls
 * @param failureRate     percentage of unavailable calls among them that opens the circuit
 * @param openFor         how long an open circuit refuses calls before letting a few through (half-open)
 * @param clock           time of the circuit breaker and the journal (a fixed or mock clock in tests)
 */
public record LegacyResilience(Duration queryTimeout, Duration transferTimeout, int readAttempts, Duration retryWait, int breakerWindow,
        float failureRate, Duration openFor, Clock clock) {

    public static LegacyResilience defaults() {
        return new LegacyResilience(Duration.ofSeconds(3), Duration.ofSeconds(60), 3, Duration.ofMillis(200), 10, 50f, Duration.ofSeconds(10),
                Clock.systemUTC());
    }

    public LegacyResilience withClock(Clock c) {
        return new LegacyResilience(queryTimeout, transferTimeout, readAttempts, retryWait, breakerWindow, failureRate, openFor, c);
    }

    public LegacyResilience withOpenFor(Duration d) {
        return new LegacyResilience(queryTimeout, transferTimeout, readAttempts, retryWait, breakerWindow, failureRate, d, clock);
    }

    public LegacyResilience withRetryWait(Duration d) {
        return new LegacyResilience(queryTimeout, transferTimeout, readAttempts, d, breakerWindow, failureRate, openFor, clock);
    }
}
