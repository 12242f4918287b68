package dnsmig.orchestrator.cli;

import dnsmig.orchestrator.backfill.BackfillProgress;
import dnsmig.orchestrator.backfill.BackfillReport;
import java.io.PrintWriter;
import java.util.Map;

/** The end-of-run summary: what happened, what needs attention, what to do next. */
final class BackfillSummary {

    private static final int LIST_LIMIT = 20;

    private BackfillSummary() {}

    static void print(BackfillReport r, PrintWriter out) {
        BackfillProgress.Snapshot s = r.snapshot();
        String what = r.dryRun() ? "backfill dry run" : "backfill run #" + r.run();
        String how = r.completed() ? "finished" : "FAILED (" + r.status() + ")";
        out.println();
        out.println(what + " " + how + " in " + Terminal.seconds(s.elapsed()) + (r.resumed() ? " (resumed an interrupted run)" : ""));
        if (!r.completed() && !r.exitDescription().isEmpty()) {
            out.println("  cause     " + r.exitDescription());
        }
        out.println("  zones     " + Terminal.count(s.zonesDone()) + " of " + Terminal.count(s.totalZones()) + ": " + Terminal.count(s.created())
                + (r.dryRun() ? " to create, " : " created, ") + Terminal.count(s.updated()) + (r.dryRun() ? " to update, " : " updated, ")
                + Terminal.count(s.unchanged()) + " unchanged, " + s.blocked().size() + " held by the safety gate, " + s.failed().size() + " failed");
        out.println("  records   " + Terminal.count(s.records()) + " read (" + Terminal.count((long) s.recordsPerSecond()) + " records/s), "
                + Terminal.count(s.written()) + " rows written");
        out.println("  findings  " + Terminal.count(s.errors() + s.warnings()) + ": " + Terminal.count(s.errors()) + " errors (not imported), "
                + Terminal.count(s.warnings()) + " warnings (imported, flagged)"
                + (s.unservable() > 0 ? "; " + s.unservable() + " zone(s) not servable until fixed" : ""));
        for (Map.Entry<String, Long> e : s.findingsByCode().entrySet()) {
            out.println("            " + String.format("%7s", Terminal.count(e.getValue())) + "  " + e.getKey());
        }
        for (String note : r.notes()) {
            out.println("  note      " + note);
        }
        list(out, "held back by the safety gate (review with --dry-run, apply with --force):", s.blocked());
        list(out, "failed (not imported; see the log above):", s.failed());
        if (r.dryRun()) {
            list(out, "would change (nothing was written):", s.changes());
        }
        out.println();
        if (!r.completed()) {
            out.println("next: fix the cause above, then run the same command again: it resumes from the last committed zone.");
        } else if (!s.blocked().isEmpty()) {
            out.println("next: check the held zones (`dnsmig backfill ... --dry-run`), then re-run with --force to apply them.");
        } else if (r.dryRun()) {
            out.println("next: run the same command without --dry-run to apply.");
        } else {
            out.println("next: `dnsmig rejects` lists every finding (--zone, --owner, --severity, --format csv|json).");
        }
    }

    private static void list(PrintWriter out, String title, Map<String, String> entries) {
        if (entries.isEmpty()) {
            return;
        }
        out.println(title);
        entries.entrySet().stream().limit(LIST_LIMIT).forEach(e -> out.println("  " + e.getKey() + "  " + e.getValue()));
        if (entries.size() > LIST_LIMIT) {
            out.println("  ... and " + (entries.size() - LIST_LIMIT) + " more");
        }
    }
}
