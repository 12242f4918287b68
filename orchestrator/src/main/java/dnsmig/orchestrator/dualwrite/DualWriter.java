package dnsmig.orchestrator.dualwrite;

import dnsmig.legacy.ChangeSet;
import dnsmig.legacy.Failure;
import dnsmig.legacy.LegacyDns;
import dnsmig.legacy.RRsetChange;
import dnsmig.legacy.ReadOutcome;
import dnsmig.legacy.WriteOutcome;
import dnsmig.store.DualWriteStore;
import dnsmig.store.Rows;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Record;

/**
 * Takes one API write to the side(s) the current write mode says, and says what became of it.
 *
 * <ul>
 *   <li>{@code LEGACY_ONLY}: the legacy RRset is read (the change's {@code before}) and updated (RFC 2136 with prerequisites).
 *   <li>{@code CONCURRENT}: under the zone's lock (a session lock), the change is queued durably ({@code intent}, committed), sent to
 *       legacy, and marked {@code pending} for the {@link QueueApplier}; the legacy outcome answers the user. When the legacy
 *       outcome is unknown (an UPDATE sent whose answer was lost) the legacy RRset is read again to decide.
 *   <li>{@code SYNCHRONOUS}: one unit: zone lock, store transaction (queued concurrent-mode changes of the zone first, then the
 *       zone rules, then the RRset), legacy update, commit. Legacy fails: rollback. The commit fails after legacy applied: a
 *       compensating legacy update; that fails: the repair outbox (drained by {@link OutboxWorker}; metric and ERROR log).
 *   <li>{@code NEW_PRIMARY}: the store is the truth: as synchronous, but a legacy failure goes to the outbox in the same transaction
 *       and the write succeeds. {@code NEW_ONLY}: the store alone.
 * </ul>
 *
 * Resilience4j around both sides: the legacy adapter's circuit breaker and timeouts; here a
 * circuit breaker {@code store} (database failures) and a bulkhead {@code dual-writes}
 * (writes in flight). Changes to one zone are serialised by the zone's advisory lock, so both
 * sides apply them in the same order.
 */
public final class DualWriter {

    private static final Logger log = LoggerFactory.getLogger(DualWriter.class);
    static final String ORIGIN = "api";

    private final DualWriteStore store;
    private final LegacyDns legacy;
    private final DualWriteSettings settings;
    private final DualWriteMetrics metrics;
    private final QueueApplier applier;
    private final CircuitBreaker storeBreaker;
    private final Bulkhead bulkhead;

    public DualWriter(DualWriteStore store, LegacyDns legacy, DualWriteSettings settings, io.micrometer.core.instrument.MeterRegistry registry,
            QueueApplier applier) {
        this.store = store;
        this.legacy = legacy;
        this.settings = settings;
        this.metrics = new DualWriteMetrics(registry);
        this.applier = applier;
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .slidingWindow(20, 10, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED).failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(2)).permittedNumberOfCallsInHalfOpenState(3)
                .recordExceptions(DataAccessException.class).build());
        this.storeBreaker = breakers.circuitBreaker("store");
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(registry);
        BulkheadRegistry bulkheads = BulkheadRegistry.of(BulkheadConfig.custom().maxConcurrentCalls(settings.maxConcurrent())
                .maxWaitDuration(settings.bulkheadWait()).build());
        this.bulkhead = bulkheads.bulkhead("dual-writes");
        TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheads).bindTo(registry);
    }

    /**
     * A write whose database connection was lost (terminated, reset) before anything was sent to
     * the legacy side is tried again, at most 3 times, on a fresh connection: nothing of it
     * happened anywhere. Once legacy has been sent the change, the mode's own handling decides.
     */
    private DualWriteResult retryingConnectionLoss(WriteMode m, RRsetWrite w) {
        for (int attempt = 1; ; attempt++) {
            AtomicBoolean sent = new AtomicBoolean();
            try {
                return switch (m) {
                    case LEGACY_ONLY -> legacyOnly(w);
                    case CONCURRENT -> concurrent(w, sent);
                    case SYNCHRONOUS -> synchronous(w, sent);
                    case NEW_PRIMARY -> newPrimary(w, sent);
                    case NEW_ONLY -> newOnly(w);
                };
            } catch (DataAccessException e) {
                if (sent.get() || attempt >= 3 || !connectionLost(e)) {
                    throw e;
                }
                sleep(20L * attempt);
            }
        }
    }

    /**
     * The database connection went away (SQLSTATE class 08, or 57P01-57P03: terminated by an
     * administrator, shut down). Not when the pool could not hand out a connection within its
     * timeout (it carries the state of its last failed attempt, often 08001): the database is
     * unreachable, and asking again would only keep the caller waiting that long once more.
     */
    static boolean connectionLost(DataAccessException e) {
        for (Throwable c = e; c != null && c.getCause() != c; c = c.getCause()) {
            if (c instanceof java.sql.SQLTransientConnectionException) {
                return false;
            }
        }
        String state = e.sqlState();
        if (state != null && (state.startsWith("08") || state.startsWith("57P"))) {
            return true;
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof java.sql.SQLException sql && sql.getSQLState() != null && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    /** The mode in force now (read from the database at every write, so a switch takes effect at once in every process). */
    public WriteMode mode() {
        for (int attempt = 1; ; attempt++) {
            try {
                return WriteMode.parse(storeCall(store::currentMode).mode());
            } catch (DataAccessException e) {
                if (attempt >= 3 || !connectionLost(e)) {
                    throw e;
                }
            }
        }
    }

    /** A read of the store, tried again (at most 3 times) when its connection was lost: for the API's own look-ups (zone, token). */
    public static <T> T read(java.util.function.Supplier<T> read) {
        for (int attempt = 1; ; attempt++) {
            try {
                return read.get();
            } catch (DataAccessException e) {
                if (attempt >= 3 || !connectionLost(e)) {
                    throw e;
                }
            }
        }
    }

    /**
     * A look-up of the store on behalf of the API (its token, its zone): through the store's
     * circuit breaker, so that once the database has failed repeatedly a request is refused at
     * once ({@link CallNotPermittedException}) instead of waiting for a connection; tried again
     * when its connection was lost.
     */
    public <T> T lookup(java.util.function.Supplier<T> query) {
        return storeCall(() -> read(query));
    }

    public DualWriteResult write(RRsetWrite w) {
        long start = System.nanoTime();
        WriteMode mode = WriteMode.LEGACY_ONLY;
        DualWriteResult result;
        try {
            mode = mode();
            WriteMode m = mode;
            result = bulkhead.executeSupplier(() -> retryingConnectionLoss(m, w));
        } catch (BulkheadFullException e) {
            result = new DualWriteResult.Failed(mode, 503, "too many writes in flight (" + settings.maxConcurrent() + "); nothing was written: try again shortly");
        } catch (CallNotPermittedException e) {
            result = new DualWriteResult.Failed(mode, 503, "the database failed repeatedly and dnsmig stopped trying for a moment (circuit breaker 'store'"
                    + " open); nothing was written: try again shortly");
        } catch (DataAccessException e) {
            result = new DualWriteResult.Failed(mode, 503, "the database is unavailable (" + brief(e) + "); nothing was written: try again");
        }
        metrics.request(mode, result, Duration.ofNanos(System.nanoTime() - start));
        return result;
    }

    // ------------------------------------------------------------------ LEGACY_ONLY

    private DualWriteResult legacyOnly(RRsetWrite w) {
        ReadOutcome read = legacy.rrset(w.zone(), w.name(), w.type());
        if (!(read instanceof ReadOutcome.Zone now)) {
            return legacyFailure(WriteMode.LEGACY_ONLY, (Failure) read, "nothing was written");
        }
        if (w.conflictWith(now.records()) != null) {
            return new DualWriteResult.Conflict(WriteMode.LEGACY_ONLY, w.conflictWith(now.records()));
        }
        if (same(now.records(), w.after())) {
            return written(WriteMode.LEGACY_ONLY, w, "unchanged: legacy already holds it");
        }
        return switch (legacy.apply(changeSet(w, now.records(), w.after()))) {
            case WriteOutcome.Applied a when ignored(a) -> ignoredByLegacy(WriteMode.LEGACY_ONLY, a, "nothing was written");
            case WriteOutcome.Applied a -> written(WriteMode.LEGACY_ONLY, w, "legacy serial " + a.serialAfter());
            case WriteOutcome.Conflict c -> new DualWriteResult.Conflict(WriteMode.LEGACY_ONLY, c.message());
            case Failure f -> legacyFailure(WriteMode.LEGACY_ONLY, f, "the change may not have been applied: read the RRset to find out");
        };
    }

    // ------------------------------------------------------------------ CONCURRENT

    private DualWriteResult concurrent(RRsetWrite w, AtomicBoolean sent) {
        Optional<DualWriteStore.ZoneRef> zone = storeCall(() -> store.zone(w.zone()));
        Long ownerId = zone.map(DualWriteStore.ZoneRef::ownerId).orElse(null);
        return storeCall(() -> store.withZoneSession(w.zone(), settings.lockTimeout(), session -> {
            ReadOutcome read = legacy.rrset(w.zone(), w.name(), w.type());
            if (!(read instanceof ReadOutcome.Zone now)) {
                return legacyFailure(WriteMode.CONCURRENT, (Failure) read, "nothing was written");
            }
            if (w.conflictWith(now.records()) != null) {
                return new DualWriteResult.Conflict(WriteMode.CONCURRENT, w.conflictWith(now.records()));
            }
            if (same(now.records(), w.after())) {
                return written(WriteMode.CONCURRENT, w, "unchanged: legacy already holds it");
            }
            long id = session.enqueue(w.zone(), ownerId, w.nameText(), w.typeText(), Records.text(now.records()), Records.text(w.after()));
            sent.set(true);
            WriteOutcome o = legacy.apply(changeSet(w, now.records(), w.after()));
            return switch (o) {
                case WriteOutcome.Applied a when ignored(a) -> {
                    markQuietly(id, "dropped", "legacy ignored it (serial unchanged)");
                    yield ignoredByLegacy(WriteMode.CONCURRENT, a, "nothing was written");
                }
                case WriteOutcome.Applied a -> {
                    markPending(id);
                    yield written(WriteMode.CONCURRENT, w, "legacy serial " + a.serialAfter() + "; queued for the new side (change " + id + ")");
                }
                case WriteOutcome.Conflict c -> {
                    markQuietly(id, "dropped", "legacy conflict: " + c.message());
                    yield new DualWriteResult.Conflict(WriteMode.CONCURRENT, c.message());
                }
                case Failure.Unavailable u when maybeSent(u) -> resolveUnknown(w, id, now.records(), u);
                case Failure f -> {
                    markQuietly(id, "dropped", "legacy failed: " + f.message());
                    yield legacyFailure(WriteMode.CONCURRENT, f, "nothing was written");
                }
            };
        }));
    }

    /** Legacy did not answer: read the RRset to learn whether the UPDATE applied. */
    private DualWriteResult resolveUnknown(RRsetWrite w, long id, List<Record> before, Failure.Unavailable u) {
        ReadOutcome again = legacy.rrset(w.zone(), w.name(), w.type());
        if (again instanceof ReadOutcome.Zone z) {
            if (same(z.records(), w.after())) {
                markPending(id);
                return written(WriteMode.CONCURRENT, w, "legacy applied it (its answer was lost); queued for the new side (change " + id + ")");
            }
            if (same(z.records(), before)) {
                markQuietly(id, "dropped", "legacy did not apply it: " + u.message());
                return new DualWriteResult.Failed(WriteMode.CONCURRENT, 503, "the legacy server did not answer in time and did not apply the change ("
                        + u.message() + "); nothing was written: try again");
            }
        }
        // Still unknown: the intent stays queued; the applier reads legacy later and applies it to the store if legacy has it.
        markQuietly(id, "intent", "legacy outcome unknown: " + u.message());
        return new DualWriteResult.Failed(WriteMode.CONCURRENT, 503, "the legacy server did not answer and the change may or may not have been applied"
                + " there; it is queued (change " + id + ") and the new side will follow whatever the legacy side holds. Read the RRset before"
                + " trying again.");
    }

    private void markPending(long id) {
        // On a fresh connection, a few times: the session's connection may be the one the database just dropped. If all fail the row
        // stays an intent, which the applier resolves by reading the legacy side.
        for (int i = 0; i < 3; i++) {
            try {
                store.markQueued(id, "pending", null, Duration.ZERO);
                applier.wake();
                return;
            } catch (DataAccessException e) {
                sleep(100L * (i + 1));
            }
        }
        log.warn("change {} was applied to legacy but could not be marked pending (database unavailable); the applier will confirm it with the"
                + " legacy side and apply it", id);
    }

    private void markQuietly(long id, String state, String error) {
        try {
            store.markQueued(id, state, error, Duration.ZERO);
        } catch (DataAccessException e) {
            log.warn("change {}: could not record '{}' ({}); the applier will resolve it with the legacy side", id, state, brief(e));
        }
    }

    // ------------------------------------------------------------------ SYNCHRONOUS

    /** Thrown inside the store transaction to roll it back with an answer for the user. */
    private static final class Abort extends RuntimeException {
        final transient DualWriteResult result;
        final boolean outbox;

        Abort(DualWriteResult result, boolean outbox) {
            super(null, null, false, false);
            this.result = result;
            this.outbox = outbox;
        }
    }

    private DualWriteResult synchronous(RRsetWrite w, AtomicBoolean sent) {
        AtomicBoolean legacyApplied = new AtomicBoolean();
        List<Record>[] beforeHolder = new List[1];
        try {
            Optional<DualWriteResult> r = storeCall(() -> store.inZone(w.zone(), settings.lockTimeout(), tx -> {
                applier.drainInLock(tx);
                List<Record> zone = Records.records(tx.records());
                List<Record> before = rrset(zone, w);
                beforeHolder[0] = before;
                if (w.conflictWith(before) != null) {
                    throw new Abort(new DualWriteResult.Conflict(WriteMode.SYNCHRONOUS, w.conflictWith(before)), false);
                }
                if (same(before, w.after())) {
                    return written(WriteMode.SYNCHRONOUS, w, "unchanged: both sides already hold it");
                }
                List<ChangeValidator.FieldError> errors = ChangeValidator.zoneRules(w, zone);
                if (!errors.isEmpty()) {
                    throw new Abort(new DualWriteResult.Invalid(errors), false);
                }
                tx.replace(w.nameText(), w.typeText(), Records.rows(w.after()), ORIGIN);
                sent.set(true);
                WriteOutcome o = legacy.apply(changeSet(w, before, w.after()));
                switch (o) {
                    case WriteOutcome.Applied a when ignored(a) -> throw new Abort(ignoredByLegacy(WriteMode.SYNCHRONOUS, a, "the change is on neither side"), false);
                    case WriteOutcome.Applied a -> {
                        legacyApplied.set(true);
                        return written(WriteMode.SYNCHRONOUS, w, "both sides; legacy serial " + a.serialAfter());
                    }
                    case WriteOutcome.Conflict c -> throw new Abort(new DualWriteResult.Conflict(WriteMode.SYNCHRONOUS, c.message()
                            + " (the new side was not changed either; if this persists, run dnsmig reconcile for the zone)"), false);
                    case Failure.Unavailable u when maybeSent(u) -> {
                        // Sent, maybe applied: undo it on legacy before rolling back the store.
                        boolean undone = compensate(w, before);
                        throw new Abort(new DualWriteResult.Failed(WriteMode.SYNCHRONOUS, 503, "the legacy server did not answer in time (" + u.message()
                                + "); the change was rolled back on the new side" + (undone ? " and is on neither side: try again"
                                        : " and will be undone on the legacy side by the repair outbox: read the RRset before trying again")),
                                !undone);
                    }
                    case Failure f -> throw new Abort(legacyFailure(WriteMode.SYNCHRONOUS, f, "the change is on neither side"), false);
                }
            }));
            if (r.isEmpty()) {
                return notInStore(WriteMode.SYNCHRONOUS, w);
            }
            return r.get();
        } catch (Abort a) {
            if (a.outbox) {
                outbox(w, "synchronous write rolled back, legacy outcome unknown and compensation failed");
            }
            return a.result;
        } catch (DataAccessException | CallNotPermittedException e) {
            if (!legacyApplied.get()) {
                throw e; // nothing was sent to legacy: a plain database failure, nothing written
            }
            return commitFailed(w, beforeHolder[0], e);
        }
    }

    /** The store's commit failed after legacy applied: did it commit after all? If not, undo the legacy change. */
    private DualWriteResult commitFailed(RRsetWrite w, List<Record> before, RuntimeException e) {
        Boolean committed = null;
        for (int i = 0; i < 5 && committed == null; i++) {
            try {
                List<Rows.Rr> now = store.rrset(w.zone(), w.nameText(), w.typeText());
                committed = Records.rowsText(now).equals(Records.text(w.after()));
            } catch (DataAccessException again) {
                sleep(100L * (i + 1));
            }
        }
        if (Boolean.TRUE.equals(committed)) {
            return written(WriteMode.SYNCHRONOUS, w, "both sides (the commit's answer was lost, but it committed)");
        }
        if (committed == null) {
            // Cannot tell whether the store committed: undoing legacy blindly could split the sides. The outbox makes legacy follow the store.
            outbox(w, "synchronous write: store commit outcome unknown (" + brief(e) + "); legacy is made equal to the store");
            return new DualWriteResult.Failed(WriteMode.SYNCHRONOUS, 503, "the database failed while committing (" + brief(e) + ") and could not be"
                    + " asked whether the commit happened: the outcome is unknown; the repair outbox makes the legacy side equal to the store."
                    + " Read the RRset before trying again");
        }
        boolean undone = compensate(w, before);
        if (!undone) {
            outbox(w, "synchronous write: store commit failed (" + brief(e) + ") and the compensating legacy update failed");
        }
        return new DualWriteResult.Failed(WriteMode.SYNCHRONOUS, 503, "the database failed while committing (" + brief(e) + "); the legacy change "
                + (undone ? "was undone, so the write is on neither side: try again" : "could not be undone yet and is in the repair outbox: read the RRset"
                        + " before trying again"));
    }

    /** Puts legacy's RRset back to {@code before}. True when legacy now holds {@code before} (undone, or never applied). */
    private boolean compensate(RRsetWrite w, List<Record> before) {
        WriteOutcome o = legacy.apply(new ChangeSet(w.zone(), List.of(new RRsetChange(w.name(), w.type(), w.after(), before)), ORIGIN + "-compensation"));
        if (o instanceof WriteOutcome.Applied) {
            metrics.compensation("reverted");
            return true;
        }
        ReadOutcome now = legacy.rrset(w.zone(), w.name(), w.type());
        if (now instanceof ReadOutcome.Zone z && same(z.records(), before)) {
            metrics.compensation("not-applied");
            return true;
        }
        metrics.compensation("failed");
        return false;
    }

    private void outbox(RRsetWrite w, String reason) {
        for (int i = 0; i < 10; i++) {
            try {
                long id = store.addOutbox(w.zone(), w.nameText(), w.typeText(), reason);
                metrics.outboxAdded();
                log.error("ALERT repair outbox entry {}: {} {} {}: {}. The outbox worker will make the legacy RRset equal to the store's;"
                        + " watch dnsmig.dualwrite.outbox.open, or run 'dnsmig reconcile --zone {}'", id, w.zone(), w.nameText(), w.typeText(), reason, w.zone());
                return;
            } catch (DataAccessException e) {
                sleep(200L * (i + 1));
            }
        }
        log.error("ALERT {} {} {} could not be put in the repair outbox (database unavailable): {}. Legacy and the store may differ for this RRset:"
                + " run 'dnsmig reconcile --zone {} --repair legacy' once the database is back", w.zone(), w.nameText(), w.typeText(), reason, w.zone());
    }

    // ------------------------------------------------------------------ NEW_PRIMARY, NEW_ONLY

    private DualWriteResult newPrimary(RRsetWrite w, AtomicBoolean sent) {
        Optional<DualWriteResult> r;
        try {
            r = storeCall(() -> store.inZone(w.zone(), settings.lockTimeout(), tx -> {
                applier.drainInLock(tx);
                List<Record> zone = Records.records(tx.records());
                List<Record> before = rrset(zone, w);
                if (w.conflictWith(before) != null) {
                    throw new Abort(new DualWriteResult.Conflict(WriteMode.NEW_PRIMARY, w.conflictWith(before)), false);
                }
                if (same(before, w.after())) {
                    return written(WriteMode.NEW_PRIMARY, w, "unchanged");
                }
                List<ChangeValidator.FieldError> errors = ChangeValidator.zoneRules(w, zone);
                if (!errors.isEmpty()) {
                    throw new Abort(new DualWriteResult.Invalid(errors), false);
                }
                tx.replace(w.nameText(), w.typeText(), Records.rows(w.after()), ORIGIN);
                sent.set(true);
                WriteOutcome o = legacy.apply(changeSet(w, before, w.after()));
                if (o instanceof WriteOutcome.Applied a) {
                    return written(WriteMode.NEW_PRIMARY, w, "both sides; legacy serial " + a.serialAfter());
                }
                tx.outbox(w.nameText(), w.typeText(), "new-primary: legacy write failed: " + o);
                metrics.outboxAdded();
                log.warn("{} {} {} written to the store (the truth in NEW_PRIMARY); legacy failed ({}), repair outbox will bring it along", w.zone(),
                        w.nameText(), w.typeText(), o);
                return written(WriteMode.NEW_PRIMARY, w, "new side; the legacy copy follows through the repair outbox");
            }));
        } catch (Abort a) {
            return a.result;
        }
        return r.orElseGet(() -> notInStore(WriteMode.NEW_PRIMARY, w));
    }

    private DualWriteResult newOnly(RRsetWrite w) {
        Optional<DualWriteResult> r;
        try {
            r = storeCall(() -> store.inZone(w.zone(), settings.lockTimeout(), tx -> {
                List<Record> before = Records.records(tx.rrset(w.nameText(), w.typeText()));
                if (w.conflictWith(before) != null) {
                    throw new Abort(new DualWriteResult.Conflict(WriteMode.NEW_ONLY, w.conflictWith(before)), false);
                }
                List<ChangeValidator.FieldError> errors = ChangeValidator.zoneRules(w, Records.records(tx.records()));
                if (!errors.isEmpty()) {
                    throw new Abort(new DualWriteResult.Invalid(errors), false);
                }
                tx.replace(w.nameText(), w.typeText(), Records.rows(w.after()), ORIGIN);
                return written(WriteMode.NEW_ONLY, w, "new side");
            }));
        } catch (Abort a) {
            return a.result;
        }
        return r.orElseGet(() -> notInStore(WriteMode.NEW_ONLY, w));
    }

    // ------------------------------------------------------------------ helpers

    private <T> T storeCall(java.util.function.Supplier<T> call) {
        return storeBreaker.executeSupplier(call);
    }

    static ChangeSet changeSet(RRsetWrite w, List<Record> before, List<Record> after) {
        return new ChangeSet(w.zone(), List.of(new RRsetChange(w.name(), w.type(), before, after)), ORIGIN);
    }

    /**
     * Whether an unavailable legacy may have received the UPDATE: not when the circuit was open
     * (nothing sent) or the connection was refused (named not listening: nothing sent either).
     */
    private static boolean maybeSent(Failure.Unavailable u) {
        return !u.circuitOpen() && !u.message().startsWith("connection refused");
    }

    /** The write's RRset among a zone's records (names compare ignoring case). */
    private static List<Record> rrset(List<Record> zone, RRsetWrite w) {
        return zone.stream().filter(r -> r.getType() == w.type() && r.getName().equals(w.name())).toList();
    }

    static boolean same(List<Record> a, List<Record> b) {
        return Records.text(a).equals(Records.text(b));
    }

    private static DualWriteResult written(WriteMode mode, RRsetWrite w, String detail) {
        List<String> recs = w.after().isEmpty() ? List.of() : List.of(Records.text(w.after()).split("\n"));
        return new DualWriteResult.Written(mode, w.zone(), w.nameText(), w.typeText(), recs, detail);
    }

    private static DualWriteResult notInStore(WriteMode mode, RRsetWrite w) {
        return new DualWriteResult.Failed(mode, 404, "zone " + w.zone() + " is not in the record store: backfill it first");
    }

    /**
     * named answers NOERROR to an UPDATE it silently ignores — other data beside a CNAME, a CNAME
     * beside other data (RFC 2136 §3.4.2.2) — and then its serial does not move. Only a change
     * that alters the RRset is ever sent, so an unmoved serial means nothing was applied.
     */
    private static boolean ignored(WriteOutcome.Applied a) {
        return a.serialAfter() == a.serialBefore();
    }

    private static DualWriteResult ignoredByLegacy(WriteMode mode, WriteOutcome.Applied a, String where) {
        return new DualWriteResult.Failed(mode, 422, "the legacy server answered NOERROR but applied nothing (the serial of " + a.zone() + " stayed "
                + a.serialBefore() + "): BIND silently ignores an update that puts other data beside a CNAME or a CNAME beside other data"
                + " (RFC 2136 3.4.2.2); " + where);
    }

    private static DualWriteResult legacyFailure(WriteMode mode, Failure f, String where) {
        int status = f instanceof Failure.Unavailable ? 503 : 502;
        return new DualWriteResult.Failed(mode, status, "legacy server: " + f.message() + "; " + where);
    }

    static String brief(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
        int nl = m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl) : m;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
