package dnsmig.store;

import static dnsmig.store.jooq.Tables.OWNER;
import static dnsmig.store.jooq.Tables.VERIFY_FINDING;
import static dnsmig.store.jooq.Tables.ZONE;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The verifier's tables (V5), for the verifier module: consistency windows, confirmed findings, coverage. Windows and
 * coverage are added to (several verifiers may share a window); a finding is one row per
 * (nameserver, qname, qtype, category), counted each time it is confirmed again.
 */
public final class VerifyStore {

    private final DSLContext dsl;

    public VerifyStore(DSLContext dsl) {
        this.dsl = dsl;
    }

    public DSLContext dsl() {
        return dsl;
    }

    /** A zone and its owner (owner id, handle, email). */
    public record ZoneRef(String name, long id, long ownerId, String owner, String email) {}

    /** Every zone with its owner. */
    public List<ZoneRef> zones() {
        return dsl.select(ZONE.NAME, ZONE.ID, ZONE.OWNER_ID, OWNER.HANDLE, OWNER.EMAIL)
                .from(ZONE).join(OWNER).on(OWNER.ID.eq(ZONE.OWNER_ID))
                .fetch(r -> new ZoneRef(r.value1(), r.value2(), r.value3(), r.value4(), r.value5()));
    }

    /** Counters of one window for one nameserver and zone (zone null: all zones). */
    public record WindowRow(String nameserver, String zone, Instant start, Instant end, long compared, long matched, long confirmed, long transientCount,
            long versionSkew, long noise, long timeouts) {}

    /** Adds the rows' counters to their windows (created when new). */
    public void addWindows(List<WindowRow> rows) {
        if (rows.isEmpty()) {
            return;
        }
        dsl.batch(rows.stream().map(r -> dsl.query("""
                insert into verify_window (nameserver, zone_name, window_start, window_end, compared, matched, confirmed, transient, version_skew, noise, timeouts)
                values (?, ?, ?::timestamptz, ?::timestamptz, ?, ?, ?, ?, ?, ?, ?)
                on conflict (nameserver, coalesce(zone_name, ''), window_start) do update set
                  compared = verify_window.compared + excluded.compared, matched = verify_window.matched + excluded.matched,
                  confirmed = verify_window.confirmed + excluded.confirmed, transient = verify_window.transient + excluded.transient,
                  version_skew = verify_window.version_skew + excluded.version_skew, noise = verify_window.noise + excluded.noise,
                  timeouts = verify_window.timeouts + excluded.timeouts, window_end = greatest(verify_window.window_end, excluded.window_end)""",
                r.nameserver(), r.zone(), odt(r.start()), odt(r.end()), r.compared(), r.matched(), r.confirmed(), r.transientCount(), r.versionSkew(),
                r.noise(), r.timeouts())).toList()).execute();
    }

    /** One (zone, name, type) exercised {@code live} times by traffic and {@code probes} times by probes. */
    public record CoverageRow(String zone, String qname, String qtype, long live, long probes) {}

    public void addCoverage(List<CoverageRow> rows) {
        if (rows.isEmpty()) {
            return;
        }
        dsl.execute("""
                insert into verify_coverage (zone_name, qname, qtype, live_count, probe_count, last_seen)
                select z, n, t, l, p, now() from unnest(?::varchar[], ?::varchar[], ?::varchar[], ?::bigint[], ?::bigint[]) as u(z, n, t, l, p)
                on conflict (zone_name, qname, qtype) do update set live_count = verify_coverage.live_count + excluded.live_count,
                  probe_count = verify_coverage.probe_count + excluded.probe_count, last_seen = now()""",
                rows.stream().map(CoverageRow::zone).toArray(String[]::new), rows.stream().map(CoverageRow::qname).toArray(String[]::new),
                rows.stream().map(CoverageRow::qtype).toArray(String[]::new), rows.stream().map(CoverageRow::live).toArray(Long[]::new),
                rows.stream().map(CoverageRow::probes).toArray(Long[]::new));
    }

    /** A confirmed inconsistency. */
    /** @param hashBasis what identifies this finding's content for mailing (a change of it is mailed again) */
    public record FindingRow(String nameserver, String zone, Long ownerId, String category, String qname, String qtype, String detail, String hashBasis,
            String oldAnswer, String newAnswer, Instant at) {}

    /** Records a confirmed finding: new, or seen again (count, last_seen, current detail; open again if it was fixed). */
    public void recordFinding(FindingRow f) {
        String hash = digest(f.category() + "\n" + f.hashBasis() + "\nopen");
        dsl.insertInto(VERIFY_FINDING)
                .set(VERIFY_FINDING.NAMESERVER, f.nameserver()).set(VERIFY_FINDING.ZONE_NAME, f.zone()).set(VERIFY_FINDING.OWNER_ID, f.ownerId())
                .set(VERIFY_FINDING.CATEGORY, f.category()).set(VERIFY_FINDING.QNAME, f.qname()).set(VERIFY_FINDING.QTYPE, f.qtype())
                .set(VERIFY_FINDING.DETAIL, f.detail()).set(VERIFY_FINDING.OLD_ANSWER, f.oldAnswer()).set(VERIFY_FINDING.NEW_ANSWER, f.newAnswer())
                .set(VERIFY_FINDING.FIRST_SEEN, odt(f.at())).set(VERIFY_FINDING.LAST_SEEN, odt(f.at())).set(VERIFY_FINDING.COUNT, 1L)
                .set(VERIFY_FINDING.STATE, "open").set(VERIFY_FINDING.DETAIL_HASH, hash)
                .onConflict(VERIFY_FINDING.NAMESERVER, VERIFY_FINDING.QNAME, VERIFY_FINDING.QTYPE, VERIFY_FINDING.CATEGORY)
                .doUpdate()
                .set(VERIFY_FINDING.COUNT, VERIFY_FINDING.COUNT.plus(1))
                .set(VERIFY_FINDING.LAST_SEEN, DSL.greatest(VERIFY_FINDING.LAST_SEEN, DSL.val(odt(f.at()))))
                .set(VERIFY_FINDING.DETAIL, f.detail()).set(VERIFY_FINDING.OLD_ANSWER, f.oldAnswer()).set(VERIFY_FINDING.NEW_ANSWER, f.newAnswer())
                .set(VERIFY_FINDING.ZONE_NAME, f.zone()).set(VERIFY_FINDING.OWNER_ID, f.ownerId())
                .set(VERIFY_FINDING.STATE, "open").set(VERIFY_FINDING.DETAIL_HASH, hash)
                .execute();
    }

    /** Keys ("nameserver|qname|qtype") of open findings, so a later match can mark them fixed without a query per match. */
    public Set<String> openFindingKeys() {
        return new HashSet<>(dsl.select(VERIFY_FINDING.NAMESERVER, VERIFY_FINDING.QNAME, VERIFY_FINDING.QTYPE).from(VERIFY_FINDING)
                .where(VERIFY_FINDING.STATE.eq("open")).fetch(r -> key(r.value1(), r.value2(), r.value3())));
    }

    public static String key(String nameserver, String qname, String qtype) {
        return nameserver + "|" + qname + "|" + qtype;
    }

    /** Both sides now agree on (nameserver, qname, qtype): its open findings become fixed (and will be mailed as such). */
    public int markFixed(String nameserver, String qname, String qtype) {
        return dsl.update(VERIFY_FINDING).set(VERIFY_FINDING.STATE, "fixed")
                .set(VERIFY_FINDING.DETAIL_HASH, DSL.md5(VERIFY_FINDING.CATEGORY.concat("\n").concat(VERIFY_FINDING.DETAIL).concat("\nfixed")))
                .where(VERIFY_FINDING.NAMESERVER.eq(nameserver), VERIFY_FINDING.QNAME.eq(qname), VERIFY_FINDING.QTYPE.eq(qtype),
                        VERIFY_FINDING.STATE.eq("open"))
                .execute();
    }

    static OffsetDateTime odt(Instant i) {
        return i == null ? null : i.atOffset(ZoneOffset.UTC);
    }

    static String digest(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
