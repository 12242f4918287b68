package dnsmig.orchestrator.backfill;

import dnsmig.store.ImportOutcome;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * Counts what happened to zones, mergeable, and small enough to keep in a step execution
 * context whatever the number of zones: counters, finding codes, and the first {@value #SAMPLE}
 * zones by name of each list. Not thread-safe: one per partition, merged afterwards.
 */
final class ZoneTally {

    /** Zones kept by name in each list (the summary shows as many). */
    static final int SAMPLE = 20;
    /** Key of a partition's tally in its step execution context. */
    static final String KEY = "tally";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private long zones;
    private long records;
    private long written;
    private long errors;
    private long warnings;
    private long created;
    private long updated;
    private long unchanged;
    private long unservable;
    private long failed;
    private long held;
    private final Map<String, Long> codes = new TreeMap<>();
    private final TreeMap<String, String> failedZones = new TreeMap<>();
    private final TreeMap<String, String> heldZones = new TreeMap<>();
    private final TreeMap<String, String> changes = new TreeMap<>();

    void committed(ZonePlan plan, ImportOutcome outcome) {
        zones++;
        records += plan.zoneImport().records().size();
        errors += plan.errors();
        warnings += plan.warnings();
        plan.zoneImport().findings().forEach(f -> codes.merge(f.code() + " (" + f.severity().dbValue() + ")", 1L, Long::sum));
        if (!plan.zoneImport().servable()) {
            unservable++;
        }
        switch (outcome) {
            case ImportOutcome.Created c -> {
                created++;
                written += c.applied() ? c.records() : 0;
                if (!c.applied()) {
                    sample(changes, c.zone(), "would create: " + c.records() + " records, " + c.findings() + " findings");
                }
            }
            case ImportOutcome.Updated u -> {
                updated++;
                written += u.applied() ? u.added() + u.removed() : 0;
                if (!u.applied()) {
                    sample(changes, u.zone(), "would update: +" + u.added() + " -" + u.removed() + " records, " + u.findings() + " findings");
                }
            }
            case ImportOutcome.Unchanged ignored -> unchanged++;
            case ImportOutcome.Blocked b -> {
                held++;
                sample(heldZones, b.zone(), b.reason());
            }
        }
    }

    void failed(String zone, String reason) {
        zones++;
        failed++;
        sample(failedZones, zone, reason);
    }

    ZoneTally add(BackfillTotals t) {
        zones += t.zones();
        records += t.records();
        written += t.written();
        errors += t.errors();
        warnings += t.warnings();
        created += t.created();
        updated += t.updated();
        unchanged += t.unchanged();
        unservable += t.unservable();
        failed += t.failed();
        held += t.held();
        t.findingsByCode().forEach((k, v) -> codes.merge(k, v, Long::sum));
        t.failedZones().forEach((k, v) -> sample(failedZones, k, v));
        t.heldZones().forEach((k, v) -> sample(heldZones, k, v));
        t.changes().forEach((k, v) -> sample(changes, k, v));
        return this;
    }

    ZoneTally add(ZoneTally other) {
        return add(other.totals());
    }

    boolean isEmpty() {
        return zones == 0;
    }

    BackfillTotals totals() {
        return new BackfillTotals(zones, records, written, errors, warnings, created, updated, unchanged, unservable, failed, held, codes, failedZones,
                heldZones, changes);
    }

    String encode() {
        return JSON.writeValueAsString(totals());
    }

    static ZoneTally decode(String json) {
        return new ZoneTally().add(JSON.readValue(json, BackfillTotals.class));
    }

    private static void sample(TreeMap<String, String> list, String zone, String why) {
        list.put(zone, why);
        if (list.size() > SAMPLE) {
            list.pollLastEntry();
        }
    }
}
