package dnsmig.store;

/**
 * How careful a backfill is with zones the store already holds.
 *
 * <p>The safety gate: a re-import that would delete or change more than {@code maxChangeShare}
 * of an existing zone of at least {@code gateMinRecords} records is refused for that zone
 * unless {@code force} is set — the way a careful operator stops before a bad export wipes a
 * customer's zone.
 *
 * @param dryRun compute and report what would change, write nothing
 */
public record ImportPolicy(boolean dryRun, boolean force, double maxChangeShare, int gateMinRecords) {

    public static final ImportPolicy DEFAULT = new ImportPolicy(false, false, 0.30, 10);

    public ImportPolicy {
        if (maxChangeShare < 0 || maxChangeShare > 1) {
            throw new IllegalArgumentException("maxChangeShare must be within 0..1, was " + maxChangeShare);
        }
    }

    public ImportPolicy withDryRun(boolean value) {
        return new ImportPolicy(value, force, maxChangeShare, gateMinRecords);
    }

    public ImportPolicy withForce(boolean value) {
        return new ImportPolicy(dryRun, value, maxChangeShare, gateMinRecords);
    }

    /** True when removing {@code removed} of {@code existing} records trips the gate. */
    boolean blocks(int existing, int removed) {
        return !force && existing >= gateMinRecords && removed > maxChangeShare * existing;
    }
}
