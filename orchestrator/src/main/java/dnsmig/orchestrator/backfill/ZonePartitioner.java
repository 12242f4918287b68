package dnsmig.orchestrator.backfill;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * Splits the zones into partitions of about equal bytes (largest zones first, each to the
 * lightest partition), so threads finish together. Each partition's work list (and the
 * directory its $INCLUDEs resolve against) is stored in its step execution context: a restart
 * works on exactly the same lists. Worker threads have no job scope, only their step's.
 */
final class ZonePartitioner implements Partitioner {

    static final String ZONES_KEY = "zones";
    static final String BASE_DIR_KEY = "baseDir";

    private final List<ZoneSpec> zones;
    private final java.nio.file.Path baseDir;

    ZonePartitioner(List<ZoneSpec> zones, java.nio.file.Path baseDir) {
        this.zones = zones;
        this.baseDir = baseDir;
    }

    @Override
    public Map<String, ExecutionContext> partition(int gridSize) {
        int parts = Math.max(1, Math.min(gridSize, zones.size()));
        List<List<ZoneSpec>> buckets = new ArrayList<>();
        long[] weight = new long[parts];
        for (int i = 0; i < parts; i++) {
            buckets.add(new ArrayList<>());
        }
        List<ZoneSpec> bySize = zones.stream().sorted(Comparator.comparingLong(ZoneSpec::bytes).reversed().thenComparing(ZoneSpec::zone)).toList();
        for (ZoneSpec z : bySize) {
            int lightest = 0;
            for (int i = 1; i < parts; i++) {
                if (weight[i] < weight[lightest]) {
                    lightest = i;
                }
            }
            buckets.get(lightest).add(z);
            weight[lightest] += Math.max(1, z.bytes());
        }
        Map<String, ExecutionContext> out = new LinkedHashMap<>();
        for (int i = 0; i < parts; i++) {
            ExecutionContext ctx = new ExecutionContext();
            ctx.putString(ZONES_KEY, buckets.get(i).stream().map(ZoneSpec::encode).collect(Collectors.joining("\n")));
            ctx.putString(BASE_DIR_KEY, baseDir.toString());
            out.put(String.format("partition%04d", i), ctx);
        }
        return out;
    }

    /** Where the partition's zone files resolve relative $INCLUDEs. */
    static java.nio.file.Path baseDirOf(ExecutionContext ctx) {
        return java.nio.file.Path.of(ctx.getString(BASE_DIR_KEY));
    }

    static List<ZoneSpec> zonesOf(ExecutionContext ctx) {
        String text = ctx.getString(ZONES_KEY, "");
        return text.isEmpty() ? List.of() : text.lines().map(ZoneSpec::decode).toList();
    }
}
