package dnsmig.orchestrator.backfill;

import dnsmig.store.ImportOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * Live counters of this process's run of the backfill, updated when a chunk commits (so a
 * rolled-back and retried chunk is never counted twice), read by the progress bar; the final
 * summary takes its rate and time from here and its figures from {@link BackfillTotals} (every
 * execution of the job, kept in the job repository).
 */
@Component
public class BackfillProgress {

    private final Clock clock;
    private volatile Instant started;
    private volatile long totalZones;
    private volatile long totalBytes;
    private final AtomicLong zones = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong previousZones = new AtomicLong();
    private final AtomicLong previousBytes = new AtomicLong();
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong warnings = new AtomicLong();
    private final AtomicLong created = new AtomicLong();
    private final AtomicLong updated = new AtomicLong();
    private final AtomicLong unchanged = new AtomicLong();
    private final AtomicLong unservable = new AtomicLong();
    private final AtomicLong held = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Map<String, AtomicLong> findingsByCode = new ConcurrentHashMap<>();

    public BackfillProgress() {
        this(Clock.systemUTC());
    }

    BackfillProgress(Clock clock) {
        this.clock = clock;
    }

    void begin(long zoneCount, long byteCount) {
        started = clock.instant();
        totalZones = zoneCount;
        totalBytes = byteCount;
    }

    /** Zones a previous, interrupted execution of the same job already committed. */
    void alreadyDone(long zoneCount, long byteCount) {
        previousZones.addAndGet(zoneCount);
        previousBytes.addAndGet(byteCount);
    }

    void committed(ZonePlan plan, ImportOutcome outcome) {
        zones.incrementAndGet();
        bytes.addAndGet(plan.spec().bytes());
        records.addAndGet(plan.zoneImport().records().size());
        errors.addAndGet(plan.errors());
        warnings.addAndGet(plan.warnings());
        plan.zoneImport().findings().forEach(f -> findingsByCode.computeIfAbsent(f.code() + " (" + f.severity().dbValue() + ")", k -> new AtomicLong()).incrementAndGet());
        if (!plan.zoneImport().servable()) {
            unservable.incrementAndGet();
        }
        switch (outcome) {
            case ImportOutcome.Created c -> {
                created.incrementAndGet();
                written.addAndGet(c.applied() ? c.records() : 0);
            }
            case ImportOutcome.Updated u -> {
                updated.incrementAndGet();
                written.addAndGet(u.applied() ? u.added() + u.removed() : 0);
            }
            case ImportOutcome.Unchanged ignored -> unchanged.incrementAndGet();
            case ImportOutcome.Blocked b -> held.incrementAndGet();
        }
    }

    void failed(ZoneSpec spec) {
        zones.incrementAndGet();
        bytes.addAndGet(spec.bytes());
        failed.incrementAndGet();
    }

    public Snapshot snapshot() {
        Instant s = started;
        Duration elapsed = s == null ? Duration.ZERO : Duration.between(s, clock.instant());
        Map<String, Long> codes = new TreeMap<>();
        findingsByCode.forEach((k, v) -> codes.put(k, v.get()));
        return new Snapshot(totalZones, totalBytes, previousZones.get() + zones.get(), previousBytes.get() + bytes.get(), bytes.get(),
                records.get(), written.get(), errors.get(), warnings.get(), created.get(), updated.get(), unchanged.get(), unservable.get(),
                held.get(), failed.get(), codes, elapsed);
    }

    /**
     * A consistent-enough view for display. {@code zonesDone}/{@code bytesDone} include what an
     * interrupted earlier execution committed; {@code bytesThisRun} is this run's own work
     * (the basis of rates and ETA); the other counters are this run's. {@code records} were
     * read from zone files; {@code written} rows were inserted or deleted.
     */
    public record Snapshot(long totalZones, long totalBytes, long zonesDone, long bytesDone, long bytesThisRun, long records, long written, long errors,
            long warnings, long created, long updated, long unchanged, long unservable, long held, long failed, Map<String, Long> findingsByCode,
            Duration elapsed) {

        public double recordsPerSecond() {
            double s = elapsed.toMillis() / 1000.0;
            return s <= 0 ? 0 : records / s;
        }

        /** Time left, estimated from this run's byte rate; null until there is a rate. */
        public Duration eta() {
            double s = elapsed.toMillis() / 1000.0;
            if (bytesThisRun <= 0 || s <= 0) {
                return null;
            }
            double left = Math.max(0, totalBytes - bytesDone) / (bytesThisRun / s);
            return Duration.ofMillis((long) (left * 1000));
        }
    }
}
