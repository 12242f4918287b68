package dnsmig.store;

import static dnsmig.store.jooq.Tables.CUTOVER_AUDIT;
import static dnsmig.store.jooq.Tables.NAMESERVER_MODE;
import static dnsmig.store.jooq.Tables.RECONCILE_RUN;
import static dnsmig.store.jooq.Tables.RECONCILE_ZONE;
import static dnsmig.store.jooq.Tables.ZONE;

import dnsmig.store.jooq.tables.records.NameserverModeRecord;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.impl.DSL;

/**
 * The cutover's tables (V6): each nameserver's serving mode and the audit log of every change;
 * and what the gates read from the other features' tables. Those (the write mode of issue 5,
 * the verifier's windows and findings of issue 6) may not exist in a given database: they are
 * read with plain SQL, and a missing one comes back as {@link Probe.Missing} naming it, never
 * as an exception.
 */
public final class CutoverStore {

    /** The mode names stored (lower case); {@code canary} carries a percentage. */
    public static final List<String> MODES = List.of("legacy", "canary", "new");

    private final DSLContext dsl;

    public CutoverStore(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** The auto-rollback an advance armed: a failure rate over a window, or confirmed inconsistencies since the change. */
    public record Rollback(double failureRate, int windowSeconds, int minQueries, int confirmed) {}

    /** One nameserver's row. {@code rollback} is null when no auto-rollback is armed. */
    public record Mode(String nameserver, String mode, int percent, String previousMode, Integer previousPercent, String legacyAddress, long version,
            OffsetDateTime changedAt, String changedBy, String reason, Rollback rollback) {

        /** "legacy", "canary:25", "new". */
        public String label() {
            return label(mode, percent);
        }

        public String previousLabel() {
            return previousMode == null ? null : label(previousMode, previousPercent == null ? 0 : previousPercent);
        }

        public static String label(String mode, int percent) {
            return "canary".equals(mode) ? "canary:" + percent : mode;
        }
    }

    /** One audit entry. */
    public record Audit(long id, OffsetDateTime at, String nameserver, String action, String from, String to, String actor, String reason,
            String gates) {}

    // ------------------------------------------------------------------ modes

    public Optional<Mode> mode(String nameserver) {
        return dsl.selectFrom(NAMESERVER_MODE).where(NAMESERVER_MODE.NAMESERVER.eq(nameserver)).fetchOptional(CutoverStore::mode);
    }

    public List<Mode> modes() {
        return dsl.selectFrom(NAMESERVER_MODE).orderBy(NAMESERVER_MODE.NAMESERVER).fetch(CutoverStore::mode);
    }

    private static Mode mode(NameserverModeRecord r) {
        Rollback rb = Boolean.TRUE.equals(r.getRollbackArmed())
                ? new Rollback(r.getRollbackFailureRate(), r.getRollbackWindowS(), r.getRollbackMinQueries(), r.getRollbackConfirmed())
                : null;
        return new Mode(r.getNameserver(), r.getMode(), r.getCanaryPercent(), r.getPreviousMode(), r.getPreviousPercent(), r.getLegacyAddress(),
                r.getVersion(), r.getChangedAt(), r.getChangedBy(), r.getReason(), rb);
    }

    /**
     * Adds a nameserver in legacy mode if it is not there yet (a nameserver starts by forwarding
     * everything to the legacy server); records the legacy address if one is given. Returns its
     * row.
     */
    public Mode register(String nameserver, String legacyAddress, String actor) {
        return dsl.transactionResult(cfg -> {
            DSLContext tx = cfg.dsl();
            int added = tx.insertInto(NAMESERVER_MODE, NAMESERVER_MODE.NAMESERVER, NAMESERVER_MODE.LEGACY_ADDRESS, NAMESERVER_MODE.CHANGED_BY,
                            NAMESERVER_MODE.REASON)
                    .values(nameserver, legacyAddress, actor, "registered").onConflictDoNothing().execute();
            if (added > 0) {
                audit(tx, nameserver, "register", null, new Target("legacy", 0), actor, "registered in legacy mode", null);
            } else if (legacyAddress != null) {
                tx.update(NAMESERVER_MODE).set(NAMESERVER_MODE.LEGACY_ADDRESS, legacyAddress)
                        .where(NAMESERVER_MODE.NAMESERVER.eq(nameserver)).and(NAMESERVER_MODE.LEGACY_ADDRESS.isDistinctFrom(legacyAddress))
                        .execute();
            }
            return tx.selectFrom(NAMESERVER_MODE).where(NAMESERVER_MODE.NAMESERVER.eq(nameserver)).fetchOne(CutoverStore::mode);
        });
    }

    /** A mode to change to. */
    public record Target(String mode, int percent) {
        public Target {
            if (!MODES.contains(mode)) {
                throw new IllegalArgumentException("unknown serving mode '" + mode + "' (legacy, canary or new)");
            }
            if (percent < 0 || percent > 100) {
                throw new IllegalArgumentException("a canary percentage is 0 to 100, got " + percent);
            }
            percent = "canary".equals(mode) ? percent : 0;
        }

        public String label() {
            return Mode.label(mode, percent);
        }
    }

    /**
     * Changes a nameserver's mode if it is still at {@code expectedVersion} (so an automatic
     * rollback never overwrites an operator's change made meanwhile, nor the other way round),
     * with its audit entry, in one transaction. The mode left becomes the previous one, except
     * after a rollback, whose previous is legacy (a second rollback ends in legacy).
     *
     * @param armed the auto-rollback to arm (null: none)
     * @return the new row, or empty when the row was at another version (or is gone)
     */
    public Optional<Mode> change(String nameserver, long expectedVersion, Target to, String action, String actor, String reason, String gates,
            Rollback armed) {
        return dsl.transactionResult(cfg -> {
            DSLContext tx = cfg.dsl();
            NameserverModeRecord cur = tx.selectFrom(NAMESERVER_MODE).where(NAMESERVER_MODE.NAMESERVER.eq(nameserver)).forUpdate().fetchOne();
            if (cur == null || cur.getVersion() != expectedVersion) {
                return Optional.<Mode>empty();
            }
            boolean rollback = action.endsWith("rollback");
            String prevMode = rollback ? ("legacy".equals(to.mode()) ? null : "legacy") : cur.getMode();
            Integer prevPercent = rollback ? (prevMode == null ? null : 0) : cur.getCanaryPercent();
            tx.update(NAMESERVER_MODE)
                    .set(NAMESERVER_MODE.MODE, to.mode()).set(NAMESERVER_MODE.CANARY_PERCENT, to.percent())
                    .set(NAMESERVER_MODE.PREVIOUS_MODE, prevMode).set(NAMESERVER_MODE.PREVIOUS_PERCENT, prevPercent)
                    .set(NAMESERVER_MODE.VERSION, cur.getVersion() + 1).set(NAMESERVER_MODE.CHANGED_AT, DSL.currentOffsetDateTime())
                    .set(NAMESERVER_MODE.CHANGED_BY, actor).set(NAMESERVER_MODE.REASON, reason)
                    .set(NAMESERVER_MODE.ROLLBACK_ARMED, armed != null)
                    .set(NAMESERVER_MODE.ROLLBACK_FAILURE_RATE, armed == null ? null : armed.failureRate())
                    .set(NAMESERVER_MODE.ROLLBACK_WINDOW_S, armed == null ? null : armed.windowSeconds())
                    .set(NAMESERVER_MODE.ROLLBACK_MIN_QUERIES, armed == null ? null : armed.minQueries())
                    .set(NAMESERVER_MODE.ROLLBACK_CONFIRMED, armed == null ? null : armed.confirmed())
                    .where(NAMESERVER_MODE.NAMESERVER.eq(nameserver)).execute();
            audit(tx, nameserver, action, new Target(cur.getMode(), cur.getCanaryPercent()), to, actor, reason, gates);
            return Optional.of(tx.selectFrom(NAMESERVER_MODE).where(NAMESERVER_MODE.NAMESERVER.eq(nameserver)).fetchOne(CutoverStore::mode));
        });
    }

    /** An advance the gates refused, for the audit log. */
    public void refused(String nameserver, Target from, Target to, String actor, String reason, String gates) {
        audit(dsl, nameserver, "refused", from, to, actor, reason, gates);
    }

    private static void audit(DSLContext tx, String nameserver, String action, Target from, Target to, String actor, String reason, String gates) {
        tx.insertInto(CUTOVER_AUDIT, CUTOVER_AUDIT.NAMESERVER, CUTOVER_AUDIT.ACTION, CUTOVER_AUDIT.FROM_MODE, CUTOVER_AUDIT.FROM_PERCENT,
                        CUTOVER_AUDIT.TO_MODE, CUTOVER_AUDIT.TO_PERCENT, CUTOVER_AUDIT.ACTOR, CUTOVER_AUDIT.REASON, CUTOVER_AUDIT.GATES)
                .values(nameserver, action, from == null ? null : from.mode(), from == null ? null : from.percent(), to == null ? null : to.mode(),
                        to == null ? null : to.percent(), actor, reason, gates)
                .execute();
    }

    /** The newest {@code limit} audit entries (of one nameserver, or all when null), newest first. */
    public List<Audit> audit(String nameserver, int limit) {
        var q = dsl.selectFrom(CUTOVER_AUDIT).where(nameserver == null ? DSL.noCondition() : CUTOVER_AUDIT.NAMESERVER.eq(nameserver));
        return q.orderBy(CUTOVER_AUDIT.ID.desc()).limit(limit)
                .fetch(r -> new Audit(r.getId(), r.getAt(), r.getNameserver(), r.getAction(),
                        r.getFromMode() == null ? null : Mode.label(r.getFromMode(), r.getFromPercent() == null ? 0 : r.getFromPercent()),
                        r.getToMode() == null ? null : Mode.label(r.getToMode(), r.getToPercent() == null ? 0 : r.getToPercent()),
                        r.getActor(), r.getReason(), r.getGates()));
    }

    // ------------------------------------------------------------------ what the gates read

    /** Something read from a table another feature owns: there, or missing (with what is missing). */
    public sealed interface Probe<T> {
        record Present<T>(T value) implements Probe<T> {}

        record Missing<T>(String what) implements Probe<T> {}
    }

    private boolean exists(String relation) {
        return Boolean.TRUE.equals(dsl.fetchValue(DSL.field("to_regclass({0}) is not null", Boolean.class, DSL.val(relation))));
    }

    /**
     * The backfill as Spring Batch's job repository has it: the last backfill that wrote (not a
     * dry run), whether one is running, and how many zones the store holds.
     *
     * @param lastStatus status of the last writing backfill's last execution (COMPLETED, FAILED, ...; null: none ever ran)
     */
    public record BackfillState(String lastStatus, String lastExitCode, OffsetDateTime lastEnd, boolean running, long zones, long servableZones) {}

    public BackfillState backfill() {
        Table<?> exec = DSL.table(DSL.name("batch_job_execution"));
        Table<?> inst = DSL.table(DSL.name("batch_job_instance"));
        Table<?> params = DSL.table(DSL.name("batch_job_execution_params"));
        Field<Long> execId = DSL.field(DSL.name("batch_job_execution", "job_execution_id"), Long.class);
        Field<Long> execInst = DSL.field(DSL.name("batch_job_execution", "job_instance_id"), Long.class);
        Field<Long> instId = DSL.field(DSL.name("batch_job_instance", "job_instance_id"), Long.class);
        Field<String> jobName = DSL.field(DSL.name("batch_job_instance", "job_name"), String.class);
        Field<String> status = DSL.field(DSL.name("batch_job_execution", "status"), String.class);
        Field<String> exitCode = DSL.field(DSL.name("batch_job_execution", "exit_code"), String.class);
        Field<OffsetDateTime> end = DSL.field("{0}::timestamptz", OffsetDateTime.class, DSL.field(DSL.name("batch_job_execution", "end_time")));
        Field<Long> pExec = DSL.field(DSL.name("batch_job_execution_params", "job_execution_id"), Long.class);
        Field<String> pName = DSL.field(DSL.name("batch_job_execution_params", "parameter_name"), String.class);
        Field<String> pValue = DSL.field(DSL.name("batch_job_execution_params", "parameter_value"), String.class);
        var dryRun = DSL.exists(DSL.selectOne().from(params).where(pExec.eq(execId)).and(pName.eq("dry-run")).and(pValue.eq("true")));
        Record last = dsl.select(status, exitCode, end).from(exec).join(inst).on(execInst.eq(instId))
                .where(jobName.eq("backfill")).and(DSL.not(dryRun)).orderBy(execId.desc()).limit(1).fetchOne();
        boolean running = dsl.fetchExists(DSL.selectOne().from(exec).join(inst).on(execInst.eq(instId)).where(jobName.eq("backfill"))
                .and(status.in("STARTING", "STARTED", "STOPPING")));
        long zones = dsl.fetchCount(ZONE);
        long servable = dsl.fetchCount(ZONE, ZONE.SERVABLE.isTrue());
        return new BackfillState(last == null ? null : last.get(status), last == null ? null : last.get(exitCode), last == null ? null : last.get(end),
                running, zones, servable);
    }

    /** The write mode (issue 5's view {@code write_mode_current}). */
    public record WriteMode(String mode, OffsetDateTime changedAt, String changedBy, String reason) {}

    public Probe<WriteMode> writeMode() {
        if (!exists("write_mode_current")) {
            return new Probe.Missing<>("view write_mode_current (the dual-write modes, issue 5) is not in this database");
        }
        Record r = dsl.fetchOne("select mode::text, changed_at::timestamptz, changed_by::text, reason::text from write_mode_current limit 1");
        if (r == null) {
            return new Probe.Missing<>("view write_mode_current holds no row");
        }
        return new Probe.Present<>(new WriteMode(r.get(0, String.class), r.get(1, OffsetDateTime.class), r.get(2, String.class), r.get(3, String.class)));
    }

    /** The last finished reconcile of every zone. */
    public record ReconcileState(long run, OffsetDateTime finishedAt, int zones, int cleanZones, int failedZones, int differences, int repaired,
            int zonesOnOneSide) {
        public boolean clean() {
            return failedZones == 0 && differences <= repaired && zonesOnOneSide == 0;
        }
    }

    public Optional<ReconcileState> lastReconcile() {
        var r = dsl.selectFrom(RECONCILE_RUN).where(RECONCILE_RUN.STATUS.eq("done")).and(RECONCILE_RUN.SCOPE.eq("all"))
                .orderBy(RECONCILE_RUN.ID.desc()).limit(1).fetchOne();
        if (r == null) {
            return Optional.empty();
        }
        int oneSide = dsl.fetchCount(RECONCILE_ZONE, RECONCILE_ZONE.RUN_ID.eq(r.getId()).and(RECONCILE_ZONE.STATUS.in("not-in-new", "not-in-legacy"))
                .and(RECONCILE_ZONE.REPAIRED.lt(DSL.greatest(RECONCILE_ZONE.DIFFERENCES, DSL.inline(1)))));
        return Optional.of(new ReconcileState(r.getId(), r.getFinishedAt(), r.getZones(), r.getCleanZones(), r.getFailedZones(), r.getDifferences(),
                r.getRepaired(), oneSide));
    }

    /**
     * The verifier's last window for a nameserver over all its zones (issue 6's {@code
     * verify_window}, {@code zone_name} null), and its open findings (confirmed inconsistencies) seen in or after that
     * window (issue 6's {@code verify_finding}).
     */
    public record VerifyState(OffsetDateTime windowStart, OffsetDateTime windowEnd, long compared, long matched, long confirmed, long transientCount,
            long versionSkew, long confirmedFindings) {}

    public Probe<Optional<VerifyState>> lastWindow(String nameserver) {
        if (!exists("verify_window")) {
            return new Probe.Missing<>("table verify_window (the verifier's consistency windows, issue 6) is not in this database");
        }
        if (!exists("verify_finding")) {
            return new Probe.Missing<>("table verify_finding (the verifier's confirmed inconsistencies, issue 6) is not in this database");
        }
        Record w = dsl.fetchOne("select window_start::timestamptz, window_end::timestamptz, compared::bigint, matched::bigint, confirmed::bigint,"
                + " transient::bigint, version_skew::bigint from verify_window where nameserver = {0} and zone_name is null"
                + " order by window_end desc limit 1", DSL.val(nameserver));
        if (w == null) {
            return new Probe.Present<>(Optional.empty());
        }
        OffsetDateTime start = w.get(0, OffsetDateTime.class);
        Long findings = dsl.fetchValue(DSL.field("(select count(*) from verify_finding where nameserver = {0} and state = 'open'"
                + " and last_seen >= {1})", Long.class, DSL.val(nameserver), DSL.val(start)));
        return new Probe.Present<>(Optional.of(new VerifyState(start, w.get(1, OffsetDateTime.class), w.get(2, Long.class), w.get(3, Long.class),
                w.get(4, Long.class), w.get(5, Long.class), w.get(6, Long.class), findings == null ? 0 : findings)));
    }

    /**
     * Confirmed inconsistencies the verifier attributed to a nameserver since a moment: the sum of
     * its windows ending after it, or its open findings (confirmed, not fixed since) last seen after it, whichever is larger.
     */
    public Probe<Long> confirmedSince(String nameserver, OffsetDateTime since) {
        if (!exists("verify_window")) {
            return new Probe.Missing<>("table verify_window (issue 6) is not in this database");
        }
        Long windows = dsl.fetchValue(DSL.field("(select coalesce(sum(confirmed), 0)::bigint from verify_window where nameserver = {0}"
                + " and zone_name is null and window_end > {1})", Long.class, DSL.val(nameserver), DSL.val(since)));
        long findings = 0;
        if (exists("verify_finding")) {
            Long f = dsl.fetchValue(DSL.field("(select count(*) from verify_finding where nameserver = {0} and state = 'open'"
                    + " and last_seen > {1})", Long.class, DSL.val(nameserver), DSL.val(since)));
            findings = f == null ? 0 : f;
        }
        return new Probe.Present<>(Math.max(windows == null ? 0 : windows, findings));
    }
}
