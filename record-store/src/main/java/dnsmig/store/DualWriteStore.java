package dnsmig.store;

import static dnsmig.store.jooq.Tables.API_IDEMPOTENCY;
import static dnsmig.store.jooq.Tables.API_TOKEN;
import static dnsmig.store.jooq.Tables.CHANGE_LOG;
import static dnsmig.store.jooq.Tables.DIVERGENCE;
import static dnsmig.store.jooq.Tables.DUAL_WRITE_QUEUE;
import static dnsmig.store.jooq.Tables.OWNER;
import static dnsmig.store.jooq.Tables.REJECT;
import static dnsmig.store.jooq.Tables.REPAIR_OUTBOX;
import static dnsmig.store.jooq.Tables.RR;
import static dnsmig.store.jooq.Tables.WRITE_MODE;
import static dnsmig.store.jooq.Tables.WRITE_MODE_CURRENT;
import static dnsmig.store.jooq.Tables.ZONE;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * The tables of dual writes (V4): the write mode and its audit trail, API tokens, idempotency
 * keys, the durable queue of concurrent mode, the repair outbox of synchronous mode and the
 * divergence ledger; and RRset writes to the store inside one zone's lock.
 */
public final class DualWriteStore {

    /** The write modes, in the order a migration moves through them. */
    public static final List<String> MODES = List.of("LEGACY_ONLY", "CONCURRENT", "SYNCHRONOUS", "NEW_PRIMARY", "NEW_ONLY");
    /** States of a divergence (and of a reject). */
    public static final Set<String> DIVERGENCE_STATES = Set.of("open", "triaged", "fixed", "accepted", "notified");

    private final DSLContext dsl;
    private final Duration statementTimeout;

    public DualWriteStore(DSLContext dsl) {
        this(dsl, Duration.ZERO);
    }

    private DualWriteStore(DSLContext dsl, Duration statementTimeout) {
        this.dsl = dsl;
        this.statementTimeout = statementTimeout;
    }

    /** The same store, bounding every statement of {@link #inZone} transactions ({@code statement_timeout}; zero: the server's default). */
    public DualWriteStore withStatementTimeout(Duration d) {
        return new DualWriteStore(dsl, d);
    }

    // ------------------------------------------------------------------ write mode

    /** One row of the write mode's history; the current mode is the latest. */
    public record ModeEntry(String mode, OffsetDateTime changedAt, String changedBy, String reason) {}

    public ModeEntry currentMode() {
        return dsl.select(WRITE_MODE_CURRENT.MODE, WRITE_MODE_CURRENT.CHANGED_AT, WRITE_MODE_CURRENT.CHANGED_BY, WRITE_MODE_CURRENT.REASON)
                .from(WRITE_MODE_CURRENT).fetchOne(r -> new ModeEntry(r.value1(), r.value2(), r.value3(), r.value4()));
    }

    /** Sets the write mode (any mode, forwards or back), recorded with who and why. */
    public ModeEntry setMode(String mode, String by, String reason) {
        if (!MODES.contains(mode)) {
            throw new IllegalArgumentException("unknown write mode '" + mode + "' (one of " + MODES + ")");
        }
        return dsl.insertInto(WRITE_MODE, WRITE_MODE.MODE, WRITE_MODE.CHANGED_BY, WRITE_MODE.REASON).values(mode, by, reason)
                .returning(WRITE_MODE.MODE, WRITE_MODE.CHANGED_AT, WRITE_MODE.CHANGED_BY, WRITE_MODE.REASON)
                .fetchOne(r -> new ModeEntry(r.getMode(), r.getChangedAt(), r.getChangedBy(), r.getReason()));
    }

    /** The latest {@code limit} mode changes, newest first. */
    public List<ModeEntry> modeHistory(int limit) {
        return dsl.select(WRITE_MODE.MODE, WRITE_MODE.CHANGED_AT, WRITE_MODE.CHANGED_BY, WRITE_MODE.REASON).from(WRITE_MODE)
                .orderBy(WRITE_MODE.ID.desc()).limit(limit).fetch(r -> new ModeEntry(r.value1(), r.value2(), r.value3(), r.value4()));
    }

    // ------------------------------------------------------------------ owners, zones, tokens

    /** Who presented a token: an owner (ownerId set) or an operator (ownerId null). */
    public record Principal(long tokenId, Long ownerId, String owner, String tokenName) {
        public boolean operator() {
            return ownerId == null;
        }
    }

    /** The holder of a token by its digest; empty when unknown or revoked. */
    public Optional<Principal> principal(String tokenHash) {
        return dsl.select(API_TOKEN.ID, API_TOKEN.OWNER_ID, OWNER.HANDLE, API_TOKEN.NAME).from(API_TOKEN).leftJoin(OWNER).on(OWNER.ID.eq(API_TOKEN.OWNER_ID))
                .where(API_TOKEN.TOKEN_HASH.eq(tokenHash)).and(API_TOKEN.REVOKED_AT.isNull())
                .fetchOptional(r -> new Principal(r.value1(), r.value2(), r.value3(), r.value4()));
    }

    /** Stores a token's digest; {@code ownerId} null makes an operator token. */
    public long createToken(Long ownerId, String name, String tokenHash) {
        return dsl.insertInto(API_TOKEN, API_TOKEN.OWNER_ID, API_TOKEN.NAME, API_TOKEN.TOKEN_HASH).values(ownerId, name, tokenHash)
                .returning(API_TOKEN.ID).fetchOne(API_TOKEN.ID);
    }

    public record OwnerRow(long id, String handle, String email) {}

    public Optional<OwnerRow> owner(String handle) {
        return dsl.select(OWNER.ID, OWNER.HANDLE, OWNER.EMAIL).from(OWNER).where(OWNER.HANDLE.eq(handle))
                .fetchOptional(r -> new OwnerRow(r.value1(), r.value2(), r.value3()));
    }

    public List<OwnerRow> owners() {
        return dsl.select(OWNER.ID, OWNER.HANDLE, OWNER.EMAIL).from(OWNER).orderBy(OWNER.HANDLE)
                .fetch(r -> new OwnerRow(r.value1(), r.value2(), r.value3()));
    }

    /** A zone with its owner. */
    public record ZoneRef(long id, String name, long ownerId, String owner, long serial, int recordCount) {}

    public Optional<ZoneRef> zone(String name) {
        return zones(ZONE.NAME.eq(Names.absoluteLower(name))).stream().findFirst();
    }

    /** The zones of one owner, or every zone when {@code ownerId} is null. */
    public List<ZoneRef> zones(Long ownerId) {
        return zones(ownerId == null ? DSL.trueCondition() : ZONE.OWNER_ID.eq(ownerId));
    }

    private List<ZoneRef> zones(Condition where) {
        return dsl.select(ZONE.ID, ZONE.NAME, ZONE.OWNER_ID, OWNER.HANDLE, ZONE.SERIAL, ZONE.RECORD_COUNT).from(ZONE).join(OWNER).on(OWNER.ID.eq(ZONE.OWNER_ID))
                .where(where).orderBy(ZONE.NAME).fetch(r -> new ZoneRef(r.value1(), r.value2(), r.value3(), r.value4(), r.value5(), r.value6()));
    }

    // ------------------------------------------------------------------ idempotency keys

    /** What an idempotency key allows: go ahead, answer again, wait, or refuse a different request under the same key. */
    public sealed interface Reservation {
        record Reserved() implements Reservation {}

        record Replay(int status, String body) implements Reservation {}

        record InProgress() implements Reservation {}

        record Mismatch() implements Reservation {}
    }

    public Reservation reserve(String principal, String key, String requestHash) {
        int inserted = dsl.insertInto(API_IDEMPOTENCY, API_IDEMPOTENCY.PRINCIPAL, API_IDEMPOTENCY.IDEM_KEY, API_IDEMPOTENCY.REQUEST_HASH)
                .values(principal, key, requestHash).onConflictDoNothing().execute();
        if (inserted == 1) {
            return new Reservation.Reserved();
        }
        var r = dsl.select(API_IDEMPOTENCY.REQUEST_HASH, API_IDEMPOTENCY.STATUS, API_IDEMPOTENCY.RESPONSE).from(API_IDEMPOTENCY)
                .where(API_IDEMPOTENCY.PRINCIPAL.eq(principal)).and(API_IDEMPOTENCY.IDEM_KEY.eq(key)).fetchOne();
        if (r == null) {
            return reserve(principal, key, requestHash); // released meanwhile
        }
        if (!r.value1().equals(requestHash)) {
            return new Reservation.Mismatch();
        }
        return r.value2() == null ? new Reservation.InProgress() : new Reservation.Replay(r.value2(), r.value3());
    }

    /** Stores the answer given under a key, so a repeat gets it again. */
    public void complete(String principal, String key, int status, String body) {
        dsl.update(API_IDEMPOTENCY).set(API_IDEMPOTENCY.STATUS, status).set(API_IDEMPOTENCY.RESPONSE, body)
                .where(API_IDEMPOTENCY.PRINCIPAL.eq(principal)).and(API_IDEMPOTENCY.IDEM_KEY.eq(key)).execute();
    }

    /** Forgets a key whose request did not complete (the client may try again with it). */
    public void release(String principal, String key) {
        dsl.deleteFrom(API_IDEMPOTENCY).where(API_IDEMPOTENCY.PRINCIPAL.eq(principal)).and(API_IDEMPOTENCY.IDEM_KEY.eq(key))
                .and(API_IDEMPOTENCY.STATUS.isNull()).execute();
    }

    // ------------------------------------------------------------------ RRset writes under the zone lock

    /** One zone inside a transaction that holds its lock: read and replace RRsets, queue and ledger rows in the same transaction. */
    public final class ZoneTx {
        private final DSLContext tx;
        private final ZoneRef zone;

        private ZoneTx(DSLContext tx, ZoneRef zone) {
            this.tx = tx;
            this.zone = zone;
        }

        public ZoneRef zone() {
            return zone;
        }

        /** The zone's records, in {@link Rows.Rr#ORDER}. */
        public List<Rows.Rr> records() {
            return tx.select(RR.NAME, RR.TYPE, RR.TTL, RR.RDATA).from(RR).where(RR.ZONE_ID.eq(zone.id())).orderBy(RR.NAME, RR.TYPE, RR.RDATA)
                    .fetch(r -> new Rows.Rr(r.value1(), r.value2(), r.value3(), r.value4()));
        }

        /** One RRset ({@code name} lower-case absolute, {@code type} mnemonic). */
        public List<Rows.Rr> rrset(String name, String type) {
            return tx.select(RR.NAME, RR.TYPE, RR.TTL, RR.RDATA).from(RR).where(RR.ZONE_ID.eq(zone.id())).and(RR.NAME.eq(name)).and(RR.TYPE.eq(type))
                    .orderBy(RR.RDATA).fetch(r -> new Rows.Rr(r.value1(), r.value2(), r.value3(), r.value4()));
        }

        /**
         * Makes the RRset hold exactly {@code records} (empty: it goes), with a change-log row for
         * name servers. One round trip: the statements go as one JDBC batch.
         */
        public void replace(String name, String type, List<Rows.Rr> records, String origin) {
            List<org.jooq.Query> batch = new java.util.ArrayList<>(4);
            batch.add(tx.deleteFrom(RR).where(RR.ZONE_ID.eq(zone.id())).and(RR.NAME.eq(name)).and(RR.TYPE.eq(type)));
            if (!records.isEmpty()) {
                var insert = tx.insertInto(RR, RR.ZONE_ID, RR.NAME, RR.TYPE, RR.TTL, RR.RDATA);
                for (Rows.Rr r : records) {
                    insert = insert.values(zone.id(), r.name(), r.type(), r.ttl(), r.rdata());
                }
                batch.add(insert);
            }
            batch.add(tx.update(ZONE).set(ZONE.RECORD_COUNT, DSL.field(DSL.selectCount().from(RR).where(RR.ZONE_ID.eq(zone.id()))))
                    .set(ZONE.UPDATED_AT, DSL.currentOffsetDateTime()).where(ZONE.ID.eq(zone.id())));
            batch.add(tx.insertInto(CHANGE_LOG, CHANGE_LOG.ZONE_ID, CHANGE_LOG.ZONE_NAME, CHANGE_LOG.SERIAL, CHANGE_LOG.KIND, CHANGE_LOG.NAME, CHANGE_LOG.TYPE,
                    CHANGE_LOG.ORIGIN).values(zone.id(), zone.name(), zone.serial(), "rrset", name, type, origin));
            try {
                tx.batch(batch).execute();
            } catch (AssertionError e) {
                // pgjdbc asserts (BatchResultHandler) when its connection is closed under a batch, e.g. by pg_terminate_backend: a lost connection.
                throw new org.jooq.exception.DataAccessException("the database connection was lost during a batch",
                        new java.sql.SQLException(String.valueOf(e.getMessage()), "08006", e));
            }
        }

        /** This zone's changes still waiting in the concurrent-mode queue, oldest first. */
        public List<QueuedChange> queued(int limit) {
            return DualWriteStore.queued(tx, zone.name(), limit);
        }

        public void markQueued(long id, String state, String error) {
            DualWriteStore.mark(tx, id, state, error, Duration.ZERO);
        }

        public long divergence(String source, String reason, String detail, String name, String type, Long changeId) {
            return DualWriteStore.addDivergence(tx, zone.ownerId(), zone.name(), source, reason, detail, name, type, changeId);
        }

        public long outbox(String name, String type, String reason) {
            return DualWriteStore.addOutbox(tx, zone.name(), name, type, reason);
        }

        public void completeIdempotency(String principal, String key, int status, String body) {
            new DualWriteStore(tx).complete(principal, key, status, body);
        }
    }

    /**
     * Runs {@code work} in one transaction holding the zone's lock (the same lock as the backfill
     * and repairs). {@code lockTimeout} bounds the wait for the lock; rolled back when {@code work}
     * throws.
     *
     * @return empty when the zone is not in the store
     */
    public <T> Optional<T> inZone(String zone, Duration lockTimeout, Function<ZoneTx, T> work) {
        String z = Names.absoluteLower(zone);
        return dsl.transactionResult(cfg -> {
            DSLContext tx = cfg.dsl();
            // One round trip: the timeouts for this transaction, then the zone's lock (the same lock as ZoneLock.lock).
            tx.fetch("select set_config('lock_timeout', ?, true), set_config('statement_timeout', coalesce(nullif(?, ''), current_setting('statement_timeout')),"
                    + " true), pg_advisory_xact_lock(?, ?)", Long.toString(Math.max(1, lockTimeout.toMillis())),
                    statementTimeout.isZero() ? "" : Long.toString(statementTimeout.toMillis()), ZoneLock.LOCK_CLASS, ZoneLock.key(z));
            var ref = zones(tx, ZONE.NAME.eq(z));
            if (ref.isEmpty()) {
                return Optional.empty();
            }
            return Optional.ofNullable(work.apply(new ZoneTx(tx, ref.get(0))));
        });
    }

    private static List<ZoneRef> zones(DSLContext tx, Condition where) {
        return tx.select(ZONE.ID, ZONE.NAME, ZONE.OWNER_ID, OWNER.HANDLE, ZONE.SERIAL, ZONE.RECORD_COUNT).from(ZONE).join(OWNER).on(OWNER.ID.eq(ZONE.OWNER_ID))
                .where(where).fetch(r -> new ZoneRef(r.value1(), r.value2(), r.value3(), r.value4(), r.value5(), r.value6()));
    }

    /** One RRset as the store has it now (outside any lock). */
    public List<Rows.Rr> rrset(String zone, String name, String type) {
        return dsl.select(RR.NAME, RR.TYPE, RR.TTL, RR.RDATA).from(RR).join(ZONE).on(ZONE.ID.eq(RR.ZONE_ID))
                .where(ZONE.NAME.eq(Names.absoluteLower(zone))).and(RR.NAME.eq(name)).and(RR.TYPE.eq(type)).orderBy(RR.RDATA)
                .fetch(r -> new Rows.Rr(r.value1(), r.value2(), r.value3(), r.value4()));
    }

    /**
     * Runs {@code work} on one connection holding the zone's lock as a session lock (no
     * transaction: what {@code work} writes through the given store commits at once). Concurrent
     * mode uses it so that its queue row is committed before the legacy write, and both happen in
     * the zone's order. The lock waits at most {@code lockTimeout}.
     */
    public <T> T withZoneSession(String zone, Duration lockTimeout, Function<DualWriteStore, T> work) {
        String z = Names.absoluteLower(zone);
        return dsl.connectionResult(c -> {
            DSLContext session = DSL.using(c, SQLDialect.POSTGRES);
            session.execute("set lock_timeout = " + Math.max(1, lockTimeout.toMillis()));
            try {
                session.fetch("select pg_advisory_lock(?, ?)", ZoneLock.LOCK_CLASS, ZoneLock.key(z));
            } finally {
                session.execute("set lock_timeout = 0");
            }
            try {
                return work.apply(new DualWriteStore(session));
            } finally {
                try {
                    session.fetch("select pg_advisory_unlock(?, ?)", ZoneLock.LOCK_CLASS, ZoneLock.key(z));
                } catch (org.jooq.exception.DataAccessException gone) {
                    // the connection is gone, and the session lock with it
                }
            }
        });
    }

    // ------------------------------------------------------------------ the concurrent-mode queue

    /** A change the legacy side took (or is being sent), waiting to be applied to the store. */
    public record QueuedChange(long id, String zone, Long ownerId, String name, String type, String beforeText, String afterText, String state,
            int attempts, OffsetDateTime createdAt) {}

    /** Records a change before it is sent to the legacy side (state intent), committed at once when outside a transaction. */
    public long enqueue(String zone, Long ownerId, String name, String type, String beforeText, String afterText) {
        return dsl.insertInto(DUAL_WRITE_QUEUE, DUAL_WRITE_QUEUE.ZONE_NAME, DUAL_WRITE_QUEUE.OWNER_ID, DUAL_WRITE_QUEUE.NAME, DUAL_WRITE_QUEUE.TYPE,
                DUAL_WRITE_QUEUE.BEFORE_TEXT, DUAL_WRITE_QUEUE.AFTER_TEXT).values(Names.absoluteLower(zone), ownerId, name, type, beforeText, afterText)
                .returning(DUAL_WRITE_QUEUE.ID).fetchOne(DUAL_WRITE_QUEUE.ID);
    }

    /** Sets a queue row's state (pending, applied, diverged, dropped, or intent again). */
    public void markQueued(long id, String state, String error, Duration retryIn) {
        mark(dsl, id, state, error, retryIn);
    }

    private static void mark(DSLContext ctx, long id, String state, String error, Duration retryIn) {
        var u = ctx.update(DUAL_WRITE_QUEUE).set(DUAL_WRITE_QUEUE.STATE, state).set(DUAL_WRITE_QUEUE.UPDATED_AT, DSL.currentOffsetDateTime())
                .set(DUAL_WRITE_QUEUE.LAST_ERROR, error);
        if (!retryIn.isZero()) {
            u = u.set(DUAL_WRITE_QUEUE.ATTEMPTS, DUAL_WRITE_QUEUE.ATTEMPTS.plus(1))
                    .set(DUAL_WRITE_QUEUE.NEXT_ATTEMPT, DSL.field("now() + make_interval(secs => {0})", OffsetDateTime.class, retryIn.toMillis() / 1000.0));
        }
        u.where(DUAL_WRITE_QUEUE.ID.eq(id)).execute();
    }

    /** Zones with queued changes due now (pending, or intents older than {@code staleIntent}). */
    public List<String> zonesWithQueuedChanges(int limit) {
        return dsl.selectDistinct(DUAL_WRITE_QUEUE.ZONE_NAME).from(DUAL_WRITE_QUEUE)
                .where(DUAL_WRITE_QUEUE.STATE.in("intent", "pending")).and(DUAL_WRITE_QUEUE.NEXT_ATTEMPT.le(DSL.currentOffsetDateTime()))
                .limit(limit).fetch(DUAL_WRITE_QUEUE.ZONE_NAME);
    }

    /** A zone's queued changes (intent, pending), oldest first, outside any lock. */
    public List<QueuedChange> queued(String zone, int limit) {
        return queued(dsl, zone, limit);
    }

    private static List<QueuedChange> queued(DSLContext ctx, String zone, int limit) {
        return ctx.select(DUAL_WRITE_QUEUE.ID, DUAL_WRITE_QUEUE.ZONE_NAME, DUAL_WRITE_QUEUE.OWNER_ID, DUAL_WRITE_QUEUE.NAME, DUAL_WRITE_QUEUE.TYPE,
                        DUAL_WRITE_QUEUE.BEFORE_TEXT, DUAL_WRITE_QUEUE.AFTER_TEXT, DUAL_WRITE_QUEUE.STATE, DUAL_WRITE_QUEUE.ATTEMPTS, DUAL_WRITE_QUEUE.CREATED_AT)
                .from(DUAL_WRITE_QUEUE).where(DUAL_WRITE_QUEUE.ZONE_NAME.eq(Names.absoluteLower(zone))).and(DUAL_WRITE_QUEUE.STATE.in("intent", "pending"))
                .orderBy(DUAL_WRITE_QUEUE.ID).limit(limit)
                .fetch(r -> new QueuedChange(r.value1(), r.value2(), r.value3(), r.value4(), r.value5(), r.value6(), r.value7(), r.value8(), r.value9(),
                        r.value10()));
    }

    /** Queue rows by state (intent, pending, applied, diverged, dropped). */
    public java.util.Map<String, Integer> queueCounts() {
        return dsl.select(DUAL_WRITE_QUEUE.STATE, DSL.count()).from(DUAL_WRITE_QUEUE).groupBy(DUAL_WRITE_QUEUE.STATE)
                .fetchMap(r -> r.value1(), r -> r.value2());
    }

    /** One queue row. */
    public Optional<QueuedChange> queuedChange(long id) {
        return dsl.select(DUAL_WRITE_QUEUE.ID, DUAL_WRITE_QUEUE.ZONE_NAME, DUAL_WRITE_QUEUE.OWNER_ID, DUAL_WRITE_QUEUE.NAME, DUAL_WRITE_QUEUE.TYPE,
                        DUAL_WRITE_QUEUE.BEFORE_TEXT, DUAL_WRITE_QUEUE.AFTER_TEXT, DUAL_WRITE_QUEUE.STATE, DUAL_WRITE_QUEUE.ATTEMPTS, DUAL_WRITE_QUEUE.CREATED_AT)
                .from(DUAL_WRITE_QUEUE).where(DUAL_WRITE_QUEUE.ID.eq(id))
                .fetchOptional(r -> new QueuedChange(r.value1(), r.value2(), r.value3(), r.value4(), r.value5(), r.value6(), r.value7(), r.value8(),
                        r.value9(), r.value10()));
    }

    // ------------------------------------------------------------------ the repair outbox

    public record OutboxEntry(long id, String zone, String name, String type, String reason, String state, int attempts, String lastError,
            OffsetDateTime createdAt) {}

    public long addOutbox(String zone, String name, String type, String reason) {
        return addOutbox(dsl, Names.absoluteLower(zone), name, type, reason);
    }

    private static long addOutbox(DSLContext ctx, String zone, String name, String type, String reason) {
        return ctx.insertInto(REPAIR_OUTBOX, REPAIR_OUTBOX.ZONE_NAME, REPAIR_OUTBOX.NAME, REPAIR_OUTBOX.TYPE, REPAIR_OUTBOX.REASON)
                .values(zone, name, type, reason).returning(REPAIR_OUTBOX.ID).fetchOne(REPAIR_OUTBOX.ID);
    }

    /** Open entries due now, oldest first. */
    public List<OutboxEntry> dueOutbox(int limit) {
        return outbox(REPAIR_OUTBOX.STATE.eq("open").and(REPAIR_OUTBOX.NEXT_ATTEMPT.le(DSL.currentOffsetDateTime())), limit);
    }

    /** Every open entry (due or waiting for its next attempt). */
    public List<OutboxEntry> openOutbox(int limit) {
        return outbox(REPAIR_OUTBOX.STATE.eq("open"), limit);
    }

    private List<OutboxEntry> outbox(Condition where, int limit) {
        return dsl.select(REPAIR_OUTBOX.ID, REPAIR_OUTBOX.ZONE_NAME, REPAIR_OUTBOX.NAME, REPAIR_OUTBOX.TYPE, REPAIR_OUTBOX.REASON, REPAIR_OUTBOX.STATE,
                        REPAIR_OUTBOX.ATTEMPTS, REPAIR_OUTBOX.LAST_ERROR, REPAIR_OUTBOX.CREATED_AT)
                .from(REPAIR_OUTBOX).where(where).orderBy(REPAIR_OUTBOX.ID).limit(limit)
                .fetch(r -> new OutboxEntry(r.value1(), r.value2(), r.value3(), r.value4(), r.value5(), r.value6(), r.value7(), r.value8(), r.value9()));
    }

    public int openOutboxCount() {
        return dsl.fetchCount(REPAIR_OUTBOX, REPAIR_OUTBOX.STATE.eq("open"));
    }

    public void outboxDone(long id) {
        dsl.update(REPAIR_OUTBOX).set(REPAIR_OUTBOX.STATE, "done").set(REPAIR_OUTBOX.UPDATED_AT, DSL.currentOffsetDateTime())
                .where(REPAIR_OUTBOX.ID.eq(id)).execute();
    }

    public void outboxRetry(long id, String error, Duration retryIn) {
        dsl.update(REPAIR_OUTBOX).set(REPAIR_OUTBOX.ATTEMPTS, REPAIR_OUTBOX.ATTEMPTS.plus(1)).set(REPAIR_OUTBOX.LAST_ERROR, error)
                .set(REPAIR_OUTBOX.UPDATED_AT, DSL.currentOffsetDateTime())
                .set(REPAIR_OUTBOX.NEXT_ATTEMPT, DSL.field("now() + make_interval(secs => {0})", OffsetDateTime.class, retryIn.toMillis() / 1000.0))
                .where(REPAIR_OUTBOX.ID.eq(id)).execute();
    }

    // ------------------------------------------------------------------ the divergence ledger

    public record DivergenceRow(long id, String owner, String zone, String source, String reason, String detail, String state, String name,
            String type, Long changeId, Long rejectId, String note, String updatedBy, OffsetDateTime createdAt, OffsetDateTime updatedAt) {}

    /** Which entries to list: null fields do not filter; without {@code all}, fixed and accepted entries are left out. */
    public record DivergenceFilter(String zone, String owner, String source, String state, boolean all, int limit) {}

    public long addDivergence(Long ownerId, String zone, String source, String reason, String detail, String name, String type, Long changeId) {
        return addDivergence(dsl, ownerId, Names.absoluteLower(zone), source, reason, detail, name, type, changeId);
    }

    private static long addDivergence(DSLContext ctx, Long ownerId, String zone, String source, String reason, String detail, String name, String type,
            Long changeId) {
        return ctx.insertInto(DIVERGENCE, DIVERGENCE.OWNER_ID, DIVERGENCE.ZONE_NAME, DIVERGENCE.SOURCE, DIVERGENCE.REASON, DIVERGENCE.DETAIL,
                        DIVERGENCE.NAME, DIVERGENCE.TYPE, DIVERGENCE.CHANGE_ID)
                .values(ownerId, zone, source, reason, detail, name, type, changeId).returning(DIVERGENCE.ID).fetchOne(DIVERGENCE.ID);
    }

    public List<DivergenceRow> divergences(DivergenceFilter f) {
        Condition where = DSL.trueCondition();
        if (f.zone() != null) {
            where = where.and(DIVERGENCE.ZONE_NAME.eq(Names.absoluteLower(f.zone())));
        }
        if (f.owner() != null) {
            where = where.and(OWNER.HANDLE.eq(f.owner()));
        }
        if (f.source() != null) {
            where = where.and(DIVERGENCE.SOURCE.eq(f.source()));
        }
        if (f.state() != null) {
            where = where.and(DIVERGENCE.STATE.eq(f.state()));
        } else if (!f.all()) {
            where = where.and(DIVERGENCE.STATE.notIn("fixed", "accepted"));
        }
        return divergences(where, f.limit());
    }

    public Optional<DivergenceRow> divergence(long id) {
        return divergences(DIVERGENCE.ID.eq(id), 1).stream().findFirst();
    }

    private List<DivergenceRow> divergences(Condition where, int limit) {
        return dsl.select(DIVERGENCE.ID, OWNER.HANDLE, DIVERGENCE.ZONE_NAME, DIVERGENCE.SOURCE, DIVERGENCE.REASON, DIVERGENCE.DETAIL, DIVERGENCE.STATE,
                        DIVERGENCE.NAME, DIVERGENCE.TYPE, DIVERGENCE.CHANGE_ID, DIVERGENCE.REJECT_ID, DIVERGENCE.NOTE, DIVERGENCE.UPDATED_BY,
                        DIVERGENCE.CREATED_AT, DIVERGENCE.UPDATED_AT)
                .from(DIVERGENCE).leftJoin(OWNER).on(OWNER.ID.eq(DIVERGENCE.OWNER_ID)).where(where).orderBy(DIVERGENCE.ID).limit(limit)
                .fetch(r -> new DivergenceRow(r.value1(), r.value2(), r.value3(), r.value4(), r.value5(), r.value6(), r.value7(), r.value8(), r.value9(),
                        r.value10(), r.value11(), r.value12(), r.value13(), r.value14(), r.value15()));
    }

    /** Entries by state. */
    public java.util.Map<String, Integer> divergenceCounts(String source) {
        return dsl.select(DIVERGENCE.STATE, DSL.count()).from(DIVERGENCE).where(source == null ? DSL.trueCondition() : DIVERGENCE.SOURCE.eq(source))
                .groupBy(DIVERGENCE.STATE).fetchMap(r -> r.value1(), r -> r.value2());
    }

    /**
     * Moves an entry to another state, with who and why. A mirrored backfill reject changes the
     * reject itself (the backfill's ledger), and the mirror follows.
     *
     * @return false when there is no such entry
     */
    public boolean setDivergenceState(long id, String state, String by, String note) {
        if (!DIVERGENCE_STATES.contains(state)) {
            throw new IllegalArgumentException("unknown state '" + state + "' (one of open, triaged, fixed, accepted, notified)");
        }
        return dsl.transactionResult(cfg -> {
            DSLContext tx = cfg.dsl();
            var row = tx.select(DIVERGENCE.REJECT_ID).from(DIVERGENCE).where(DIVERGENCE.ID.eq(id)).forUpdate().fetchOne();
            if (row == null) {
                return false;
            }
            Long rejectId = row.value1();
            if (rejectId != null) {
                tx.update(REJECT).set(REJECT.STATE, state)
                        .set(REJECT.RESOLVED_AT, "fixed".equals(state) || "accepted".equals(state) ? DSL.currentOffsetDateTime() : DSL.inline((OffsetDateTime) null))
                        .where(REJECT.ID.eq(rejectId)).execute();
            }
            tx.update(DIVERGENCE).set(DIVERGENCE.STATE, state).set(DIVERGENCE.UPDATED_BY, by).set(DIVERGENCE.NOTE, note)
                    .set(DIVERGENCE.UPDATED_AT, DSL.currentOffsetDateTime()).where(DIVERGENCE.ID.eq(id)).execute();
            return true;
        });
    }
}
