package dnsmig.orchestrator.dualwrite;

import java.util.Locale;

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
}
