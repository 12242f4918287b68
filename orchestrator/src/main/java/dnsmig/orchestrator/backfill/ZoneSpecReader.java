package dnsmig.orchestrator.backfill;

import java.util.List;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.support.AbstractItemCountingItemStreamItemReader;

/**
 * Reads one partition's work list from its step execution context. Restartable: the count
 * of zones committed is saved with every chunk, and a restart continues after them.
 */
class ZoneSpecReader extends AbstractItemCountingItemStreamItemReader<ZoneSpec> {

    private final List<ZoneSpec> zones;
    private final BackfillProgress progress;

    ZoneSpecReader(List<ZoneSpec> zones, BackfillProgress progress) {
        this.zones = zones;
        this.progress = progress;
        setName("zones");
        setMaxItemCount(zones.size());
    }

    @Override
    public void open(ExecutionContext context) {
        super.open(context);
        int resumed = getCurrentItemCount();
        if (resumed > 0) {
            progress.alreadyDone(resumed, zones.subList(0, resumed).stream().mapToLong(ZoneSpec::bytes).sum());
        }
    }

    @Override
    protected ZoneSpec doRead() {
        int next = getCurrentItemCount() - 1;
        return next < zones.size() ? zones.get(next) : null;
    }

    @Override
    protected void jumpToItem(int itemIndex) {
        // the list is in memory: reading resumes at getCurrentItemCount() by itself
    }

    @Override
    protected void doOpen() {}

    @Override
    protected void doClose() {}
}
