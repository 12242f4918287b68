package dnsmig.verify.report;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

/** What a report holds. Pure data: loaded by {@link ReportData}, rendered by {@link Render}. */
public final class Report {

    private Report() {}

    /** A confirmed inconsistency; {@code changed}: not yet mailed in this form. */
    public record Finding(long id, String nameserver, String zone, String category, String qname, String qtype, String detail, String oldAnswer,
            String newAnswer, OffsetDateTime firstSeen, OffsetDateTime lastSeen, long count, String state, String detailHash, boolean changed) {}

    /** A backfill reject of one of the owner's zones (still open or triaged). */
    public record Reject(String zone, String file, int line, String severity, String code, String message, String rawText, String state) {}

    /** A dual-write divergence of one of the owner's zones (not yet fixed or accepted). */
    public record Divergence(long id, String zone, String source, String reason, String detail, String state, OffsetDateTime createdAt) {}

    /** One owner's report: their zones only. */
    public record Owner(long ownerId, String owner, String email, List<Finding> findings, List<Reject> rejects, List<Divergence> divergences) {

        public boolean empty() {
            return findings.isEmpty() && rejects.isEmpty() && divergences.isEmpty();
        }

        public List<Finding> changedFindings() {
            return findings.stream().filter(Finding::changed).toList();
        }
    }

    /** Consistency of one nameserver over the summary's period. */
    public record Nameserver(String nameserver, long compared, long matched, long confirmed, long transientCount, long versionSkew, long noise,
            long timeouts) {

        /** matched / (matched + confirmed): the share of compared queries that were not inconsistencies; 1 with nothing compared. */
        public double consistency() {
            long judged = compared - transientCount - versionSkew - noise;
            return judged <= 0 ? 1.0 : Math.max(0, (double) (judged - confirmed) / judged);
        }
    }

    /** The operator summary: per nameserver, and open findings per owner. */
    public record Summary(Instant since, Instant until, List<Nameserver> nameservers, List<OwnerCount> owners, long unattributed) {}

    public record OwnerCount(String owner, long openFindings, long rejects, long divergences) {}
}
