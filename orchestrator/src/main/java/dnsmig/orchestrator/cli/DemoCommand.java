package dnsmig.orchestrator.cli;

import dnsmig.localpg.LocalPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the migration end to end on a bundled sample provider (a BIND named.conf with seven zones of five owners, several broken on purpose) and prints what happened at each phase. Today that is the backfill: import, a second run that changes nothing, and the rejects report. It uses a scratch database 'dnsmig_demo' of the local PostgreSQL, recreated on every run, so it never touches real data."},
        footer = {"", "Example:", "  ./dnsmig demo"})
final class DemoCommand implements Callable<Integer> {

    static final String DATABASE = "dnsmig_demo";
    /** The sample provider, packed into the jar from the repository's samples/ directory. */
    static final List<String> SAMPLE_FILES = List.of("named.conf", "named.conf.customers", "owners.csv", "zones/common-ns.inc", "zones/db.192.0.2",
            "zones/db.acme-shop.example", "zones/db.acme.example", "zones/db.globex.example", "zones/db.hooli.example", "zones/db.initech.example",
            "zones/db.umbrella.example");

    @Option(names = "--samples", paramLabel = "DIR", description = "Use this sample provider directory instead of the bundled one.")
    Path samples;

    @Mixin
    DatabaseOptions db;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path dir = samples != null ? samples : unpackSamples();
        try {
            return demo(out, dir);
        } finally {
            if (samples == null) {
                deleteTree(dir);
            }
        }
    }

    private Integer demo(PrintWriter out, Path dir) {
        String url;
        String user;
        String password;
        if (db.local()) {
            LocalPostgres pg = db.localPostgres();
            phase(out, "0. database", "the local PostgreSQL in " + pg.dataDir() + ", scratch database '" + DATABASE + "' (recreated)");
            LocalPostgres.Endpoint e = pg.freshDatabase(DATABASE);
            url = e.jdbcUrl();
            user = e.user();
            password = e.password();
        } else {
            phase(out, "0. database", DatabaseOptions.redact(db.url) + " (given with --db-url; it should be empty)");
            url = db.url;
            user = db.user;
            password = db.password;
        }
        // In-process commands: the password never appears on a process command line.
        List<String> dbArgs = new ArrayList<>(List.of("--db-url", url));
        if (user != null) {
            dbArgs.addAll(List.of("--db-user", user));
        }
        if (password != null) {
            dbArgs.addAll(List.of("--db-password", password));
        }
        out.println("  sample provider: " + dir + " (named.conf, owners.csv, zones/)");

        List<String> backfill = new ArrayList<>(List.of("backfill", "--named-conf", dir.resolve("named.conf").toString(), "--owners",
                dir.resolve("owners.csv").toString()));
        backfill.addAll(dbArgs);

        phase(out, "1. backfill", "dnsmig backfill --named-conf " + dir.resolve("named.conf") + " --owners " + dir.resolve("owners.csv"));
        int first = run(backfill);
        if (first != ExitCode.OK) {
            return first;
        }
        phase(out, "2. backfill again", "the same command: it must change nothing");
        int second = run(backfill);
        if (second != ExitCode.OK) {
            return second;
        }
        phase(out, "3. rejects", "dnsmig rejects: what each owner must fix, with file:line");
        List<String> rejects = new ArrayList<>(List.of("rejects"));
        rejects.addAll(dbArgs);
        int third = run(rejects);
        out.println();
        out.println("demo finished. Next: `./dnsmig rejects --owner acme --format csv`, `./dnsmig convert FILE --origin ZONE`,"
                + " `./dnsmig backfill --help`.");
        out.flush();
        return third;
    }

    private int run(List<String> args) {
        return Main.commandLine(spec.commandLine().getOut(), spec.commandLine().getErr()).execute(args.toArray(String[]::new));
    }

    private static void phase(PrintWriter out, String title, String what) {
        out.println();
        out.println("=== " + title + " === " + what);
        out.flush();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static Path unpackSamples() throws IOException {
        Path dir = Files.createTempDirectory("dnsmig-demo-samples");
        for (String f : SAMPLE_FILES) {
            try (InputStream in = DemoCommand.class.getResourceAsStream("/samples/" + f)) {
                if (in == null) {
                    throw new IllegalStateException("sample file " + f + " is missing from the dnsmig jar; rebuild it");
                }
                Path target = dir.resolve(f);
                Files.createDirectories(target.getParent());
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return dir;
    }
}
