package dnsmig.orchestrator.dualwrite;

import dnsmig.store.CutoverStore;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where users' writes go, in the order a migration moves through them (forwards or back, switched
 * at runtime by operators; the current mode is {@code write_mode_current}).
 */
public enum WriteMode {
    /** Only the legacy system is written. */
    LEGACY_ONLY,
    /** The legacy write answers the user; the store learns in the background from a durable queue; what it refuses is a divergence. */
    CONCURRENT,
    /** Both or neither, as one unit under the zone's lock; the user sees the error. */
    SYNCHRONOUS,
    /** The store is the truth; legacy is still written (repair outbox when it fails) so a cutover can be rolled back. */
    NEW_PRIMARY,
    /** Only the store is written. */
    NEW_ONLY;

    /** "synchronous", "SYNCHRONOUS", "new-primary" → the mode; a clear error naming the choices otherwise. */
    public static WriteMode parse(String text) {
        String t = text == null ? "" : text.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        try {
            return valueOf(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown write mode '" + text + "': one of LEGACY_ONLY, CONCURRENT, SYNCHRONOUS, NEW_PRIMARY, NEW_ONLY");
        }
    }

    public boolean atLeast(WriteMode other) {
        return ordinal() >= other.ordinal();
    }

    /**
     * Why switching to {@code this} must wait, or empty. {@code NEW_ONLY} stops writing to legacy:
     * a nameserver that still answers from it ({@code legacy}, or a canary share) would answer
     * every later change from stale data. The command line and the API both ask this.
     *
     * @param nameservers every registered nameserver's serving mode
     */
    public Optional<String> refusal(List<CutoverStore.Mode> nameservers) {
        if (this != NEW_ONLY) {
            return Optional.empty();
        }
        List<String> onLegacy = nameservers.stream().filter(n -> !"new".equals(n.mode())).map(n -> n.nameserver() + " (" + n.label() + ")").toList();
        return onLegacy.isEmpty() ? Optional.empty()
                : Optional.of("NEW_ONLY stops writing to legacy, and these nameservers still answer from it: " + String.join(", ", onLegacy)
                        + ". Cut them over first (dnsmig cutover advance NS --to new)");
    }
}
