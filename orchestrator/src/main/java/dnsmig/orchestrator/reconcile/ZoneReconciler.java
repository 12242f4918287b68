package dnsmig.orchestrator.reconcile;

import dnsmig.legacy.ChangeSet;
import dnsmig.legacy.Failure;
import dnsmig.legacy.LegacyDns;
import dnsmig.legacy.RRsetChange;
import dnsmig.legacy.ReadOutcome;
import dnsmig.legacy.Serials;
import dnsmig.legacy.WriteOutcome;
import dnsmig.store.RecordStore;
import dnsmig.store.ReconcileStore;
import dnsmig.store.Rows;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * Reconciles one zone: transfer it from the legacy side, compare it with the store, tell drift
 * from divergence, repair when asked, and store the result. Holds one zone in memory at a time.
 */
final class ZoneReconciler {

    /** RRset changes per UPDATE when repairing the legacy side (a TCP DNS message holds at most 64 KiB). */
    static final int CHANGES_PER_UPDATE = 100;

    private final LegacyDns legacy;
    private final RecordStore records;
    private final ReconcileStore ledger;
    private final Repair repair;

    ZoneReconciler(LegacyDns legacy, RecordStore records, ReconcileStore ledger, Repair repair) {
        this.legacy = legacy;
        this.records = records;
        this.ledger = ledger;
        this.repair = repair;
    }

    /** A zone's result, as counted in the run's totals. */
    record Outcome(String status, String cause, int differences, int repaired, boolean failedRepair) {}

    Outcome reconcile(String zone, java.util.function.Consumer<ReconcileStore.ZoneSave> sink) {
        Optional<RecordStore.ZoneInfo> info = records.zone(zone);
        String owner = info.map(RecordStore.ZoneInfo::owner).orElse(null);
        ReadOutcome read = legacy.read(zone);
        if (read instanceof Failure f) {
            return save(sink, new ReconcileStore.ZoneResult(zone, owner, "failed", null, null, null, 0, 0, 0, 0, "legacy side: " + f.message()), List.of());
        }
        ReadOutcome.Zone lz = (ReadOutcome.Zone) read;
        if (info.isEmpty()) {
            List<RRsetComparison.Difference> all = RRsetComparison.compare(lz.records(), List.of());
            Outcome o = save(sink, new ReconcileStore.ZoneResult(zone, null, "not-in-new", "divergence", lz.serial(), null, lz.records().size(), 0,
                    all.size(), 0, "the legacy zone is not in the store: import it with dnsmig backfill (it needs the zone's owner)"),
                    rows(zone, null, "divergence", all, false));
            return new Outcome(o.status(), o.cause(), o.differences(), 0, repair != null);
        }
        List<Rows.Rr> storeRows = records.records(zone);
        List<RRsetComparison.Difference> diffs;
        try {
            diffs = RRsetComparison.compare(lz.records(), storeRows);
        } catch (IllegalStateException e) {
            return save(sink, new ReconcileStore.ZoneResult(zone, owner, "failed", null, lz.serial(), null, lz.records().size(), storeRows.size(), 0, 0,
                    e.getMessage()), List.of());
        }
        Optional<ReconcileStore.Seen> seenRow = ledger.seen(zone);
        long seen = seenRow.map(ReconcileStore.Seen::serial).orElse(info.get().serial());
        long journalFrom = seenRow.map(ReconcileStore.Seen::lastWriteId).orElse(0L);
        List<ReconcileStore.LegacyWriteEntry> writes = ledger.legacyWritesSince(zone, journalFrom);
        long journalAt = writes.isEmpty() ? journalFrom : writes.get(writes.size() - 1).id();
        boolean ours = DriftCheck.accountedFor(seen, seenRow.isPresent(), writes, lz.serial());
        String cause = ours ? "divergence" : "drift";
        String why = ours ? null : "the legacy serial moved from " + seen + " to " + lz.serial() + " without dnsmig: edited out of band";

        if (diffs.isEmpty()) {
            return save(sink, new ReconcileStore.ZoneResult(zone, owner, "clean", null, lz.serial(), seen, lz.records().size(), storeRows.size(), 0, 0,
                    ours ? null : why + ", but both sides agree"), List.of(), new ReconcileStore.Seen(lz.serial(), journalAt));
        }
        if (repair == null) {
            return save(sink, new ReconcileStore.ZoneResult(zone, owner, "differs", cause, lz.serial(), seen, lz.records().size(), storeRows.size(),
                    diffs.size(), 0, why), rows(zone, owner, cause, diffs, false));
        }
        String problem = null;
        ReconcileStore.Seen nowSeen = null;
        int repaired;
        if (repair == Repair.new_) {
            List<ReconcileStore.RRset> sets = new ArrayList<>();
            for (RRsetComparison.Difference d : diffs) {
                sets.add(new ReconcileStore.RRset(d.name(), d.typeName(), d.legacy().stream().map(RRsetComparison::row).toList()));
            }
            if (ledger.replaceRRsets(zone, sets, "reconcile")) {
                repaired = diffs.size();
                nowSeen = new ReconcileStore.Seen(lz.serial(), journalAt);
            } else {
                repaired = 0;
                problem = "repair stopped: the zone was deleted from the store meanwhile";
            }
        } else {
            repaired = 0;
            long serial = lz.serial();
            for (int from = 0; from < diffs.size() && problem == null; from += CHANGES_PER_UPDATE) {
                List<RRsetComparison.Difference> chunk = diffs.subList(from, Math.min(diffs.size(), from + CHANGES_PER_UPDATE));
                List<RRsetChange> changes = new ArrayList<>();
                for (RRsetComparison.Difference d : chunk) {
                    changes.add(new RRsetChange(RRsetComparison.name(d.name()), d.type(), d.legacy(), towardsStore(d, serial)));
                }
                WriteOutcome o = legacy.apply(new ChangeSet(zone, changes, "reconcile"));
                switch (o) {
                    case WriteOutcome.Applied a -> {
                        repaired += chunk.size();
                        serial = a.serialAfter();
                    }
                    case WriteOutcome.Conflict c -> problem = "repair stopped: " + c.message() + " " + c.rrsets();
                    case Failure f -> problem = "repair stopped: " + f.message();
                }
            }
            if (problem == null) {
                List<ReconcileStore.LegacyWriteEntry> ours2 = ledger.legacyWritesSince(zone, journalAt);
                nowSeen = new ReconcileStore.Seen(serial, ours2.isEmpty() ? journalAt : ours2.get(ours2.size() - 1).id());
            }
        }
        List<ReconcileStore.Difference> rows = rows(zone, owner, cause, diffs, false);
        for (int i = 0; i < repaired; i++) {
            ReconcileStore.Difference d = rows.get(i);
            rows.set(i, new ReconcileStore.Difference(d.zone(), d.owner(), d.name(), d.type(), d.kind(), d.cause(), d.legacyText(), d.newText(), true));
        }
        String message = problem != null ? problem : why;
        Outcome out = save(sink, new ReconcileStore.ZoneResult(zone, owner, "differs", cause, lz.serial(), seen, lz.records().size(), storeRows.size(),
                diffs.size(), repaired, message), rows, nowSeen);
        return new Outcome(out.status(), out.cause(), out.differences(), out.repaired(), problem != null);
    }

    /**
     * The store's records for an RRset, as the legacy side must get them. An SOA keeps the
     * store's fields but takes a serial above the legacy one (BIND ignores an SOA whose serial
     * does not go up).
     */
    private static List<Record> towardsStore(RRsetComparison.Difference d, long legacySerial) {
        if (d.type() != Type.SOA) {
            return d.store();
        }
        List<Record> out = new ArrayList<>();
        for (Record r : d.store()) {
            SOARecord s = (SOARecord) r;
            long serial = Serials.greater(s.getSerial(), legacySerial) ? s.getSerial() : Serials.next(legacySerial);
            out.add(new SOARecord(s.getName(), s.getDClass(), s.getTTL(), s.getHost(), s.getAdmin(), serial, s.getRefresh(), s.getRetry(), s.getExpire(),
                    s.getMinimum()));
        }
        return out;
    }

    private static List<ReconcileStore.Difference> rows(String zone, String owner, String cause, List<RRsetComparison.Difference> diffs, boolean repaired) {
        List<ReconcileStore.Difference> out = new ArrayList<>(diffs.size());
        for (RRsetComparison.Difference d : diffs) {
            out.add(new ReconcileStore.Difference(zone, owner, d.name(), d.typeName(), d.kind().name(), cause, RRsetComparison.Difference.text(d.legacy()),
                    RRsetComparison.Difference.text(d.store()), repaired));
        }
        return out;
    }

    private static Outcome save(java.util.function.Consumer<ReconcileStore.ZoneSave> sink, ReconcileStore.ZoneResult z,
            List<ReconcileStore.Difference> diffs) {
        return save(sink, z, diffs, null);
    }

    private static Outcome save(java.util.function.Consumer<ReconcileStore.ZoneSave> sink, ReconcileStore.ZoneResult z,
            List<ReconcileStore.Difference> diffs, ReconcileStore.Seen seen) {
        sink.accept(new ReconcileStore.ZoneSave(z, diffs, seen));
        return new Outcome(z.status(), z.cause(), z.differences(), z.repaired(), false);
    }
}
