package dnsmig.verify.report;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Record;

/**
 * Reads reports from the store: an owner's findings (open, and fixed ones not yet mailed as
 * fixed), their backfill rejects (open or triaged) and their dual-write divergences (V4
 * {@code divergence}, not mirrors of rejects, not fixed or accepted; none when that table does
 * not exist), and the operator summary from the consistency windows.
 */
public final class ReportData {

    private final DSLContext dsl;

    public ReportData(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** Every owner with something to report, or only {@code handle}'s (which fails naming it when there is no such owner). */
    public List<Report.Owner> owners(String handle) {
        var rows = handle == null ? dsl.fetch("select id, handle, email from owner order by handle")
                : dsl.fetch("select id, handle, email from owner where handle = ?", handle);
        if (handle != null && rows.isEmpty()) {
            throw new IllegalArgumentException("no owner '" + handle + "' in the record store (dnsmig backfill --owners loads them)");
        }
        List<Report.Owner> out = new ArrayList<>();
        for (Record r : rows) {
            Report.Owner o = owner(r.get("id", Long.class), r.get("handle", String.class), r.get("email", String.class));
            if (handle != null || !o.empty()) {
                out.add(o);
            }
        }
        return out;
    }

    private Report.Owner owner(long id, String handle, String email) {
        List<Report.Finding> findings = dsl.fetch("""
                select id, nameserver, zone_name, category, qname, qtype, detail, old_answer, new_answer, first_seen, last_seen, count, state, detail_hash,
                       notified_hash
                  from verify_finding
                 where owner_id = ? and (state = 'open' or notified_hash is distinct from detail_hash)
                 order by zone_name, qname, qtype, category, nameserver""", id).map(ReportData::finding);
        List<Report.Reject> rejects = dsl.fetch("""
                select z.name, r.file, r.line, r.severity, r.code, r.message, r.raw_text, r.state
                  from reject r join zone z on z.id = r.zone_id
                 where z.owner_id = ? and r.state in ('open', 'triaged')
                 order by z.name, r.file, r.line""", id)
                .map(r -> new Report.Reject(r.get(0, String.class), r.get(1, String.class), r.get(2, Integer.class), r.get(3, String.class),
                        r.get(4, String.class), r.get(5, String.class), r.get(6, String.class), r.get(7, String.class)));
        return new Report.Owner(id, handle, email, findings, rejects, divergences(id));
    }

    private List<Report.Divergence> divergences(long ownerId) {
        if (dsl.fetchValue("select to_regclass('divergence')") == null) {
            return List.of();
        }
        return dsl.fetch("""
                select id, zone_name, source, reason, detail, state, created_at from divergence
                 where owner_id = ? and source <> 'backfill-reject' and state in ('open', 'triaged')
                 order by zone_name, created_at, id""", ownerId)
                .map(r -> new Report.Divergence(r.get(0, Long.class), r.get(1, String.class), r.get(2, String.class), r.get(3, String.class),
                        r.get(4, String.class), r.get(5, String.class), r.get(6, java.time.OffsetDateTime.class)));
    }

    private static Report.Finding finding(Record r) {
        String hash = r.get("detail_hash", String.class);
        return new Report.Finding(r.get("id", Long.class), r.get("nameserver", String.class), r.get("zone_name", String.class), r.get("category", String.class),
                r.get("qname", String.class), r.get("qtype", String.class), r.get("detail", String.class), r.get("old_answer", String.class),
                r.get("new_answer", String.class), r.get("first_seen", java.time.OffsetDateTime.class), r.get("last_seen", java.time.OffsetDateTime.class),
                r.get("count", Long.class), r.get("state", String.class), hash, !hash.equals(r.get("notified_hash", String.class)));
    }

    /** The operator summary over windows ending after {@code since}. */
    public Report.Summary summary(Instant since, Instant until) {
        List<Report.Nameserver> ns = dsl.fetch("""
                select nameserver, sum(compared), sum(matched), sum(confirmed), sum(transient), sum(version_skew), sum(noise), sum(timeouts)
                  from verify_window where zone_name is null and window_end > ?::timestamptz and window_start < ?::timestamptz
                 group by nameserver order by nameserver""", since.atOffset(ZoneOffset.UTC), until.atOffset(ZoneOffset.UTC))
                .map(r -> new Report.Nameserver(r.get(0, String.class), r.get(1, Long.class), r.get(2, Long.class), r.get(3, Long.class), r.get(4, Long.class),
                        r.get(5, Long.class), r.get(6, Long.class), r.get(7, Long.class)));
        boolean divergence = dsl.fetchValue("select to_regclass('divergence')") != null;
        List<Report.OwnerCount> owners = dsl.fetch("""
                select o.handle,
                       (select count(*) from verify_finding f where f.owner_id = o.id and f.state = 'open'),
                       (select count(*) from reject r join zone z on z.id = r.zone_id where z.owner_id = o.id and r.state in ('open', 'triaged'))
                  from owner o order by o.handle""")
                .map(r -> new Report.OwnerCount(r.get(0, String.class), r.get(1, Long.class), r.get(2, Long.class), divergence ? divergenceCount(r.get(0, String.class)) : 0))
                .stream().filter(o -> o.openFindings() + o.rejects() + o.divergences() > 0).toList();
        long unattributed = count("select count(*) from verify_finding where owner_id is null and state = 'open'");
        return new Report.Summary(since, until, ns, owners, unattributed);
    }

    private long divergenceCount(String handle) {
        return count("""
                select count(*) from divergence d join owner o on o.id = d.owner_id
                 where o.handle = ? and d.source <> 'backfill-reject' and d.state in ('open', 'triaged')""", handle);
    }

    private long count(String sql, Object... args) {
        return dsl.fetchOne(sql, args).get(0, Long.class);
    }
}
