package dnsmig.store;

import static dnsmig.store.jooq.Tables.CHANGE_LOG;
import static dnsmig.store.jooq.Tables.LEGACY_SEEN;
import static dnsmig.store.jooq.Tables.LEGACY_WRITE;
import static dnsmig.store.jooq.Tables.RECONCILE_DIFFERENCE;
import static dnsmig.store.jooq.Tables.RECONCILE_RUN;
import static dnsmig.store.jooq.Tables.RECONCILE_ZONE;
import static dnsmig.store.jooq.Tables.RR;
import static dnsmig.store.jooq.Tables.ZONE;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Reconcile's tables (V3): the legacy write journal, the legacy serial last seen per zone, and
 * each run with its zones and differences; and the one write reconcile makes to the records, an
 * RRset repair under the zone's lock with a change-log row per RRset.
 */
public final class ReconcileStore {

    private final DSLContext dsl;

    public ReconcileStore(DSLContext dsl) {
        this.dsl = dsl;
    }

    // ------------------------------------------------------------------ the legacy write journal

    /** One write dnsmig made (or tried) to the legacy side; returns its id. */
    public long recordLegacyWrite(String zone, long serialBefore, long serialAfter, String outcome, String change, String origin, Instant at) {
        return dsl.insertInto(LEGACY_WRITE, LEGACY_WRITE.ZONE_NAME, LEGACY_WRITE.SERIAL_BEFORE, LEGACY_WRITE.SERIAL_AFTER, LEGACY_WRITE.OUTCOME,
                        LEGACY_WRITE.CHANGE_TEXT, LEGACY_WRITE.ORIGIN, LEGACY_WRITE.AT)
                .values(Names.absoluteLower(zone), serialBefore, serialAfter, outcome, change, origin, OffsetDateTime.ofInstant(at, ZoneOffset.UTC))
                .returning(LEGACY_WRITE.ID).fetchOne(LEGACY_WRITE.ID);
    }

    /** A journal entry, as the drift check reads it. */
    public record LegacyWriteEntry(long id, long serialBefore, long serialAfter, String outcome) {}

    /** The zone's journal entries with an id above {@code afterId}, in id order. */
    public List<LegacyWriteEntry> legacyWritesSince(String zone, long afterId) {
        return dsl.select(LEGACY_WRITE.ID, LEGACY_WRITE.SERIAL_BEFORE, LEGACY_WRITE.SERIAL_AFTER, LEGACY_WRITE.OUTCOME).from(LEGACY_WRITE)
                .where(LEGACY_WRITE.ZONE_NAME.eq(Names.absoluteLower(zone))).and(LEGACY_WRITE.ID.gt(afterId)).orderBy(LEGACY_WRITE.ID)
                .fetch(r -> new LegacyWriteEntry(r.value1(), r.value2(), r.value3(), r.value4()));
    }

    // ------------------------------------------------------------------ the serial last seen

    /** The legacy serial at which the zone was last found (or made) equal on both sides, and the journal position then. */
    public record Seen(long serial, long lastWriteId) {}

    public Optional<Seen> seen(String zone) {
        return dsl.select(LEGACY_SEEN.SERIAL, LEGACY_SEEN.LAST_WRITE_ID).from(LEGACY_SEEN).where(LEGACY_SEEN.ZONE_NAME.eq(Names.absoluteLower(zone)))
                .fetchOptional(r -> new Seen(r.value1(), r.value2()));
    }

    public void markSeen(String zone, long serial, long lastWriteId) {
        dsl.insertInto(LEGACY_SEEN, LEGACY_SEEN.ZONE_NAME, LEGACY_SEEN.SERIAL, LEGACY_SEEN.LAST_WRITE_ID)
                .values(Names.absoluteLower(zone), serial, lastWriteId)
                .onConflict(LEGACY_SEEN.ZONE_NAME).doUpdate()
                .set(LEGACY_SEEN.SERIAL, serial).set(LEGACY_SEEN.LAST_WRITE_ID, lastWriteId).set(LEGACY_SEEN.AT, DSL.currentOffsetDateTime())
                .execute();
    }

    // ------------------------------------------------------------------ runs

    public long startRun(String scope, String repair) {
        return dsl.insertInto(RECONCILE_RUN, RECONCILE_RUN.SCOPE, RECONCILE_RUN.REPAIR).values(scope, repair).returning(RECONCILE_RUN.ID)
                .fetchOne(RECONCILE_RUN.ID);
    }

    /** A run's totals. */
    public record RunTotals(int zones, int cleanZones, int driftZones, int failedZones, int differences, int repaired) {}

    public void finishRun(long runId, RunTotals t, String status) {
        dsl.update(RECONCILE_RUN).set(RECONCILE_RUN.FINISHED_AT, DSL.currentOffsetDateTime()).set(RECONCILE_RUN.ZONES, t.zones())
                .set(RECONCILE_RUN.CLEAN_ZONES, t.cleanZones()).set(RECONCILE_RUN.DRIFT_ZONES, t.driftZones())
                .set(RECONCILE_RUN.FAILED_ZONES, t.failedZones()).set(RECONCILE_RUN.DIFFERENCES, t.differences())
                .set(RECONCILE_RUN.REPAIRED, t.repaired()).set(RECONCILE_RUN.STATUS, status)
                .where(RECONCILE_RUN.ID.eq(runId)).execute();
    }

    /** One zone of a run (see V3 for the values of status and cause). */
    public record ZoneResult(String zone, String owner, String status, String cause, Long legacySerial, Long seenSerial, int legacyRecords,
            int storeRecords, int differences, int repaired, String message) {}

    /** One RRset that differs; texts are "TTL rdata | TTL rdata ...", null for the side that lacks it. */
    public record Difference(String zone, String owner, String name, String type, String kind, String cause, String legacyText, String newText,
            boolean repaired) {}

    /** A zone's result, its differences, and (when the zone is now equal on both sides) the legacy serial to remember as seen. */
    public record ZoneSave(ZoneResult zone, List<Difference> differences, Seen seen) {}

    /** Stores a zone's result and its differences, together. */
    public void saveZone(long runId, ZoneResult z, List<Difference> differences) {
        saveZones(runId, List.of(new ZoneSave(z, differences, null)));
    }

    /** Stores several zones' results in one transaction (a commit per zone would cost more than comparing it). */
    public void saveZones(long runId, List<ZoneSave> zones) {
        if (zones.isEmpty()) {
            return;
        }
        dsl.transaction(cfg -> {
            DSLContext tx = cfg.dsl();
            var zoneInsert = tx.insertInto(RECONCILE_ZONE, RECONCILE_ZONE.RUN_ID, RECONCILE_ZONE.ZONE_NAME, RECONCILE_ZONE.OWNER, RECONCILE_ZONE.STATUS,
                    RECONCILE_ZONE.CAUSE, RECONCILE_ZONE.LEGACY_SERIAL, RECONCILE_ZONE.SEEN_SERIAL, RECONCILE_ZONE.LEGACY_RECORDS,
                    RECONCILE_ZONE.STORE_RECORDS, RECONCILE_ZONE.DIFFERENCES, RECONCILE_ZONE.REPAIRED, RECONCILE_ZONE.MESSAGE);
            var diffInsert = tx.insertInto(RECONCILE_DIFFERENCE, RECONCILE_DIFFERENCE.RUN_ID, RECONCILE_DIFFERENCE.ZONE_NAME, RECONCILE_DIFFERENCE.OWNER,
                    RECONCILE_DIFFERENCE.NAME, RECONCILE_DIFFERENCE.TYPE, RECONCILE_DIFFERENCE.KIND, RECONCILE_DIFFERENCE.CAUSE,
                    RECONCILE_DIFFERENCE.LEGACY_TEXT, RECONCILE_DIFFERENCE.NEW_TEXT, RECONCILE_DIFFERENCE.REPAIRED);
            var seenInsert = tx.insertInto(LEGACY_SEEN, LEGACY_SEEN.ZONE_NAME, LEGACY_SEEN.SERIAL, LEGACY_SEEN.LAST_WRITE_ID);
            int diffs = 0;
            int seen = 0;
            for (ZoneSave save : zones) {
                ZoneResult z = save.zone();
                zoneInsert = zoneInsert.values(runId, z.zone(), z.owner(), z.status(), z.cause(), z.legacySerial(), z.seenSerial(), z.legacyRecords(),
                        z.storeRecords(), z.differences(), z.repaired(), z.message());
                for (Difference d : save.differences()) {
                    diffInsert = diffInsert.values(runId, d.zone(), d.owner(), d.name(), d.type(), d.kind(), d.cause(), d.legacyText(), d.newText(),
                            d.repaired());
                    diffs++;
                }
                if (save.seen() != null) {
                    seenInsert = seenInsert.values(Names.absoluteLower(z.zone()), save.seen().serial(), save.seen().lastWriteId());
                    seen++;
                }
            }
            zoneInsert.execute();
            if (diffs > 0) {
                diffInsert.execute();
            }
            if (seen > 0) {
                seenInsert.onConflict(LEGACY_SEEN.ZONE_NAME).doUpdate().set(LEGACY_SEEN.SERIAL, DSL.excluded(LEGACY_SEEN.SERIAL))
                        .set(LEGACY_SEEN.LAST_WRITE_ID, DSL.excluded(LEGACY_SEEN.LAST_WRITE_ID)).set(LEGACY_SEEN.AT, DSL.currentOffsetDateTime())
                        .execute();
            }
        });
    }

    /** The zones of a run, by name. */
    public List<ZoneResult> zones(long runId) {
        return dsl.select(RECONCILE_ZONE.ZONE_NAME, RECONCILE_ZONE.OWNER, RECONCILE_ZONE.STATUS, RECONCILE_ZONE.CAUSE, RECONCILE_ZONE.LEGACY_SERIAL,
                        RECONCILE_ZONE.SEEN_SERIAL, RECONCILE_ZONE.LEGACY_RECORDS, RECONCILE_ZONE.STORE_RECORDS, RECONCILE_ZONE.DIFFERENCES,
                        RECONCILE_ZONE.REPAIRED, RECONCILE_ZONE.MESSAGE)
                .from(RECONCILE_ZONE).where(RECONCILE_ZONE.RUN_ID.eq(runId)).orderBy(RECONCILE_ZONE.ZONE_NAME)
                .fetch(r -> new ZoneResult(r.value1(), r.value2(), r.value3(), r.value4(), r.value5(), r.value6(), r.value7(), r.value8(), r.value9(),
                        r.value10(), r.value11()));
    }

    /** Every difference of a run in zone, name, type order, streamed (a run's differences need not fit in memory). */
    public void differences(long runId, Consumer<Difference> each) {
        try (var cursor = dsl.select(RECONCILE_DIFFERENCE.ZONE_NAME, RECONCILE_DIFFERENCE.OWNER, RECONCILE_DIFFERENCE.NAME, RECONCILE_DIFFERENCE.TYPE,
                        RECONCILE_DIFFERENCE.KIND, RECONCILE_DIFFERENCE.CAUSE, RECONCILE_DIFFERENCE.LEGACY_TEXT, RECONCILE_DIFFERENCE.NEW_TEXT,
                        RECONCILE_DIFFERENCE.REPAIRED)
                .from(RECONCILE_DIFFERENCE).where(RECONCILE_DIFFERENCE.RUN_ID.eq(runId))
                .orderBy(RECONCILE_DIFFERENCE.ZONE_NAME, RECONCILE_DIFFERENCE.NAME, RECONCILE_DIFFERENCE.TYPE)
                .fetchSize(1000).fetchLazy()) {
            for (var r : cursor) {
                each.accept(new Difference(r.value1(), r.value2(), r.value3(), r.value4(), r.value5(), r.value6(), r.value7(), r.value8(), r.value9()));
            }
        }
    }

    /** The id of the latest run, if any. */
    public Optional<Long> lastRun() {
        return dsl.select(DSL.max(RECONCILE_RUN.ID)).from(RECONCILE_RUN).fetchOptional(0, Long.class);
    }

    // ------------------------------------------------------------------ repairing the store

    /** The records an RRset must hold (empty: the RRset goes). */
    public record RRset(String name, String type, List<Rows.Rr> records) {}

    /**
     * Makes the zone's RRsets hold exactly the records given, in one transaction under the zone's
     * lock, with one change-log row ({@code rrset}) per RRset for name servers to follow.
     *
     * @return false when the zone is not in the store
     */
    public boolean replaceRRsets(String zone, List<RRset> rrsets, String origin) {
        String z = Names.absoluteLower(zone);
        return dsl.transactionResult(cfg -> {
            DSLContext tx = cfg.dsl();
            ZoneLock.lock(tx, z);
            var zr = tx.select(ZONE.ID, ZONE.SERIAL).from(ZONE).where(ZONE.NAME.eq(z)).fetchOne();
            if (zr == null) {
                return false;
            }
            long id = zr.value1();
            var delete = tx.batch(tx.deleteFrom(RR).where(RR.ZONE_ID.eq((Long) null)).and(RR.NAME.eq((String) null)).and(RR.TYPE.eq((String) null)));
            var log = tx.insertInto(CHANGE_LOG, CHANGE_LOG.ZONE_ID, CHANGE_LOG.ZONE_NAME, CHANGE_LOG.SERIAL, CHANGE_LOG.KIND, CHANGE_LOG.NAME,
                    CHANGE_LOG.TYPE, CHANGE_LOG.ORIGIN);
            var insert = tx.insertInto(RR, RR.ZONE_ID, RR.NAME, RR.TYPE, RR.TTL, RR.RDATA);
            int rows = 0;
            for (RRset s : rrsets) {
                delete.bind(id, s.name(), s.type());
                log = log.values(id, z, zr.value2(), "rrset", s.name(), s.type(), origin);
                for (Rows.Rr r : s.records()) {
                    insert = insert.values(id, r.name(), r.type(), r.ttl(), r.rdata());
                    rows++;
                }
            }
            if (rrsets.isEmpty()) {
                return true;
            }
            delete.execute();
            if (rows > 0) {
                insert.execute();
            }
            tx.update(ZONE).set(ZONE.RECORD_COUNT, DSL.field(DSL.selectCount().from(RR).where(RR.ZONE_ID.eq(id))))
                    .set(ZONE.UPDATED_AT, DSL.currentOffsetDateTime()).where(ZONE.ID.eq(id)).execute();
            log.execute();
            return true;
        });
    }
}
