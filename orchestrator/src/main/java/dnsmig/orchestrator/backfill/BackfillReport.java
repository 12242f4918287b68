package dnsmig.orchestrator.backfill;

import java.util.List;
import org.springframework.batch.core.BatchStatus;

/**
 * What a backfill run did, for the summary and the exit code.
 *
 * @param exitDescription why the job failed, if it did
 * @param resumed whether this run resumed an interrupted one
 */
public record BackfillReport(BatchStatus status, String exitDescription, BackfillProgress.Snapshot snapshot, List<String> notes,
        boolean dryRun, boolean resumed, long executionId, long run) {

    /** The job itself finished (rejected records are findings, not failures). */
    public boolean completed() {
        return status == BatchStatus.COMPLETED;
    }

    /** Zones that could not be imported at all (skipped after an error). */
    public int failedZones() {
        return snapshot.failed().size();
    }

    /** Zones the safety gate held back. */
    public int blockedZones() {
        return snapshot.blocked().size();
    }
}
