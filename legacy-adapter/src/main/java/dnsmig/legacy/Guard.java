package dnsmig.legacy;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.function.Supplier;

/**
 * The resilience and metrics around every call to one legacy backend: one circuit breaker named
 * after the backend (Resilience4j, time from {@link LegacyResilience#clock()}), retries for
 * idempotent calls only, and Micrometer meters:
 *
 * <ul>
 *   <li>{@code dnsmig.legacy.operations} (counter; tags backend, kind = read|write|health, outcome)
 *   <li>{@code dnsmig.legacy.latency} (timer; tags backend, kind)
 *   <li>{@code resilience4j.circuitbreaker.state} and friends (tag name = the backend)
 * </ul>
 *
 * <p>Calls return outcomes, not exceptions; an {@link Failure.Unavailable} outcome counts as a
 * failure for the breaker, everything else (conflicts, refusals) as a success: the server is
 * there and answering.
 */
final class Guard {

    private final String backend;
    private final CircuitBreaker breaker;
    private final Retry readRetry;
    private final MeterRegistry meters;

    Guard(String backend, LegacyResilience settings, MeterRegistry meters) {
        this.backend = backend;
        this.meters = meters;
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .slidingWindow(settings.breakerWindow(), Math.min(settings.breakerWindow(), 5), CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .failureRateThreshold(settings.failureRate())
                .waitDurationInOpenState(settings.openFor())
                .permittedNumberOfCallsInHalfOpenState(2)
                .recordResult(r -> r instanceof Failure.Unavailable || r instanceof Health h && !h.up())
                .clock(settings.clock())
                .build();
        CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(config);
        this.breaker = registry.circuitBreaker(backend);
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
        this.readRetry = Retry.of(backend + "-reads", RetryConfig.custom()
                .maxAttempts(Math.max(1, settings.readAttempts()))
                .waitDuration(settings.retryWait())
                .retryOnResult(r -> r instanceof Failure.Unavailable u && !u.circuitOpen() || r instanceof Health h && !h.up() && !h.circuit().equals("OPEN"))
                .build());
    }

    String circuitState() {
        return breaker.getState().name();
    }

    /** An idempotent call (read, health): retried while unavailable, up to the configured attempts. */
    <T> T idempotent(String kind, String zone, Supplier<T> call, java.util.function.Function<String, T> whenOpen) {
        return measured(kind, () -> readRetry.executeSupplier(() -> guarded(zone, call, whenOpen)));
    }

    /** A call that must not be repeated blindly (a write): tried once. */
    <T> T once(String kind, String zone, Supplier<T> call, java.util.function.Function<String, T> whenOpen) {
        return measured(kind, () -> guarded(zone, call, whenOpen));
    }

    private <T> T guarded(String zone, Supplier<T> call, java.util.function.Function<String, T> whenOpen) {
        try {
            return breaker.executeSupplier(call);
        } catch (CallNotPermittedException e) {
            return whenOpen.apply("circuit breaker '" + backend + "' is open after repeated failures to reach the legacy server; nothing was sent"
                    + " (it lets calls through again after its wait, then closes once they succeed)");
        }
    }

    private <T> T measured(String kind, Supplier<T> call) {
        Timer.Sample sample = Timer.start(meters);
        T result = call.get();
        sample.stop(Timer.builder("dnsmig.legacy.latency").tag("backend", backend).tag("kind", kind)
                .description("time of calls to the legacy DNS, retries included").register(meters));
        Counter.builder("dnsmig.legacy.operations").tag("backend", backend).tag("kind", kind).tag("outcome", Outcomes.kind(result))
                .description("calls to the legacy DNS by kind and outcome").register(meters).increment();
        return result;
    }

    static Failure.Unavailable open(String zone, String message) {
        return new Failure.Unavailable(zone, true, message);
    }
}
