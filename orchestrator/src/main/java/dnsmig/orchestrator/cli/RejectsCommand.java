package dnsmig.orchestrator.cli;

import dnsmig.store.RecordStore;
import dnsmig.store.Rows;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.json.JsonMapper;

@Command(name = "rejects", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Lists what the backfill could not take as it was: errors (the entry was not imported) and warnings (imported, flagged), with zone, owner, file:line, the raw text and a message for the zone's owner. Findings stay listed while they persist across re-runs and are marked fixed when they disappear."},
        footer = {"", "Examples:", "  dnsmig rejects", "  dnsmig rejects --owner acme --severity error --format csv > acme-rejects.csv"})
final class RejectsCommand implements Callable<Integer> {

    enum Format { table, csv, json }

    enum Level {
        error, warning;

        Rows.Severity severity() {
            return this == error ? Rows.Severity.ERROR : Rows.Severity.WARNING;
        }
    }

    @Option(names = "--zone", paramLabel = "ZONE", description = "Only this zone.")
    String zone;

    @Option(names = "--owner", paramLabel = "OWNER", description = "Only this owner's zones.")
    String owner;

    @Option(names = "--severity", paramLabel = "LEVEL", description = "Only errors or only warnings: ${COMPLETION-CANDIDATES}.")
    Level severity;

    @Option(names = "--all", description = "Include findings already fixed.")
    boolean all;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format;

    @Mixin
    DatabaseOptions db;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<RecordStore.RejectView> rejects;
        boolean empty;
        try (StoreAccess access = new StoreAccess(db.checkedEndpoint())) {
            empty = access.empty();
            rejects = empty ? List.of() : read(access);
        }
        switch (format) {
            case table -> {
                if (empty) {
                    out.println("no findings: this database holds no dnsmig data yet (`dnsmig backfill` imports the zones)");
                } else {
                    table(rejects, out);
                }
            }
            case csv -> csv(rejects, out);
            case json -> out.println(JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(rejects.stream().map(RejectsCommand::json).toList()));
        }
        out.flush();
        return ExitCode.OK;
    }

    private List<RecordStore.RejectView> read(StoreAccess access) {
        try {
            return access.store.rejects(new RecordStore.RejectFilter(zone, owner == null ? null : owner.toLowerCase(Locale.ROOT),
                    severity == null ? null : severity.severity(), all));
        } catch (RuntimeException e) {
            if (access.state instanceof dnsmig.store.StoreSchema.State.Outdated o) {
                throw new DatabaseOptions.Unusable(ExitCode.FAILED, "the database's dnsmig schema is older than this dnsmig (" + o.pending()
                        + " migration(s) pending) and could not be read: " + Main.rootMessage(e) + ". Run a writing command (dnsmig backfill) to"
                        + " bring it up to date");
            }
            throw e;
        }
    }

    private static java.util.Map<String, Object> json(RecordStore.RejectView r) {
        var m = new java.util.LinkedHashMap<String, Object>();
        m.put("zone", r.zone());
        m.put("owner", r.owner());
        m.put("file", r.file());
        m.put("line", r.line());
        m.put("severity", r.severity().dbValue());
        m.put("code", r.code());
        m.put("message", r.message());
        m.put("text", r.rawText());
        m.put("state", r.state());
        m.put("firstSeen", r.firstSeen().toString());
        m.put("lastSeen", r.lastSeen().toString());
        return m;
    }

    private static void table(List<RecordStore.RejectView> rejects, PrintWriter out) {
        if (rejects.isEmpty()) {
            out.println("no findings");
            return;
        }
        int zw = Math.max(4, rejects.stream().mapToInt(r -> r.zone().length()).max().orElse(4));
        int ow = Math.max(5, rejects.stream().mapToInt(r -> r.owner().length()).max().orElse(5));
        int cw = Math.max(4, rejects.stream().mapToInt(r -> r.code().length()).max().orElse(4));
        String fmt = "%-" + zw + "s  %-" + ow + "s  %-7s  %-" + cw + "s  %s%n";
        out.printf(fmt, "ZONE", "OWNER", "LEVEL", "CODE", "WHERE / MESSAGE / TEXT");
        for (RecordStore.RejectView r : rejects) {
            out.printf(fmt, r.zone(), r.owner(), r.severity().dbValue(), r.code(), shortFile(r.file()) + ":" + r.line() + stateSuffix(r.state()));
            String indent = " ".repeat(zw + ow + cw + 15);
            out.println(indent + r.message());
            r.rawText().lines().limit(3).forEach(l -> out.println(indent + "| " + l));
        }
        long errors = rejects.stream().filter(r -> r.severity() == Rows.Severity.ERROR).count();
        out.printf("%n%d findings: %d errors (not imported), %d warnings (imported, flagged)%n", rejects.size(), errors, rejects.size() - errors);
    }

    private static String stateSuffix(String state) {
        return "open".equals(state) ? "" : "  [" + state + "]";
    }

    private static String shortFile(String file) {
        int slash = file.lastIndexOf('/');
        return slash >= 0 ? file.substring(slash + 1) : file;
    }

    private static void csv(List<RecordStore.RejectView> rejects, PrintWriter out) {
        out.println("zone,owner,file,line,severity,code,message,text,state");
        for (RecordStore.RejectView r : rejects) {
            out.println(String.join(",", q(r.zone()), q(r.owner()), q(r.file()), Integer.toString(r.line()), r.severity().dbValue(), q(r.code()),
                    q(r.message()), q(r.rawText()), r.state()));
        }
    }

    static String q(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
