package dnsmig.orchestrator.backfill;

import java.util.Map;

/**
 * What a backfill job did, over every execution of it (a resumed run adds to what the
 * interrupted one committed): the report's figures and its exit code come from here.
 *
 * <p>The zone lists are samples (the first {@value ZoneTally#SAMPLE} zones by name); the counts
 * are complete.
 *
 * @param zones zones that reached an outcome (imported, unchanged, held or failed)
 * @param records records read from zone files
 * @param written rows inserted or deleted
 * @param failed zones that could not be imported at all
 * @param held zones the safety gate held back
 * @param failedZones some failed zones, with why
 * @param heldZones some held zones, with why
 * @param changes in a dry run, some zones that would change, with how
 */
public record BackfillTotals(long zones, long records, long written, long errors, long warnings, long created, long updated, long unchanged,
        long unservable, long failed, long held, Map<String, Long> findingsByCode, Map<String, String> failedZones, Map<String, String> heldZones,
        Map<String, String> changes) {

    public BackfillTotals {
        findingsByCode = Map.copyOf(findingsByCode);
        failedZones = Map.copyOf(failedZones);
        heldZones = Map.copyOf(heldZones);
        changes = Map.copyOf(changes);
    }
}
