package dnsmig.orchestrator.backfill;

import dnsmig.store.ImportOutcome;
import dnsmig.store.ImportPolicy;
import dnsmig.store.RecordStore;
import java.util.ArrayList;
import java.util.List;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes a chunk of converted zones through the record store in the chunk's transaction (each
 * zone atomically, under its zone lock; a constant number of round trips per chunk), and
 * records every zone's outcome in the partition's tally, saved in the same transaction.
 *
 * <p>A zone that fails on its own (the database refuses it) must not take the chunk's other
 * zones with it, and must be reported exactly once whatever happens next. So when the chunk
 * fails for such a reason, its zones are written again one at a time, each in a savepoint, and
 * the one that fails is recorded as failed, in the same transaction as the others' outcomes
 * and the reader's position. A transient failure (lock timeout, connection lost) instead undoes
 * the whole write and is left to Spring Batch's retry; if it persists the partition fails and
 * the same command resumes it. Zones that could not even be converted arrive as {@link
 * ZoneWork.Failed} and are recorded likewise.
 *
 * <p>Checks before and after that the backfill still holds its session lock. Not final: Spring
 * proxies it (step scope).
 */
class ZoneImportWriter implements ItemWriter<ZoneWork> {

    static final String ORIGIN = "backfill";

    private final RecordStore store;
    private final ImportPolicy policy;
    private final PartitionTally tally;
    private final BackfillLock lock;
    private final TransactionTemplate savepoint;

    ZoneImportWriter(RecordStore store, ImportPolicy policy, PartitionTally tally, BackfillLock lock, PlatformTransactionManager transactions) {
        this.store = store;
        this.policy = policy;
        this.tally = tally;
        this.lock = lock;
        this.savepoint = new TransactionTemplate(transactions);
        this.savepoint.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
    }

    /** What happened to one zone of the chunk. */
    private sealed interface Result {
        record Imported(ZonePlan plan, ImportOutcome outcome) implements Result {}

        record Failed(ZoneSpec spec, Throwable cause) implements Result {}
    }

    @Override
    public void write(Chunk<? extends ZoneWork> chunk) {
        lock.check();
        List<ZonePlan> plans = new ArrayList<>(chunk.size());
        for (ZoneWork work : chunk.getItems()) {
            if (work instanceof ZonePlan plan) {
                plans.add(plan);
            }
        }
        List<Result> results = new ArrayList<>(chunk.size());
        try {
            List<ImportOutcome> outcomes = plans.isEmpty() ? List.of() : store.importZones(plans.stream().map(ZonePlan::zoneImport).toList(), policy, ORIGIN);
            for (int i = 0; i < plans.size(); i++) {
                results.add(new Result.Imported(plans.get(i), outcomes.get(i)));
            }
        } catch (RuntimeException e) {
            if (!BackfillJobConfiguration.zoneFailure(e)) {
                throw e;
            }
            results.clear();
            // Everything of this fallback rolls back together if a transient failure interrupts it.
            savepoint.executeWithoutResult(status -> plans.forEach(plan -> results.add(one(plan))));
        }
        // Waiting for zone locks can take long: if the session lock was lost meanwhile, this
        // chunk rolls back rather than commit beside another backfill.
        lock.check();
        int next = 0;
        for (ZoneWork work : chunk.getItems()) {
            Result r = switch (work) {
                case ZonePlan plan -> results.get(next++);
                case ZoneWork.Failed failed -> new Result.Failed(failed.spec(), failed.cause());
            };
            switch (r) {
                case Result.Imported i -> tally.committed(i.plan(), i.outcome());
                case Result.Failed f -> tally.failed(f.spec(), f.cause());
            }
        }
    }

    /** One zone in its own savepoint: its outcome, or why it failed on its own. */
    private Result one(ZonePlan plan) {
        try {
            return new Result.Imported(plan, store.importZone(plan.zoneImport(), policy, ORIGIN));
        } catch (RuntimeException e) {
            if (!BackfillJobConfiguration.zoneFailure(e)) {
                throw e;
            }
            return new Result.Failed(plan.spec(), e);
        }
    }
}
