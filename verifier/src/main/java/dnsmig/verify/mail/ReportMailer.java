package dnsmig.verify.mail;

import dnsmig.verify.report.Render;
import dnsmig.verify.report.Report;
import dnsmig.verify.report.ReportData;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mails owners their reports, each finding once until it changes. Every mail goes into the
 * outbox ({@code verify_mail}) before it is sent; a mail that fails stays there with its error
 * and is sent again first by the next run (until it goes, nothing new is mailed to that
 * owner, so nothing is mailed twice). An owner is mailed when a finding of theirs is new, changed
 * or fixed since it was last mailed, or when their open backfill rejects and dual-write
 * divergences differ from what their last mail listed; the mail holds their whole report. The
 * operator summary is mailed when any owner was, or findings in no known zone changed.
 */
public final class ReportMailer {

    /** Sends one mail; throws when it was not accepted. */
    @FunctionalInterface
    public interface Sender {
        void send(String to, String subject, String text, String html) throws Exception;
    }

    /** What a run did. */
    public record Result(int sent, int failed, int retried, int ownersUpToDate) {
        public String text() {
            return sent + " mails sent (" + retried + " of them retried from the outbox), " + failed + " failed (kept in the outbox; run again), "
                    + ownersUpToDate + " owners already up to date";
        }
    }

    private static final Logger log = LoggerFactory.getLogger(ReportMailer.class);

    private final DSLContext dsl;
    private final ReportData data;
    private final Sender sender;
    private final Clock clock;

    public ReportMailer(DSLContext dsl, Sender sender, Clock clock) {
        this.dsl = dsl;
        this.data = new ReportData(dsl);
        this.sender = sender;
        this.clock = clock;
    }

    /**
     * @param owner only this owner (null: every owner)
     * @param operatorEmail where the operator summary goes (null: no summary)
     */
    public Result run(String owner, String operatorEmail) {
        int sent = 0;
        int failed = 0;
        int retried = 0;
        int upToDate = 0;
        Set<Long> blocked = new HashSet<>();
        boolean operatorBlocked = false;
        for (Record m : dsl.fetch("select id, owner_id from verify_mail where status in ('pending', 'failed') order by id")) {
            Long ownerId = m.get("owner_id", Long.class);
            if (owner != null && (ownerId == null || !owner.equals(dsl.fetchOne("select handle from owner where id = ?", ownerId).get(0, String.class)))) {
                continue;
            }
            if (deliver(m.get("id", Long.class))) {
                sent++;
                retried++;
            } else {
                failed++;
                if (ownerId == null) {
                    operatorBlocked = true;
                } else {
                    blocked.add(ownerId);
                }
            }
        }
        boolean anyOwnerMailed = false;
        for (Report.Owner o : data.owners(owner)) {
            if (blocked.contains(o.ownerId())) {
                continue;
            }
            List<Report.Finding> changed = o.changedFindings();
            String items = itemsDigest(o);
            String lastItems = lastItemsDigest(o.ownerId());
            boolean itemsChanged = !(o.rejects().isEmpty() && o.divergences().isEmpty()) && !items.equals(lastItems);
            if (changed.isEmpty() && !itemsChanged) {
                upToDate++;
                continue;
            }
            long open = o.findings().stream().filter(f -> f.state().equals("open")).count();
            String subject = "DNS migration: " + open + " open inconsistencies, " + o.rejects().size() + " rejected records, " + o.divergences().size()
                    + " divergences in your zones";
            long id = enqueue(o.ownerId(), o.email(), subject, Render.ownerText(o), Render.ownerHtml(o), changed, items);
            if (deliver(id)) {
                sent++;
                anyOwnerMailed = true;
            } else {
                failed++;
            }
        }
        if (operatorEmail != null && owner == null && !operatorBlocked) {
            List<Report.Finding> unattributed = unattributedChanged();
            if (anyOwnerMailed || !unattributed.isEmpty()) {
                Report.Summary s = data.summary(clock.instant().minus(Duration.ofDays(1)), clock.instant());
                StringBuilder text = new StringBuilder(Render.summaryText(s));
                for (Report.Finding f : unattributed) {
                    text.append("  ").append(f.qname()).append(' ').append(f.qtype()).append(' ').append(f.category()).append(" on ").append(f.nameserver())
                            .append(": ").append(f.detail()).append('\n');
                }
                String html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Verifier summary</title></head><body><pre>"
                        + text.toString().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</pre></body></html>\n";
                long id = enqueue(null, operatorEmail, "DNS migration verifier summary", text.toString(), html, unattributed, "");
                if (deliver(id)) {
                    sent++;
                } else {
                    failed++;
                }
            }
        }
        return new Result(sent, failed, retried, upToDate);
    }

    private long enqueue(Long ownerId, String to, String subject, String text, String html, List<Report.Finding> findings, String itemsDigest) {
        List<String> ids = new ArrayList<>();
        List<String> hashes = new ArrayList<>();
        for (Report.Finding f : findings) {
            ids.add(Long.toString(f.id()));
            hashes.add(f.detailHash());
        }
        if (!itemsDigest.isEmpty()) {
            hashes.add("items:" + itemsDigest);
        }
        return dsl.fetchOne("""
                insert into verify_mail (owner_id, recipient, subject, text_body, html_body, finding_ids, finding_hashes)
                values (?, ?, ?, ?, ?, ?, ?) returning id""", ownerId, to, subject, text, html, String.join(",", ids), String.join(",", hashes))
                .get(0, Long.class);
    }

    /** Sends one outbox mail; on success marks it sent and its findings notified, on failure keeps the error. */
    private boolean deliver(long id) {
        Record m = dsl.fetchOne("select recipient, subject, text_body, html_body, finding_ids, finding_hashes from verify_mail where id = ?", id);
        try {
            sender.send(m.get("recipient", String.class), m.get("subject", String.class), m.get("text_body", String.class), m.get("html_body", String.class));
        } catch (Exception e) {
            String error = e.getMessage() == null ? e.toString() : e.getMessage();
            log.warn("mail {} to {} failed: {}; it stays in the outbox and the next 'dnsmig report --email' sends it again", id, m.get("recipient"), error);
            dsl.execute("update verify_mail set status = 'failed', attempts = attempts + 1, last_error = ? where id = ?", error, id);
            return false;
        }
        dsl.transaction(tx -> {
            DSLContext t = tx.dsl();
            t.execute("update verify_mail set status = 'sent', attempts = attempts + 1, sent_at = now(), last_error = null where id = ?", id);
            String ids = m.get("finding_ids", String.class);
            String[] hashes = m.get("finding_hashes", String.class).split(",");
            if (!ids.isEmpty()) {
                String[] idList = ids.split(",");
                for (int i = 0; i < idList.length; i++) {
                    // Only when the finding is still as mailed: a change since is mailed next time.
                    t.execute("update verify_finding set notified_hash = detail_hash, notified_at = now() where id = ? and detail_hash = ?",
                            Long.parseLong(idList[i]), hashes[i]);
                }
            }
        });
        return true;
    }

    private String lastItemsDigest(long ownerId) {
        Record r = dsl.fetchOne("select finding_hashes from verify_mail where owner_id = ? and status = 'sent' and finding_hashes like '%items:%'"
                + " order by id desc limit 1", ownerId);
        if (r == null) {
            return "";
        }
        String h = r.get(0, String.class);
        return h.substring(h.indexOf("items:") + 6).split(",")[0];
    }

    private List<Report.Finding> unattributedChanged() {
        return dsl.fetch("""
                select id, nameserver, zone_name, category, qname, qtype, detail, old_answer, new_answer, first_seen, last_seen, count, state, detail_hash
                  from verify_finding where owner_id is null and notified_hash is distinct from detail_hash order by qname, qtype, category""")
                .map(r -> new Report.Finding(r.get("id", Long.class), r.get("nameserver", String.class), r.get("zone_name", String.class),
                        r.get("category", String.class), r.get("qname", String.class), r.get("qtype", String.class), r.get("detail", String.class),
                        r.get("old_answer", String.class), r.get("new_answer", String.class), r.get("first_seen", java.time.OffsetDateTime.class),
                        r.get("last_seen", java.time.OffsetDateTime.class), r.get("count", Long.class), r.get("state", String.class),
                        r.get("detail_hash", String.class), true));
    }

    /** Digest of an owner's open rejects and divergences (what their last mail listed, compared by this). */
    static String itemsDigest(Report.Owner o) {
        StringBuilder sb = new StringBuilder();
        o.rejects().forEach(r -> sb.append("r|").append(r.zone()).append('|').append(r.file()).append('|').append(r.line()).append('|').append(r.code())
                .append('|').append(r.rawText()).append('\n'));
        o.divergences().forEach(d -> sb.append("d|").append(d.id()).append('|').append(d.state()).append('\n'));
        if (sb.isEmpty()) {
            return "";
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8))).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
