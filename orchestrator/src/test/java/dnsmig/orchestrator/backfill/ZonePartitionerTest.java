package dnsmig.orchestrator.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ZonePartitionerTest {

    @ParameterizedTest
    @CsvSource({
        "1, 1",      // one zone, one partition
        "3, 8",      // fewer zones than partitions: one zone each
        "100, 8",
        "1000, 8",
        "999, 7"})
    void rangesCoverEveryZoneOnceAndCarryAboutEqualBytes(int zones, int grid) {
        Random random = new Random(zones * 31L + grid);
        List<ZoneSpec> list = IntStream.range(0, zones)
                .mapToObj(i -> new ZoneSpec("z" + i + ".example.", Path.of("z" + i), "o", 100 + random.nextInt(i % 10 == 0 ? 50_000 : 2_000)))
                .toList();
        var parts = new ZonePartitioner(list).partition(grid);
        assertThat(parts).hasSize(Math.min(zones, grid));
        List<ZoneSpec> covered = new ArrayList<>();
        long largest = 0;
        for (var ctx : parts.values()) {
            List<ZoneSpec> slice = ZonePartitioner.slice(list, ctx);
            assertThat(slice).isNotEmpty();
            covered.addAll(slice);
            largest = Math.max(largest, slice.stream().mapToLong(ZoneSpec::bytes).sum());
        }
        assertThat(covered).containsExactlyElementsOf(list);
        long total = list.stream().mapToLong(ZoneSpec::bytes).sum();
        long biggestZone = list.stream().mapToLong(ZoneSpec::bytes).max().orElse(0);
        // No partition carries more than its share plus one zone.
        assertThat(largest).isLessThanOrEqualTo(total / parts.size() + biggestZone);
    }
}
