package dnsmig.orchestrator.backfill;

import dnsmig.store.ImportOutcome;
import dnsmig.store.ImportPolicy;
import dnsmig.store.RecordStore;
import java.util.ArrayList;
import java.util.List;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Writes each converted zone through the record store (one zone at a time, atomically, under
 * its zone lock) inside the chunk's transaction; counts outcomes only once the chunk commits.
 */
class ZoneImportWriter implements ItemWriter<ZonePlan> {

    static final String ORIGIN = "backfill";

    private final RecordStore store;
    private final ImportPolicy policy;
    private final BackfillProgress progress;

    ZoneImportWriter(RecordStore store, ImportPolicy policy, BackfillProgress progress) {
        this.store = store;
        this.policy = policy;
        this.progress = progress;
    }

    @Override
    public void write(Chunk<? extends ZonePlan> chunk) {
        List<Runnable> onCommit = new ArrayList<>(chunk.size());
        for (ZonePlan plan : chunk) {
            ImportOutcome outcome = store.importZone(plan.zoneImport(), policy, ORIGIN);
            onCommit.add(() -> progress.committed(plan, outcome));
        }
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    onCommit.forEach(Runnable::run);
                }
            });
        } else {
            onCommit.forEach(Runnable::run);
        }
    }
}
