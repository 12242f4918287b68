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

    /** Every owner's e-mail address by handle. */
    public Map<String, String> ownerEmails() {
        return dsl.select(OWNER.HANDLE, OWNER.EMAIL).from(OWNER).fetchMap(OWNER.HANDLE, OWNER.EMAIL);
    }

    /**
     * The zones the store holds that are not in {@code names}: how many, and the first {@code
     * examples} of them by name. Streams the zone names (any number of zones in little memory).
     */
    public ZonesOutside zonesNotIn(Set<String> names, int examples) {
        // In a transaction: only there does PostgreSQL's driver fetch a result in parts.
        return dsl.transactionResult(cfg -> {
            List<String> some = new ArrayList<>();
            long count = 0;
            try (var cursor = cfg.dsl().select(ZONE.NAME).from(ZONE).orderBy(ZONE.NAME).fetchSize(10_000).fetchLazy()) {
                for (var r : cursor) {
                    if (!names.contains(r.value1())) {
                        count++;
                        if (some.size() < examples) {
                            some.add(r.value1());
                        }
                    }
                }
            }
            return new ZonesOutside(count, List.copyOf(some));
        });
    }

    /** Zones of the store outside some set: how many, and a few of their names. */
    public record ZonesOutside(long count, List<String> examples) {}

    /**
     * Imports one zone: creates it, replaces what changed, or leaves it alone when its digest
     * equals the last import's. Atomic: a failure leaves the zone as it was.
     *
     * @param origin who changes the zone, written to the change log ("backfill", "api", ...)
     */
    public ImportOutcome importZone(ZoneImport zi, ImportPolicy policy, String origin) {
        return importZones(List.of(zi), policy, origin).get(0);
    }

    /**
     * Imports several zones in one transaction (each zone whole or not at all, all of them
     * together), with a constant number of round trips to the database whatever their number:
     * the zones' locks are taken in one statement (in key order, so concurrent callers cannot
     * deadlock), new zones are inserted together, all records go in one {@code COPY}.
     *
     * @return one outcome per zone, in the order given
     */
    public List<ImportOutcome> importZones(List<ZoneImport> zones, ImportPolicy policy, String origin) {
        List<String> digests = zones.stream().map(ZoneImport::digest).toList();
        return dsl.transactionResult(cfg -> {
            DSLContext tx = cfg.dsl();
            List<String> names = zones.stream().map(ZoneImport::zone).toList();
            ZoneLock.lockAll(tx, names);
            Map<String, ZoneRecord> existing = tx.selectFrom(ZONE).where(ZONE.NAME.in(names)).fetchMap(ZONE.NAME);
            ImportOutcome[] outcomes = new ImportOutcome[zones.size()];
            List<Integer> created = new ArrayList<>();
            List<Integer> changed = new ArrayList<>();
            for (int i = 0; i < zones.size(); i++) {
                ZoneRecord ex = existing.get(zones.get(i).zone());
                if (ex == null) {
                    created.add(i);
                } else if (digests.get(i).equals(ex.getContentHash())) {
                    outcomes[i] = new ImportOutcome.Unchanged(zones.get(i).zone());
                } else {
                    changed.add(i);
                }
            }
            Map<Long, List<Rows.Rr>> current = changed.isEmpty() ? Map.of()
                    : rowsByZone(tx, changed.stream().map(i -> existing.get(zones.get(i).zone()).getId()).toList());
            List<Diff> diffs = new ArrayList<>();
            for (int i : changed) {
                ZoneImport zi = zones.get(i);
                ZoneRecord ex = existing.get(zi.zone());
                Diff d = Diff.of(i, ex, current.getOrDefault(ex.getId(), List.of()), zi.records());
                if (policy.blocks(d.before(), d.removed().size())) {
                    outcomes[i] = new ImportOutcome.Blocked(zi.zone(), d.before(), d.added().size(), d.removed().size());
                } else {
                    outcomes[i] = new ImportOutcome.Updated(zi.zone(), d.added().size(), d.removed().size(), zi.findings().size(), !policy.dryRun());
                    diffs.add(d);
                }
            }
            for (int i : created) {
                ZoneImport zi = zones.get(i);
                outcomes[i] = new ImportOutcome.Created(zi.zone(), zi.records().size(), zi.findings().size(), !policy.dryRun());
            }
            if (policy.dryRun() || (created.isEmpty() && diffs.isEmpty())) {
                return List.of(outcomes);
            }

            // New zones, all in one statement.
            Map<Integer, Long> zoneIds = new HashMap<>();
            if (!created.isEmpty()) {
                var insert = tx.insertInto(ZONE, ZONE.NAME, ZONE.OWNER_ID, ZONE.SERIAL, ZONE.SERVABLE, ZONE.RECORD_COUNT, ZONE.CONTENT_HASH, ZONE.SOURCE);
                for (int i : created) {
                    ZoneImport zi = zones.get(i);
                    insert = insert.values(zi.zone(), zi.ownerId(), zi.serial(), zi.servable(), zi.records().size(), digests.get(i), zi.source());
                }
                Map<String, Long> ids = insert.returning(ZONE.NAME, ZONE.ID).fetchMap(ZONE.NAME, ZONE.ID);
                created.forEach(i -> zoneIds.put(i, ids.get(zones.get(i).zone())));
            }
            diffs.forEach(d -> zoneIds.put(d.index(), d.zoneId()));

            // Records out: rewritten zones lose all their rows, the others exactly the removed ones.
            List<Long> rewrite = diffs.stream().filter(Diff::rewrite).map(Diff::zoneId).toList();
            if (!rewrite.isEmpty()) {
                tx.deleteFrom(RR).where(RR.ZONE_ID.in(rewrite)).execute();
            }
            deleteRows(tx, diffs.stream().filter(d -> !d.rewrite()).toList());

            // Records in: one COPY for every zone of the batch.
            Map<Long, List<Rows.Rr>> rowsIn = new LinkedHashMap<>();
            created.forEach(i -> rowsIn.put(zoneIds.get(i), zones.get(i).records()));
            diffs.forEach(d -> rowsIn.put(d.zoneId(), d.rewrite() ? zones.get(d.index()).records() : d.added()));
            Copy.records(tx, rowsIn);

            if (!diffs.isEmpty()) {
                var batch = tx.batch(tx.update(ZONE).set(ZONE.OWNER_ID, (Long) null).set(ZONE.SERIAL, (Long) null).set(ZONE.SERVABLE, (Boolean) null)
                        .set(ZONE.RECORD_COUNT, (Integer) null).set(ZONE.CONTENT_HASH, (String) null).set(ZONE.SOURCE, (String) null)
                        .set(ZONE.UPDATED_AT, DSL.currentOffsetDateTime()).where(ZONE.ID.eq((Long) null)));
                for (Diff d : diffs) {
                    ZoneImport zi = zones.get(d.index());
                    batch.bind(zi.ownerId(), zi.serial(), zi.servable(), zi.records().size(), digests.get(d.index()), zi.source(), d.zoneId());
                }
                batch.execute();
            }

            List<Integer> touched = new ArrayList<>(created);
            diffs.forEach(d -> touched.add(d.index()));
            syncFindings(tx, origin, touched.stream().map(i -> Map.entry(zoneIds.get(i), zones.get(i).findings())).toList(),
                    diffs.stream().map(Diff::zoneId).toList());

            // One change-log row per zone whose served content changed.
            var log = tx.insertInto(CHANGE_LOG, CHANGE_LOG.ZONE_ID, CHANGE_LOG.ZONE_NAME, CHANGE_LOG.SERIAL, CHANGE_LOG.KIND, CHANGE_LOG.ORIGIN);
            int logged = 0;
            for (int i : touched) {
                ZoneImport zi = zones.get(i);
                boolean serving = created.contains(i) || diffs.stream().anyMatch(d -> d.index() == i && d.servingChanged(zi));
                if (serving) {
                    log = log.values(zoneIds.get(i), zi.zone(), zi.serial(), "zone", origin);
                    logged++;
                }
            }
            if (logged > 0) {
                log.execute();
            }
            return List.of(outcomes);
        });
    }

    /** What re-importing one existing zone changes. */
    private record Diff(int index, long zoneId, int before, List<Rows.Rr> added, List<Rows.Rr> removed, long oldSerial, boolean oldServable) {

        static Diff of(int index, ZoneRecord existing, List<Rows.Rr> current, List<Rows.Rr> next) {
            Set<Rows.Rr> before = new HashSet<>(current);
            Set<Rows.Rr> after = new HashSet<>(next);
            return new Diff(index, existing.getId(), before.size(), next.stream().filter(r -> !before.contains(r)).toList(),
                    current.stream().filter(r -> !after.contains(r)).toList(), existing.getSerial(), existing.getServable());
        }

        /** Rewriting the zone whole is cheaper than deleting most of it row by row. */
        boolean rewrite() {
            return removed.size() > REWRITE_SHARE * before;
        }

        boolean servingChanged(ZoneImport zi) {
            return !added.isEmpty() || !removed.isEmpty() || oldSerial != zi.serial() || oldServable != zi.servable();
        }
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

    private static Map<Long, List<Rows.Rr>> rowsByZone(DSLContext ctx, List<Long> zoneIds) {
        Map<Long, List<Rows.Rr>> out = new HashMap<>();
        ctx.select(RR.ZONE_ID, RR.NAME, RR.TYPE, RR.TTL, RR.RDATA).from(RR).where(RR.ZONE_ID.in(zoneIds))
                .forEach(r -> out.computeIfAbsent(r.value1(), k -> new ArrayList<>()).add(new Rows.Rr(r.value2(), r.value3(), r.value4(), r.value5())));
        return out;
    }

    private static void deleteRows(DSLContext tx, List<Diff> diffs) {
        if (diffs.stream().allMatch(d -> d.removed().isEmpty())) {
            return;
        }
        var batch = tx.batch(tx.deleteFrom(RR).where(RR.ZONE_ID.eq((Long) null)).and(RR.NAME.eq((String) null))
                .and(RR.TYPE.eq((String) null)).and(RR.TTL.eq((Integer) null)).and(RR.RDATA.eq((String) null)));
        for (Diff d : diffs) {
            for (Rows.Rr r : d.removed()) {
                batch.bind(d.zoneId(), r.name(), r.type(), r.ttl(), r.rdata());
            }
        }
        batch.execute();
    }

    /**
     * Makes each zone's findings from {@code source} those given: new ones open, persisting
     * ones keep their triage state (a fixed one that comes back reopens), vanished ones are
     * marked fixed. Findings are recognised by their fingerprint; a zone's finding whose
     * fingerprint is not among this import's has vanished. (Not by time: two imports in one
     * transaction share one now(), and clocks step.)
     *
     * @param existingZones zones that may hold findings from earlier imports
     */
    private static void syncFindings(DSLContext tx, String source, List<Map.Entry<Long, List<Rows.Finding>>> zones, List<Long> existingZones) {
        var insert = tx.insertInto(REJECT, REJECT.ZONE_ID, REJECT.SOURCE, REJECT.FINGERPRINT, REJECT.FILE, REJECT.LINE, REJECT.RAW_TEXT,
                REJECT.CODE, REJECT.SEVERITY, REJECT.MESSAGE);
        List<Long> seenZones = new ArrayList<>();
        List<String> seenFingerprints = new ArrayList<>();
        for (var zone : zones) {
            Map<String, Integer> occurrences = new HashMap<>();
            for (Rows.Finding f : zone.getValue()) {
                String identity = f.code() + "\u0000" + f.rawText();
                int n = occurrences.merge(identity, 1, Integer::sum);
                String fingerprint = fingerprint(identity + "\u0000" + n);
                insert = insert.values(zone.getKey(), source, fingerprint, f.file(), f.line(), f.rawText(), f.code(), f.severity().dbValue(), f.message());
                seenZones.add(zone.getKey());
                seenFingerprints.add(fingerprint);
            }
        }
        if (!seenZones.isEmpty()) {
            insert.onConflict(REJECT.ZONE_ID, REJECT.SOURCE, REJECT.FINGERPRINT).doUpdate()
                    .set(REJECT.FILE, DSL.excluded(REJECT.FILE)).set(REJECT.LINE, DSL.excluded(REJECT.LINE))
                    .set(REJECT.SEVERITY, DSL.excluded(REJECT.SEVERITY)).set(REJECT.MESSAGE, DSL.excluded(REJECT.MESSAGE))
                    .set(REJECT.LAST_SEEN, DSL.currentOffsetDateTime())
                    .set(REJECT.STATE, DSL.when(REJECT.STATE.eq("fixed"), DSL.inline("open")).otherwise(REJECT.STATE))
                    .set(REJECT.RESOLVED_AT, DSL.when(REJECT.STATE.eq("fixed"), DSL.inline((OffsetDateTime) null)).otherwise(REJECT.RESOLVED_AT))
                    .execute();
        }
        if (!existingZones.isEmpty()) {
            tx.execute("update reject r set state = 'fixed', resolved_at = now()"
                    + " where r.zone_id = any(?::bigint[]) and r.source = ? and r.state <> 'fixed'"
                    + " and not exists (select 1 from unnest(?::bigint[], ?::varchar[]) as seen(zone_id, fingerprint)"
                    + " where seen.zone_id = r.zone_id and seen.fingerprint = r.fingerprint)",
                    existingZones.toArray(Long[]::new), source, seenZones.toArray(Long[]::new), seenFingerprints.toArray(String[]::new));
        }
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
