package dnsmig.orchestrator.backfill;

import java.util.List;
import org.springframework.batch.core.BatchStatus;

/**
 * What a backfill did, for the summary and the exit code: {@code totals} over every execution of
 * the job (a resumed run reports what the interrupted one did too), {@code thisRun} for this
 * process's time and rate.
 *
 * @param cause why the job failed, if it did: the failing partition's own cause
 * @param resumed whether this run resumed an interrupted one
 */
public record BackfillReport(BatchStatus status, String cause, BackfillTotals totals, BackfillProgress.Snapshot thisRun, List<String> notes,
        boolean dryRun, boolean resumed, long executionId, long run) {

    /** The job itself finished (rejected records are findings, not failures). */
    public boolean completed() {
        return status == BatchStatus.COMPLETED;
    }

    /** Zones that could not be imported at all, in any execution of the job. */
    public long failedZones() {
        return totals.failed();
    }

    /** Zones the safety gate held back, in any execution of the job. */
    public long heldZones() {
        return totals.held();
    }
}
