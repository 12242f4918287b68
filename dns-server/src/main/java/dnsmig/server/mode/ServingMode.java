package dnsmig.server.mode;

/**
 * How a nameserver answers during the cutover: {@code LEGACY} forwards every query to the legacy
 * server, {@code CANARY} answers {@code percent} % of query names (by a stable hash of the name,
 * {@link ModeSwitch#bucket}) from the new index and forwards the rest, {@code NEW} answers
 * everything from the new index.
 */
public record ServingMode(Kind kind, int percent) {

    public enum Kind { LEGACY, CANARY, NEW }

    public static final ServingMode LEGACY = new ServingMode(Kind.LEGACY, 0);
    public static final ServingMode NEW = new ServingMode(Kind.NEW, 100);

    public ServingMode {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("a canary percentage is 0 to 100, got " + percent);
        }
        percent = switch (kind) {
            case LEGACY -> 0;
            case NEW -> 100;
            case CANARY -> percent;
        };
    }

    public static ServingMode canary(int percent) {
        return new ServingMode(Kind.CANARY, percent);
    }

    /** From the stored form: "legacy", "canary" with a percentage, "new". */
    public static ServingMode of(String mode, int percent) {
        return switch (mode) {
            case "legacy" -> LEGACY;
            case "canary" -> canary(percent);
            case "new" -> NEW;
            default -> throw new IllegalArgumentException("unknown serving mode '" + mode + "' (legacy, canary or new)");
        };
    }

    @Override
    public String toString() {
        return kind == Kind.CANARY ? "canary:" + percent : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
