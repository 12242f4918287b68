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
 * Writes a chunk of converted zones through the record store in the chunk's transaction (each
 * zone atomically, under its zone lock; a constant number of round trips per chunk); counts
 * outcomes only once the chunk commits. Not final: Spring proxies it (step scope).
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
        List<ZonePlan> plans = new ArrayList<>(chunk.getItems());
        List<ImportOutcome> outcomes = store.importZones(plans.stream().map(ZonePlan::zoneImport).toList(), policy, ORIGIN);
        List<Runnable> onCommit = new ArrayList<>(plans.size());
        for (int i = 0; i < plans.size(); i++) {
            ZonePlan plan = plans.get(i);
            ImportOutcome outcome = outcomes.get(i);
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
