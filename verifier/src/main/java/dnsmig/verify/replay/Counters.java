package dnsmig.verify.replay;

import dnsmig.verify.confirm.Outcome;
import dnsmig.store.VerifyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Consistency counters per (nameserver, zone, window), and coverage per (zone, name, type),
 * held in memory and handed to the store by {@link #drainWindows} / {@link #drainCoverage}.
 * Every compared query counts in its zone's row and in the nameserver's all-zones row (zone
 * null); an outcome decided later counts in the window where the query was first compared.
 */
final class Counters {

    static final int COMPARED = 0;
    static final int MATCHED = 1;
    static final int CONFIRMED = 2;
    static final int TRANSIENT = 3;
    static final int SKEW = 4;
    static final int NOISE = 5;
    static final int TIMEOUTS = 6;

    record WindowKey(String nameserver, String zone, long start) {}

    /** The name as asked (dnsjava's names are equal and hash alike regardless of letter case); made text when drained. */
    record CoverageKey(String zone, org.xbill.DNS.Name qname, int qtype) {}

    private final long windowMillis;
    private final Map<WindowKey, AtomicLongArray> windows = new ConcurrentHashMap<>();
    private final Map<CoverageKey, LongAdder[]> coverage = new ConcurrentHashMap<>();

    Counters(Duration window) {
        this.windowMillis = window.toMillis();
    }

    long windowStart(Instant at) {
        long ms = at.toEpochMilli();
        return ms - Math.floorMod(ms, windowMillis);
    }

    void add(String nameserver, String zone, long windowStart, int counter) {
        add(nameserver, zone, windowStart, counter, -1);
    }

    /** Counts two counters at once (compared and matched: the common case, one map look-up per row); {@code second} -1 for none. */
    void add(String nameserver, String zone, long windowStart, int counter, int second) {
        AtomicLongArray all = windows.computeIfAbsent(new WindowKey(nameserver, null, windowStart), k -> new AtomicLongArray(7));
        all.incrementAndGet(counter);
        if (second >= 0) {
            all.incrementAndGet(second);
        }
        if (zone != null) {
            AtomicLongArray z = windows.computeIfAbsent(new WindowKey(nameserver, zone, windowStart), k -> new AtomicLongArray(7));
            z.incrementAndGet(counter);
            if (second >= 0) {
                z.incrementAndGet(second);
            }
        }
    }

    static int counterOf(Outcome o) {
        return switch (o) {
            case MATCHED -> MATCHED;
            case CONFIRMED -> CONFIRMED;
            case TRANSIENT -> TRANSIENT;
            case VERSION_SKEW -> SKEW;
            case NOISE -> NOISE;
        };
    }

    void covered(String zone, org.xbill.DNS.Name qname, int qtype, boolean probe) {
        coverage.computeIfAbsent(new CoverageKey(zone, qname, qtype), k -> new LongAdder[] {new LongAdder(), new LongAdder()})[probe ? 1 : 0].increment();
    }

    /** Takes the counts gathered since the last call (and forgets windows that ended long ago). */
    List<VerifyStore.WindowRow> drainWindows(long nowMillis) {
        List<VerifyStore.WindowRow> rows = new ArrayList<>();
        for (var it = windows.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            AtomicLongArray a = e.getValue();
            long[] v = new long[7];
            boolean any = false;
            for (int i = 0; i < 7; i++) {
                v[i] = a.getAndSet(i, 0);
                any |= v[i] != 0;
            }
            WindowKey k = e.getKey();
            if (any) {
                rows.add(new VerifyStore.WindowRow(k.nameserver(), k.zone(), Instant.ofEpochMilli(k.start()), Instant.ofEpochMilli(k.start() + windowMillis),
                        v[COMPARED], v[MATCHED], v[CONFIRMED], v[TRANSIENT], v[SKEW], v[NOISE], v[TIMEOUTS]));
            }
            if (k.start() + 10 * windowMillis < nowMillis) {
                it.remove();
            }
        }
        return rows;
    }

    List<VerifyStore.CoverageRow> drainCoverage() {
        List<VerifyStore.CoverageRow> rows = new ArrayList<>();
        for (var it = coverage.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            it.remove();
            long live = e.getValue()[0].sum();
            long probes = e.getValue()[1].sum();
            if (live + probes > 0) {
                rows.add(new VerifyStore.CoverageRow(e.getKey().zone(), e.getKey().qname().toString().toLowerCase(java.util.Locale.ROOT),
                        org.xbill.DNS.Type.string(e.getKey().qtype()), live, probes));
            }
        }
        return rows;
    }
}
