package dnsmig.orchestrator.reconcile;

import dnsmig.store.ReconcileStore;
import java.util.List;

/**
 * Tells whether the legacy side changed only through dnsmig since reconcile last saw it.
 *
 * <p>Start at the serial last seen (the one the backfill imported, until a reconcile finds the
 * zone equal on both sides). Each write dnsmig applied to the zone since then moved the serial
 * from its {@code serialBefore} to its {@code serialAfter} (LegacyDns pins the serial with a
 * prerequisite, so these are exact). If those writes chain from the seen serial to the serial the
 * legacy server has now, nobody else touched the zone; if the chain breaks, or ends elsewhere,
 * someone edited it out of band: drift.
 */
final class DriftCheck {

    private DriftCheck() {}

    /**
     * @param seen     the serial last seen
     * @param strict   false when {@code seen} comes from the backfill rather than a reconcile: journal
     *                 entries from before the backfill are skipped until one starts at {@code seen}
     * @param writes   dnsmig's journal entries for the zone since then, in order
     * @param legacyNow the serial the legacy server has now
     */
    static boolean accountedFor(long seen, boolean strict, List<ReconcileStore.LegacyWriteEntry> writes, long legacyNow) {
        long at = seen;
        boolean started = strict;
        for (ReconcileStore.LegacyWriteEntry w : writes) {
            if (!"applied".equals(w.outcome())) {
                continue;
            }
            if (!started && w.serialBefore() != at) {
                continue;
            }
            started = true;
            if (w.serialBefore() != at) {
                return false; // the zone had moved before this write of ours: someone else moved it
            }
            at = w.serialAfter();
        }
        return at == legacyNow;
    }
}
