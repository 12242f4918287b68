package dnsmig.orchestrator.backfill;

import dnsmig.store.ImportOutcome;
import java.util.ArrayList;
import java.util.List;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStream;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * One partition's {@link ZoneTally}, kept in its step execution context so the report of a
 * resumed job still knows what earlier executions did (zones that failed, zones the safety
 * gate held back) rather than only what this process saw.
 *
 * <p>Outcomes of the chunk in progress are pending: Spring Batch saves the context inside the
 * chunk's transaction ({@link #update} sees committed + pending), so the database holds them
 * exactly when it holds the chunk; in memory they count (and reach the progress bar) once the
 * transaction commits, and are dropped if it rolls back. Step scoped: one per partition. Not
 * final: Spring proxies it.
 */
class PartitionTally implements ItemStream {

    private final BackfillProgress progress;
    private ZoneTally committed = new ZoneTally();
    private ZoneTally pending = new ZoneTally();
    private final List<Runnable> onCommit = new ArrayList<>();
    private boolean synchronizing;

    PartitionTally(BackfillProgress progress) {
        this.progress = progress;
    }

    @Override
    public void open(ExecutionContext context) {
        // A restarted partition starts from what its earlier executions committed.
        committed = context.containsKey(ZoneTally.KEY) ? ZoneTally.decode(context.getString(ZoneTally.KEY)) : new ZoneTally();
        pending = new ZoneTally();
        onCommit.clear();
    }

    @Override
    public void update(ExecutionContext context) {
        context.putString(ZoneTally.KEY, new ZoneTally().add(committed).add(pending).encode());
    }

    void committed(ZonePlan plan, ImportOutcome outcome) {
        pending.committed(plan, outcome);
        onCommit.add(() -> progress.committed(plan, outcome));
        synchronize();
    }

    void failed(ZoneSpec spec, Throwable error) {
        String reason = BackfillRunner.rootMessage(error);
        pending.failed(spec.zone(), reason);
        onCommit.add(() -> progress.failed(spec));
        synchronize();
    }

    private void synchronize() {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            settle(true);
            return;
        }
        if (synchronizing) {
            return;
        }
        synchronizing = true;
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                synchronizing = false;
                settle(status == STATUS_COMMITTED);
            }
        });
    }

    private void settle(boolean commit) {
        if (commit) {
            committed.add(pending);
            onCommit.forEach(Runnable::run);
        }
        pending = new ZoneTally();
        onCommit.clear();
    }
}
