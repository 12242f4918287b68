package dnsmig.orchestrator.cli;

import dnsmig.orchestrator.backfill.BackfillReport;
import dnsmig.orchestrator.backfill.BackfillRequest;
import dnsmig.orchestrator.backfill.BackfillRunner;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    /**
     * Connections beyond one per thread: the backfill's session lock (and its watchdog), the
     * partition manager's job-repository updates, and the owners step / report queries.
     */
    static final int POOL_BEYOND_THREADS = 4;
    static final int MAX_THREADS = 256;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        validate();
        BackfillRequest request = request();
        for (Path p : new Path[] {request.namedConf(), request.zonesDir(), request.zoneList(), request.owners()}) {
            if (p != null && !Files.exists(p)) {
                throw new IllegalArgumentException(p + " does not exist");
            }
        }
        try (var ctx = AppContext.start(db.checkedEndpoint(), applicationProperties(request.threads()))) {
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

    /** Numbers that make no sense are usage errors here, before anything starts (exit 2). */
    void validate() {
        if (!(maxChange >= 0 && maxChange <= 1)) {
            throw new IllegalArgumentException("--max-change must be a share between 0 and 1 (0.3 holds back a zone that would lose more than 30 %), got "
                    + maxChange);
        }
        if (gateMinRecords < 0) {
            throw new IllegalArgumentException("--gate-min-records must be 0 or more, got " + gateMinRecords);
        }
        if (threads != null && (threads < 1 || threads > MAX_THREADS)) {
            throw new IllegalArgumentException("--threads must be between 1 and " + MAX_THREADS + ", got " + threads);
        }
        if (!List.of("auto", "always", "never").contains(progress)) {
            throw new IllegalArgumentException("--progress must be auto, always or never, got '" + progress + "'");
        }
    }

    /** The application's settings for a backfill on {@code threads} threads: a connection for each, and a few more. */
    static Map<String, Object> applicationProperties(int threads) {
        return Map.of("dnsmig.backfill.threads", threads, "dnsmig.db.pool-size", threads + POOL_BEYOND_THREADS);
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
        return report.heldZones() > 0 ? ExitCode.HELD : ExitCode.OK;
    }

}
