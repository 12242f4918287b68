package dnsmig.orchestrator.cli;

import dnsmig.orchestrator.backfill.BackfillProgress;
import dnsmig.orchestrator.backfill.BackfillReport;
import dnsmig.orchestrator.backfill.BackfillTotals;
import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;

/**
 * The end-of-run summary: what happened, what needs attention, what to do next. Its figures
 * cover the whole job (a resumed run includes what the interrupted one did); time and rate are
 * this run's.
 */
final class BackfillSummary {

    private BackfillSummary() {}

    static void print(BackfillReport r, PrintWriter out) {
        BackfillTotals t = r.totals();
        BackfillProgress.Snapshot s = r.thisRun();
        String what = r.dryRun() ? "backfill dry run" : "backfill run #" + r.run();
        String how = r.completed() ? "finished" : "FAILED (" + r.status() + ")";
        out.println();
        out.println(what + " " + how + " in " + Terminal.seconds(s.elapsed()) + (r.resumed() ? " (resumed an interrupted run)" : ""));
        if (!r.completed() && !r.cause().isEmpty()) {
            out.println("  cause     " + r.cause());
        }
        out.println("  zones     " + Terminal.count(t.zones()) + " of " + Terminal.count(s.totalZones()) + ": " + Terminal.count(t.created())
                + (r.dryRun() ? " to create, " : " created, ") + Terminal.count(t.updated()) + (r.dryRun() ? " to update, " : " updated, ")
                + Terminal.count(t.unchanged()) + " unchanged, " + Terminal.count(t.held()) + " held by the safety gate, " + Terminal.count(t.failed())
                + " failed");
        out.println("  records   " + Terminal.count(t.records()) + " read (" + Terminal.count((long) s.recordsPerSecond()) + " records/s), "
                + Terminal.count(t.written()) + " rows written");
        out.println("  findings  " + Terminal.count(t.errors() + t.warnings()) + ": " + Terminal.count(t.errors()) + " errors (not imported), "
                + Terminal.count(t.warnings()) + " warnings (imported, flagged)"
                + (t.unservable() > 0 ? "; " + t.unservable() + " zone(s) not servable until fixed" : ""));
        for (Map.Entry<String, Long> e : new TreeMap<>(t.findingsByCode()).entrySet()) {
            out.println("            " + String.format("%7s", Terminal.count(e.getValue())) + "  " + e.getKey());
        }
        for (String note : r.notes()) {
            out.println("  note      " + note);
        }
        list(out, "held back by the safety gate (review with --dry-run, apply with --force):", t.heldZones(), t.held());
        list(out, "failed (not imported):", t.failedZones(), t.failed());
        if (r.dryRun()) {
            list(out, "would change (nothing was written):", t.changes(), t.created() + t.updated());
        }
        out.println();
        if (!r.completed()) {
            out.println("next: fix the cause above, then run the same command again: it resumes from the last committed zone.");
        } else if (t.failed() > 0) {
            out.println("next: fix why those zones failed, then run the same command again: a new run retries them (unchanged zones cost little).");
        } else if (t.held() > 0) {
            out.println("next: check the held zones (`dnsmig backfill ... --dry-run`), then re-run with --force to apply them.");
        } else if (r.dryRun()) {
            out.println("next: run the same command without --dry-run to apply.");
        } else {
            out.println("next: `dnsmig rejects` lists every finding (--zone, --owner, --severity, --format csv|json).");
        }
    }

    /** A sample of zones (by name) out of {@code count}. */
    private static void list(PrintWriter out, String title, Map<String, String> sample, long count) {
        if (count == 0) {
            return;
        }
        out.println(title);
        new TreeMap<>(sample).forEach((zone, why) -> out.println("  " + zone + "  " + why));
        if (count > sample.size()) {
            out.println("  ... and " + Terminal.count(count - sample.size()) + " more");
        }
    }
}
