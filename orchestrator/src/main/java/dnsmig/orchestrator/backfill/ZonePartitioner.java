package dnsmig.orchestrator.backfill;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * Splits the zone list into contiguous ranges of about equal bytes, so threads finish
 * together. A partition's step execution context holds only its range ({@code from}, {@code
 * to}): Spring Batch rewrites that context with every chunk, so it must stay small whatever
 * the number of zones. The list itself is read again from the inputs, which the job's
 * identity pins (a changed input list makes a new run, never a resumed one).
 */
final class ZonePartitioner implements Partitioner {

    static final String FROM = "from";
    static final String TO = "to";

    private final List<ZoneSpec> zones;

    ZonePartitioner(List<ZoneSpec> zones) {
        this.zones = zones;
    }

    @Override
    public Map<String, ExecutionContext> partition(int gridSize) {
        int parts = Math.max(1, Math.min(gridSize, zones.size()));
        long total = zones.stream().mapToLong(z -> Math.max(1, z.bytes())).sum();
        Map<String, ExecutionContext> out = new LinkedHashMap<>();
        int from = 0;
        long done = 0;
        for (int p = 0; p < parts; p++) {
            long target = total * (p + 1) / parts;
            int to = from;
            // Each partition takes at least one zone and leaves at least one for each later one.
            while (to < zones.size() - (parts - p - 1) && (to == from || done < target || p == parts - 1)) {
                done += Math.max(1, zones.get(to).bytes());
                to++;
            }
            ExecutionContext ctx = new ExecutionContext();
            ctx.putInt(FROM, from);
            ctx.putInt(TO, to);
            out.put(String.format("partition%04d", p), ctx);
            from = to;
        }
        return out;
    }

    /** The zones of one partition. */
    static List<ZoneSpec> slice(List<ZoneSpec> zones, ExecutionContext ctx) {
        return zones.subList(ctx.getInt(FROM), ctx.getInt(TO));
    }
}
