package dnsmig.legacy;

/**
 * Whether the legacy side answers: {@code up} when it did just now; {@code circuit} is the
 * circuit breaker's state (CLOSED, OPEN, HALF_OPEN); {@code detail} says what was tried.
 */
public record Health(boolean up, String circuit, String detail) {}
