package dnsmig.orchestrator.reconcile;

import dnsmig.store.ReconcileStore;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * A run's report, read back from the store (so a run of 10,000 zones is never held in memory):
 * a table, CSV (one row per difference and per zone not compared) or JSON (the run, its totals,
 * and each zone that is not clean with its differences).
 */
final class ReconcileReport {

    enum Format { table, csv, json }

    private ReconcileReport() {}

    static void print(ReconcileStore ledger, Reconciler.Result result, Format format, PrintWriter out) {
        switch (format) {
            case table -> table(ledger, result, out);
            case csv -> csv(ledger, result, out);
            case json -> json(ledger, result, out);
        }
        out.flush();
    }

    static String summary(Reconciler.Result r) {
        ReconcileStore.RunTotals t = r.totals();
        return "reconcile run " + r.runId() + ": " + t.zones() + " zone(s), " + t.cleanZones() + " clean, " + (t.zones() - t.cleanZones() - t.failedZones())
                + " differ (" + t.driftZones() + " with drift: edited out of band), " + t.failedZones() + " not compared; " + t.differences()
                + " RRset difference(s), " + t.repaired() + " repaired; in " + String.format(java.util.Locale.ROOT, "%.1f", r.took().toMillis() / 1000.0)
                + " s";
    }

    private static void table(ReconcileStore ledger, Reconciler.Result result, PrintWriter out) {
        out.println(summary(result));
        List<ReconcileStore.ZoneResult> notes = new ArrayList<>();
        for (ReconcileStore.ZoneResult z : ledger.zones(result.runId())) {
            if (!"clean".equals(z.status()) || z.message() != null) {
                notes.add(z);
            }
        }
        if (!notes.isEmpty()) {
            out.println();
            out.printf("%-30s %-12s %-13s %-10s %s%n", "ZONE", "OWNER", "STATUS", "CAUSE", "SERIALS (legacy / last seen) AND NOTE");
            for (ReconcileStore.ZoneResult z : notes) {
                out.printf("%-30s %-12s %-13s %-10s %s / %s%s%n", z.zone(), dash(z.owner()), z.status(), dash(z.cause()), dash(z.legacySerial()),
                        dash(z.seenSerial()), z.message() == null ? "" : "  " + z.message());
            }
        }
        boolean[] header = {false};
        ledger.differences(result.runId(), d -> {
            if (!header[0]) {
                out.println();
                out.printf("%-24s %-10s %-10s %-8s %-32s %-6s %-30s %s%n", "ZONE", "OWNER", "CAUSE", "KIND", "NAME", "TYPE", "LEGACY", "NEW");
                header[0] = true;
            }
            out.printf("%-24s %-10s %-10s %-8s %-32s %-6s %-30s %s%s%n", d.zone(), dash(d.owner()), d.cause(), d.kind(), d.name(), d.type(),
                    dash(d.legacyText()), dash(d.newText()), d.repaired() ? "  [repaired]" : "");
        });
    }

    private static void csv(ReconcileStore ledger, Reconciler.Result result, PrintWriter out) {
        out.println("run,zone,owner,status,cause,kind,name,type,legacy,new,repaired,note");
        for (ReconcileStore.ZoneResult z : ledger.zones(result.runId())) {
            if (!"clean".equals(z.status()) && !"differs".equals(z.status())) {
                out.println(String.join(",", Long.toString(result.runId()), q(z.zone()), q(z.owner()), z.status(), q(z.cause()), "", "", "", "", "", "false",
                        q(z.message())));
            }
        }
        ledger.differences(result.runId(), d -> out.println(String.join(",", Long.toString(result.runId()), q(d.zone()), q(d.owner()), "differs", d.cause(),
                d.kind(), q(d.name()), d.type(), q(d.legacyText()), q(d.newText()), Boolean.toString(d.repaired()), "")));
    }

    private static void json(ReconcileStore ledger, Reconciler.Result result, PrintWriter out) {
        JsonMapper mapper = JsonMapper.builder().build();
        ReconcileStore.RunTotals t = result.totals();
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("run", result.runId());
        head.put("zones", t.zones());
        head.put("clean", t.cleanZones());
        head.put("drift", t.driftZones());
        head.put("notCompared", t.failedZones());
        head.put("differences", t.differences());
        head.put("repaired", t.repaired());
        String h = mapper.writeValueAsString(head);
        out.println(h.substring(0, h.length() - 1) + ",\"zoneResults\":[");
        // zones and differences are both in zone order: merge them, one zone in memory at a time
        List<ReconcileStore.ZoneResult> zones = ledger.zones(result.runId()).stream().filter(z -> !"clean".equals(z.status())).toList();
        Map<String, List<Map<String, Object>>> pending = new LinkedHashMap<>();
        int[] next = {0};
        boolean[] first = {true};
        ledger.differences(result.runId(), d -> {
            while (next[0] < zones.size() && zones.get(next[0]).zone().compareTo(d.zone()) < 0) {
                emit(mapper, zones.get(next[0]++), pending.remove(zones.get(next[0] - 1).zone()), out, first);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", d.name());
            m.put("type", d.type());
            m.put("kind", d.kind());
            m.put("cause", d.cause());
            m.put("legacy", d.legacyText());
            m.put("new", d.newText());
            m.put("repaired", d.repaired());
            pending.computeIfAbsent(d.zone(), k -> new ArrayList<>()).add(m);
        });
        while (next[0] < zones.size()) {
            ReconcileStore.ZoneResult z = zones.get(next[0]++);
            emit(mapper, z, pending.remove(z.zone()), out, first);
        }
        out.println("]}");
    }

    private static void emit(JsonMapper mapper, ReconcileStore.ZoneResult z, List<Map<String, Object>> diffs, PrintWriter out, boolean[] first) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("zone", z.zone());
        m.put("owner", z.owner());
        m.put("status", z.status());
        m.put("cause", z.cause());
        m.put("legacySerial", z.legacySerial());
        m.put("seenSerial", z.seenSerial());
        m.put("note", z.message());
        m.put("differences", diffs == null ? List.of() : diffs);
        out.println((first[0] ? "" : ",") + mapper.writeValueAsString(m));
        first[0] = false;
    }

    private static String dash(Object o) {
        return o == null ? "-" : o.toString();
    }

    private static String q(String s) {
        return s == null ? "" : "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
