package dnsmig.orchestrator.backfill;

import java.nio.file.Path;

/**
 * One backfill as the operator asked for it. Exactly one of {@code namedConf} and ({@code
 * zonesDir}, {@code zoneList}) is set.
 *
 * @param view with named.conf: import only the zones of this view (null: all, which must not
 *     repeat a zone)
 * @param threads zones converted and written in parallel
 * @param maxChangeShare the safety gate: share of an existing zone a re-run may delete or change
 * @param gateMinRecords zones smaller than this are never held by the gate
 * @param unassignedEmail where reports of zones missing from the owners file go
 */
public record BackfillRequest(Path namedConf, String view, Path zonesDir, Path zoneList, Path owners, boolean dryRun, boolean force,
        int threads, double maxChangeShare, int gateMinRecords, String unassignedEmail) {

    public BackfillRequest {
        if ((namedConf == null) == (zonesDir == null)) {
            throw new IllegalArgumentException("give either a named.conf or a zones directory with a zone list");
        }
        if (zonesDir != null && zoneList == null) {
            throw new IllegalArgumentException("a zones directory needs a zone list");
        }
        namedConf = namedConf == null ? null : namedConf.toAbsolutePath().normalize();
        zonesDir = zonesDir == null ? null : zonesDir.toAbsolutePath().normalize();
        zoneList = zoneList == null ? null : zoneList.toAbsolutePath().normalize();
        owners = owners.toAbsolutePath().normalize();
        threads = Math.max(1, threads);
    }

    /** Whether {@code other} reads the same files (flags aside). */
    boolean sameInputs(BackfillRequest other) {
        return other != null && source().equals(other.source()) && owners.equals(other.owners) && unassignedEmail.equals(other.unassignedEmail);
    }

    /** What the backfill reads, as one string: the identity of a job instance together with the flags. */
    String source() {
        return namedConf != null ? "named-conf:" + namedConf + (view == null ? "" : "#view=" + view) : "zones-dir:" + zonesDir + "|" + zoneList;
    }
}
