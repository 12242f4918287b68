package dnsmig.legacy;

/** Metric and journal names of outcomes. */
final class Outcomes {

    private Outcomes() {}

    static String kind(Object o) {
        return switch (o) {
            case WriteOutcome.Applied a -> "applied";
            case WriteOutcome.Conflict c -> "conflict";
            case ReadOutcome.Zone z -> "read";
            case Failure.Rejected r -> "rejected";
            case Failure.AuthFailed a -> "auth-failed";
            case Failure.Unavailable u -> u.circuitOpen() ? "circuit-open" : "unavailable";
            case Health h -> h.up() ? "up" : "down";
            default -> "other";
        };
    }
}
