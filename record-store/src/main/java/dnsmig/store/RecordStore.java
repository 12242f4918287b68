package dnsmig.store;

import static dnsmig.store.jooq.Tables.CHANGE_LOG;
import static dnsmig.store.jooq.Tables.OWNER;
import static dnsmig.store.jooq.Tables.REJECT;
import static dnsmig.store.jooq.Tables.RR;
import static dnsmig.store.jooq.Tables.ZONE;

import dnsmig.store.jooq.tables.records.ZoneRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The record store: owners, zones and their records in PostgreSQL.
 *
 * <p>Every change to a zone runs in one transaction that first takes the zone's {@link
 * ZoneLock}, and appends to the change log that name servers follow. Methods that change data
 * open their own transaction, which nests (as a savepoint) in a caller's transaction if there
 * is one.
 */
public final class RecordStore {

    /** Above this share of an existing zone changing, rewriting it whole is cheaper than a diff. */
    private static final double REWRITE_SHARE = 0.5;

    private final DSLContext dsl;

    public RecordStore(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** Creates missing owners and updates changed e-mail addresses; returns every owner's id. */
    public Map<String, Long> upsertOwners(Collection<Rows.Owner> owners) {
        return dsl.transactionResult(cfg -> {
            DSLContext tx = cfg.dsl();
            Map<String, Long> ids = new HashMap<>();
            for (Rows.Owner o : owners) {
                Long id = tx.insertInto(OWNER, OWNER.HANDLE, OWNER.EMAIL).values(o.handle(), o.email())
                        .onConflict(OWNER.HANDLE).doUpdate().set(OWNER.EMAIL, DSL.excluded(OWNER.EMAIL))
                        .returning(OWNER.ID).fetchOne(OWNER.ID);
                ids.put(o.handle(), id);
            }
            return ids;
        });
    }

    /** Every owner's id by handle. */
    public Map<String, Long> ownerIds() {
        return dsl.select(OWNER.HANDLE, OWNER.ID).from(OWNER).fetchMap(OWNER.HANDLE, OWNER.ID);
    }

    /**
     * Imports one zone: creates it, replaces what changed, or leaves it alone when its digest
     * equals the last import's. Atomic: a failure leaves the zone as it was.
     *
     * @param origin who changes the zone, written to the change log ("backfill", "api", ...)
     */
    public ImportOutcome importZone(ZoneImport zi, ImportPolicy policy, String origin) {
        String digest = zi.digest();
        return dsl.transactionResult(cfg -> {
            DSLContext tx = cfg.dsl();
            ZoneLock.lock(tx, zi.zone());
            ZoneRecord existing = tx.selectFrom(ZONE).where(ZONE.NAME.eq(zi.zone())).fetchOne();
            if (existing != null && digest.equals(existing.getContentHash())) {
                return new ImportOutcome.Unchanged(zi.zone());
            }
            if (existing == null) {
                if (policy.dryRun()) {
                    return new ImportOutcome.Created(zi.zone(), zi.records().size(), zi.findings().size(), false);
                }
                long zoneId = tx.insertInto(ZONE)
                        .set(ZONE.NAME, zi.zone()).set(ZONE.OWNER_ID, zi.ownerId()).set(ZONE.SERIAL, zi.serial())
                        .set(ZONE.SERVABLE, zi.servable()).set(ZONE.RECORD_COUNT, zi.records().size())
                        .set(ZONE.CONTENT_HASH, digest).set(ZONE.SOURCE, zi.source())
                        .returning(ZONE.ID).fetchOne(ZONE.ID);
                Copy.records(tx, zoneId, zi.records());
                syncFindings(tx, zoneId, origin, zi.findings());
                logChange(tx, zoneId, zi.zone(), zi.serial(), origin);
                return new ImportOutcome.Created(zi.zone(), zi.records().size(), zi.findings().size(), true);
            }

            long zoneId = existing.getId();
            List<Rows.Rr> current = rows(tx, zoneId);
            Set<Rows.Rr> before = new HashSet<>(current);
            Set<Rows.Rr> after = new HashSet<>(zi.records());
            List<Rows.Rr> removed = current.stream().filter(r -> !after.contains(r)).toList();
            List<Rows.Rr> added = zi.records().stream().filter(r -> !before.contains(r)).toList();
            if (policy.blocks(before.size(), removed.size())) {
                return new ImportOutcome.Blocked(zi.zone(), before.size(), added.size(), removed.size());
            }
            if (policy.dryRun()) {
                return new ImportOutcome.Updated(zi.zone(), added.size(), removed.size(), zi.findings().size(), false);
            }
            if (removed.size() > REWRITE_SHARE * before.size()) {
                tx.deleteFrom(RR).where(RR.ZONE_ID.eq(zoneId)).execute();
                Copy.records(tx, zoneId, zi.records());
            } else {
                deleteRows(tx, zoneId, removed);
                Copy.records(tx, zoneId, added);
            }
            boolean servingChanged = !removed.isEmpty() || !added.isEmpty() || existing.getSerial() != zi.serial()
                    || existing.getServable() != zi.servable();
            tx.update(ZONE)
                    .set(ZONE.OWNER_ID, zi.ownerId()).set(ZONE.SERIAL, zi.serial()).set(ZONE.SERVABLE, zi.servable())
                    .set(ZONE.RECORD_COUNT, zi.records().size()).set(ZONE.CONTENT_HASH, digest).set(ZONE.SOURCE, zi.source())
                    .set(ZONE.UPDATED_AT, DSL.currentOffsetDateTime())
                    .where(ZONE.ID.eq(zoneId)).execute();
            syncFindings(tx, zoneId, origin, zi.findings());
            if (servingChanged) {
                logChange(tx, zoneId, zi.zone(), zi.serial(), origin);
            }
            return new ImportOutcome.Updated(zi.zone(), added.size(), removed.size(), zi.findings().size(), true);
        });
    }

    /** The zone's records in {@link Rows.Rr#ORDER}. Empty when the zone does not exist. */
    public List<Rows.Rr> records(String zone) {
        return zone(zone).map(z -> rows(dsl, z.id())).orElse(List.of());
    }

    public Optional<ZoneInfo> zone(String name) {
        return dsl.select(ZONE.ID, ZONE.NAME, OWNER.HANDLE, ZONE.SERIAL, ZONE.SERVABLE, ZONE.RECORD_COUNT, ZONE.SOURCE, ZONE.UPDATED_AT)
                .from(ZONE).join(OWNER).on(OWNER.ID.eq(ZONE.OWNER_ID))
                .where(ZONE.NAME.eq(Names.absoluteLower(name)))
                .fetchOptional(r -> new ZoneInfo(r.value1(), r.value2(), r.value3(), r.value4(), r.value5(), r.value6(), r.value7(), r.value8()));
    }

    /** Every zone, by name. */
    public List<ZoneInfo> zones() {
        return dsl.select(ZONE.ID, ZONE.NAME, OWNER.HANDLE, ZONE.SERIAL, ZONE.SERVABLE, ZONE.RECORD_COUNT, ZONE.SOURCE, ZONE.UPDATED_AT)
                .from(ZONE).join(OWNER).on(OWNER.ID.eq(ZONE.OWNER_ID))
                .orderBy(ZONE.NAME)
                .fetch(r -> new ZoneInfo(r.value1(), r.value2(), r.value3(), r.value4(), r.value5(), r.value6(), r.value7(), r.value8()));
    }

    /** Rejects and flagged warnings, newest state, in zone/file/line order. */
    public List<RejectView> rejects(RejectFilter filter) {
        Condition where = DSL.trueCondition();
        if (filter.zone() != null) {
            where = where.and(ZONE.NAME.eq(Names.absoluteLower(filter.zone())));
        }
        if (filter.owner() != null) {
            where = where.and(OWNER.HANDLE.eq(filter.owner()));
        }
        if (filter.severity() != null) {
            where = where.and(REJECT.SEVERITY.eq(filter.severity().dbValue()));
        }
        if (!filter.includeFixed()) {
            where = where.and(REJECT.STATE.ne("fixed"));
        }
        return dsl.select(ZONE.NAME, OWNER.HANDLE, REJECT.FILE, REJECT.LINE, REJECT.SEVERITY, REJECT.CODE, REJECT.MESSAGE, REJECT.RAW_TEXT,
                        REJECT.STATE, REJECT.FIRST_SEEN, REJECT.LAST_SEEN)
                .from(REJECT).join(ZONE).on(ZONE.ID.eq(REJECT.ZONE_ID)).join(OWNER).on(OWNER.ID.eq(ZONE.OWNER_ID))
                .where(where)
                .orderBy(ZONE.NAME, REJECT.FILE, REJECT.LINE, REJECT.ID)
                .fetch(r -> new RejectView(r.value1(), r.value2(), r.value3(), r.value4(), Rows.Severity.fromDb(r.value5()), r.value6(), r.value7(),
                        r.value8(), r.value9(), r.value10(), r.value11()));
    }

    /** The highest change-log id committed so far (0 when empty). */
    public long lastChangeId() {
        Long max = dsl.select(DSL.max(CHANGE_LOG.ID)).from(CHANGE_LOG).fetchOne(0, Long.class);
        return max == null ? 0 : max;
    }

    private static List<Rows.Rr> rows(DSLContext ctx, long zoneId) {
        return ctx.select(RR.NAME, RR.TYPE, RR.TTL, RR.RDATA).from(RR).where(RR.ZONE_ID.eq(zoneId))
                .orderBy(RR.NAME, RR.TYPE, RR.RDATA)
                .fetch(r -> new Rows.Rr(r.value1(), r.value2(), r.value3(), r.value4()));
    }

    private static void deleteRows(DSLContext tx, long zoneId, List<Rows.Rr> rows) {
        if (rows.isEmpty()) {
            return;
        }
        var batch = tx.batch(tx.deleteFrom(RR).where(RR.ZONE_ID.eq((Long) null)).and(RR.NAME.eq((String) null))
                .and(RR.TYPE.eq((String) null)).and(RR.TTL.eq((Integer) null)).and(RR.RDATA.eq((String) null)));
        for (Rows.Rr r : rows) {
            batch.bind(zoneId, r.name(), r.type(), r.ttl(), r.rdata());
        }
        batch.execute();
    }

    private static void logChange(DSLContext tx, long zoneId, String zone, long serial, String origin) {
        tx.insertInto(CHANGE_LOG)
                .set(CHANGE_LOG.ZONE_ID, zoneId).set(CHANGE_LOG.ZONE_NAME, zone).set(CHANGE_LOG.SERIAL, serial)
                .set(CHANGE_LOG.KIND, "zone").set(CHANGE_LOG.ORIGIN, origin)
                .execute();
    }

    /**
     * Makes the zone's findings from {@code source} those given: new ones open, persisting
     * ones keep their triage state (a fixed one that comes back reopens), vanished ones are
     * marked fixed.
     */
    private static void syncFindings(DSLContext tx, long zoneId, String source, List<Rows.Finding> findings) {
        Map<String, Rows.Finding> byFingerprint = new LinkedHashMap<>();
        Map<String, Integer> occurrences = new HashMap<>();
        for (Rows.Finding f : findings) {
            String identity = f.code() + "\u0000" + f.rawText();
            int n = occurrences.merge(identity, 1, Integer::sum);
            byFingerprint.put(fingerprint(identity + "\u0000" + n), f);
        }
        if (!byFingerprint.isEmpty()) {
            var insert = tx.insertInto(REJECT, REJECT.ZONE_ID, REJECT.SOURCE, REJECT.FINGERPRINT, REJECT.FILE, REJECT.LINE, REJECT.RAW_TEXT,
                    REJECT.CODE, REJECT.SEVERITY, REJECT.MESSAGE);
            for (var e : byFingerprint.entrySet()) {
                Rows.Finding f = e.getValue();
                insert = insert.values(zoneId, source, e.getKey(), f.file(), f.line(), f.rawText(), f.code(), f.severity().dbValue(), f.message());
            }
            insert.onConflict(REJECT.ZONE_ID, REJECT.SOURCE, REJECT.FINGERPRINT).doUpdate()
                    .set(REJECT.FILE, DSL.excluded(REJECT.FILE)).set(REJECT.LINE, DSL.excluded(REJECT.LINE))
                    .set(REJECT.SEVERITY, DSL.excluded(REJECT.SEVERITY)).set(REJECT.MESSAGE, DSL.excluded(REJECT.MESSAGE))
                    .set(REJECT.LAST_SEEN, DSL.currentOffsetDateTime())
                    .set(REJECT.STATE, DSL.when(REJECT.STATE.eq("fixed"), DSL.inline("open")).otherwise(REJECT.STATE))
                    .set(REJECT.RESOLVED_AT, DSL.when(REJECT.STATE.eq("fixed"), DSL.inline((OffsetDateTime) null)).otherwise(REJECT.RESOLVED_AT))
                    .execute();
        }
        tx.update(REJECT).set(REJECT.STATE, "fixed").set(REJECT.RESOLVED_AT, DSL.currentOffsetDateTime())
                .where(REJECT.ZONE_ID.eq(zoneId)).and(REJECT.SOURCE.eq(source)).and(REJECT.STATE.ne("fixed"))
                .and(byFingerprint.isEmpty() ? DSL.trueCondition() : REJECT.FINGERPRINT.notIn(byFingerprint.keySet()))
                .execute();
    }

    private static String fingerprint(String identity) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8)), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A zone as the store holds it. */
    public record ZoneInfo(long id, String name, String owner, long serial, boolean servable, int recordCount, String source,
            OffsetDateTime updatedAt) {}

    /** Which rejects to list; null fields match everything. */
    public record RejectFilter(String zone, String owner, Rows.Severity severity, boolean includeFixed) {
        public static final RejectFilter ALL_OPEN = new RejectFilter(null, null, null, false);
    }

    /** One reject or flagged warning with its zone, owner and triage state. */
    public record RejectView(String zone, String owner, String file, int line, Rows.Severity severity, String code, String message,
            String rawText, String state, OffsetDateTime firstSeen, OffsetDateTime lastSeen) {}
}
