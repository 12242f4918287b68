package dnsmig.orchestrator.cli;

import dnsmig.orchestrator.backfill.BackfillProgress;
import dnsmig.orchestrator.backfill.BackfillReport;
import dnsmig.orchestrator.backfill.BackfillRequest;
import dnsmig.orchestrator.backfill.BackfillRunner;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "backfill", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Imports every legacy BIND zone into the record store: zone files are read as BIND reads them, entries the new system cannot take are rejected with file:line and reason (see `dnsmig rejects`), the rest is written zone by zone, atomically. Re-running changes nothing that did not change; a run that was interrupted resumes where it stopped when the same command is run again."},
        footer = {"", "Examples:", "  dnsmig backfill --named-conf /etc/bind/named.conf --owners owners.csv",
                "  dnsmig backfill --zones-dir /srv/zones --zone-list /srv/zones/zones.list --owners owners.csv --dry-run",
                "", "The owners file is CSV with a header: zone,owner,email", "", ExitCode.HELP})
final class BackfillCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--named-conf", paramLabel = "FILE", required = true,
                description = "BIND's named.conf: its primary zones are imported (include statements followed, relative paths"
                        + " resolved against options { directory } as BIND does).")
        Path namedConf;

        @ArgGroup(exclusive = false)
        ZonesDir zonesDir;
    }

    static final class ZonesDir {
        @Option(names = "--zones-dir", paramLabel = "DIR", required = true, description = "A directory of zone files.")
        Path dir;

        @Option(names = "--zone-list", paramLabel = "FILE", required = true,
                description = "The zones to import: one 'zone file' per line, file relative to --zones-dir.")
        Path list;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--owners", paramLabel = "FILE", required = true, description = "Who owns each zone: CSV with header zone,owner,email.")
    Path owners;

    @Option(names = "--view", paramLabel = "NAME", description = "With --named-conf: import only the zones of this view.")
    String view;

    @Option(names = "--dry-run", description = "Show what would change; write nothing.")
    boolean dryRun;

    @Option(names = "--force", description = "Apply changes the safety gate would hold back.")
    boolean force;

    @Option(names = "--max-change", paramLabel = "SHARE", defaultValue = "0.30",
            description = "Safety gate: hold back a zone whose re-import would delete or change more than this share of it (default: ${DEFAULT-VALUE}).")
    double maxChange;

    @Option(names = "--gate-min-records", paramLabel = "N", defaultValue = "10",
            description = "Safety gate: zones with fewer records are never held back (default: ${DEFAULT-VALUE}).")
    int gateMinRecords;

    @Option(names = "--threads", paramLabel = "N", description = "Zones converted and written in parallel (default: the number of CPUs).")
    Integer threads;

    @Option(names = "--unassigned-email", paramLabel = "EMAIL", defaultValue = "${env:DNSMIG_OPERATOR_EMAIL:-operators@localhost}",
            description = "Where reports of zones missing from the owners file go (env DNSMIG_OPERATOR_EMAIL; default: ${DEFAULT-VALUE}).")
    String unassignedEmail;

    @Option(names = "--progress", paramLabel = "WHEN", defaultValue = "auto",
            description = "Progress bar: auto (on a terminal), always, never; without a bar a line is printed every 10 s.")
    String progress;

    @Mixin
    DatabaseOptions db;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        BackfillRequest request = request();
        for (Path p : new Path[] {request.namedConf(), request.zonesDir(), request.zoneList(), request.owners()}) {
            if (p != null && !Files.exists(p)) {
                throw new IllegalArgumentException(p + " does not exist");
            }
        }
        int n = request.threads();
        try (var ctx = AppContext.start(db.endpoint(), Map.of("dnsmig.backfill.threads", n))) {
            BackfillRunner runner = ctx.getBean(BackfillRunner.class);
            boolean bar = switch (progress) {
                case "always" -> true;
                case "never" -> false;
                default -> Terminal.interactive();
            };
            BackfillReport report;
            try (ProgressBar ignored = new ProgressBar(spec.commandLine().getErr(), runner.progress()::snapshot, bar).start()) {
                report = runner.run(request);
            }
            BackfillSummary.print(report, out);
            out.flush();
            return exitCode(report);
        }
    }

    BackfillRequest request() {
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        return source.namedConf != null
                ? new BackfillRequest(source.namedConf, view, null, null, owners, dryRun, force, n, maxChange, gateMinRecords, unassignedEmail)
                : new BackfillRequest(null, view, source.zonesDir.dir, source.zonesDir.list, owners, dryRun, force, n, maxChange, gateMinRecords,
                        unassignedEmail);
    }

    static int exitCode(BackfillReport report) {
        if (!report.completed() || report.failedZones() > 0) {
            return ExitCode.FAILED;
        }
        return report.blockedZones() > 0 ? ExitCode.HELD : ExitCode.OK;
    }

}
