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
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the migration end to end on a bundled sample provider (a BIND named.conf with seven zones of five owners, several broken on purpose) and prints what happened at each phase: a local named as the legacy server, the backfill (twice) and its rejects, concurrent then synchronous dual writes, reconcile, three nameservers in legacy mode and a live query stream to them, the verifier on their dnstap, report mails to a local SMTP sink, ns1 to canary and new through the gates, a rollback, and every nameserver to new. It takes a few minutes and needs BIND 9 (named, named-checkzone). It uses a scratch database 'dnsmig_demo' of the local PostgreSQL, recreated on every run, so it never touches real data.",
                "", "Exit code 0 when every phase did what it should, else 1 (the failed phases are listed at the end)."},
        footer = {"", "Example:", "  ./dnsmig demo"})
final class DemoCommand implements Callable<Integer> {

    static final String DATABASE = "dnsmig_demo";
    /** The sample provider, packed into the jar from the repository's samples/ directory. */
    static final List<String> SAMPLE_FILES = List.of("named.conf", "named.conf.customers", "owners.csv", "queries.txt", "zones/common-ns.inc", "zones/db.192.0.2",
            "zones/db.acme-shop.example", "zones/db.acme.example", "zones/db.globex.example", "zones/db.hooli.example", "zones/db.initech.example",
            "zones/db.umbrella.example");

    @Option(names = "--backfill-only", description = "Only the backfill phases (no named needed): import, the second run, the rejects.")
    boolean backfillOnly;

    @Option(names = "--samples", paramLabel = "DIR", description = "Use this sample provider directory instead of the bundled one.")
    Path samples;

    // Not the DatabaseOptions mixin: the demo ignores DNSMIG_DB_URL and friends, which may well
    // point at the real database. Only a URL given here, on purpose, counts, and only if that
    // database holds no dnsmig data.
    @Option(names = "--db-url", paramLabel = "URL",
            description = "An empty PostgreSQL database to run the demo in instead of a scratch database of the local PostgreSQL"
                    + " (jdbc:postgresql://... or postgres://...). DNSMIG_DB_URL is ignored here; a database that already holds dnsmig data is refused.")
    String url;

    @Option(names = "--db-user", paramLabel = "USER", description = "User for --db-url.")
    String user;

    @Option(names = "--db-password", paramLabel = "PASSWORD", description = "Password for --db-url.")
    String password;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:DNSMIG_DATA_DIR}",
            description = "Data directory of the local PostgreSQL (env DNSMIG_DATA_DIR).")
    Path dataDir;

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

    private Integer demo(PrintWriter out, Path dir) throws Exception {
        LocalPostgres.Endpoint endpoint;
        if (this.url == null || this.url.isBlank()) {
            LocalPostgres pg = LocalPostgres.at(dataDir != null ? dataDir : LocalPostgres.defaultDataDir());
            phase(out, "0. database", "the local PostgreSQL in " + pg.dataDir() + ", scratch database '" + DATABASE + "' (recreated)");
            endpoint = pg.freshDatabase(DATABASE);
        } else {
            String shown = DatabaseOptions.redact(this.url.strip());
            endpoint = DatabaseOptions.parse(this.url, this.user, this.password);
            DatabaseOptions.check(endpoint, shown);
            refuseDnsmigData(endpoint, shown);
            phase(out, "0. database", shown + " (given with --db-url; it holds no dnsmig data)");
        }
        // In-process commands: the password never appears on a process command line.
        List<String> dbArgs = new ArrayList<>(List.of("--db-url", endpoint.jdbcUrl()));
        if (endpoint.user() != null) {
            dbArgs.addAll(List.of("--db-user", endpoint.user()));
        }
        if (endpoint.password() != null) {
            dbArgs.addAll(List.of("--db-password", endpoint.password()));
        }
        out.println("  sample provider: " + dir + " (named.conf, owners.csv, zones/, queries.txt)");
        try (DemoMigration migration = backfillOnly ? null : new DemoMigration(out, dir, endpoint, dbArgs)) {
            if (migration != null) {
                migration.legacy();
            }
            List<String> backfill = new ArrayList<>(List.of("backfill", "--named-conf", dir.resolve("named.conf").toString(), "--owners",
                    dir.resolve("owners.csv").toString()));
            backfill.addAll(dbArgs);

            phase(out, "2. backfill", "dnsmig backfill --named-conf " + dir.resolve("named.conf") + " --owners " + dir.resolve("owners.csv"));
            int first = run(backfill);
            if (first != ExitCode.OK) {
                return first;
            }
            phase(out, "3. backfill again", "the same command: it must change nothing");
            int second = run(backfill);
            if (second != ExitCode.OK) {
                return second;
            }
            phase(out, "4. rejects", "dnsmig rejects: what each owner must fix, with file:line");
            List<String> rejects = new ArrayList<>(List.of("rejects"));
            rejects.addAll(dbArgs);
            int third = run(rejects);
            if (third != ExitCode.OK || migration == null) {
                out.println();
                out.println("demo finished (backfill only). Next: `./dnsmig rejects --owner acme --format csv`, `./dnsmig backfill --help`.");
                out.flush();
                return third;
            }
            long t0 = System.nanoTime();
            List<String> failures = migration.run();
            out.println();
            if (failures.isEmpty()) {
                out.printf("demo finished: every phase did what it should (the migration part took %d s).%n", (System.nanoTime() - t0) / 1_000_000_000);
                out.println("Next: `./dnsmig --help`, the runbooks in runbooks/, `./dnsmig cutover --help`.");
                out.flush();
                return ExitCode.OK;
            }
            out.println("demo FAILED: " + failures.size() + " phase check(s) did not hold:");
            failures.forEach(f -> out.println("  - " + f));
            out.flush();
            return ExitCode.FAILED;
        }
    }

    /** The demo writes sample data: never into a database that holds dnsmig's (it could be the real one). */
    static void refuseDnsmigData(LocalPostgres.Endpoint db, String shown) {
        try (var c = db.connect(); var s = c.createStatement();
                var rs = s.executeQuery("select count(*) from pg_namespace where nspname = '" + dnsmig.store.StoreSchema.NAME + "'")) {
            rs.next();
            if (rs.getLong(1) > 0) {
                throw new IllegalArgumentException("the database " + shown + " already holds dnsmig data (schema '" + dnsmig.store.StoreSchema.NAME
                        + "'); the demo writes sample zones and runs only on a database without it. Create an empty one (createdb dnsmig_demo)"
                        + " or leave out --db-url to use a scratch database of the local PostgreSQL. Nothing was changed");
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("checking " + shown + " for dnsmig data: " + e.getMessage(), e);
        }
    }

    private int run(List<String> args) {
        return Main.commandLine(spec.commandLine().getOut(), spec.commandLine().getErr()).execute(args.toArray(String[]::new));
    }

    static void phase(PrintWriter out, String title, String what) {
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
