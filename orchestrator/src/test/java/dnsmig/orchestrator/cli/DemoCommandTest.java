package dnsmig.orchestrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.testkit.Repo;
import dnsmig.testkit.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** README command 1 (`./dnsmig demo`), run in-process on a fresh test database. */
class DemoCommandTest {

    /**
     * The whole migration on the sample provider: a real named, the backfill, dual writes,
     * reconcile, three nameservers, the query stream, the verifier, report mails, the cutover and
     * a rollback. What the demo prints is checked, and what it left in the database.
     */
    @Test
    void theDemoRunsTheMigrationEndToEnd() throws Exception {
        TestPostgres.Database db = TestPostgres.newDatabase();
        long t0 = System.nanoTime();
        Cli.Run run = new Cli(db).run("demo");
        long seconds = (System.nanoTime() - t0) / 1_000_000_000;
        System.out.println(run.out());
        System.out.printf("demo: %d s%n", seconds);
        assertThat(run.exit()).as(run.toString()).isZero();
        String out = run.out();
        for (String phase : List.of("0. database", "1. legacy", "2. backfill", "3. backfill again", "4. rejects", "5. concurrent writes",
                "6. synchronous writes", "7. reconcile", "8. nameservers", "9. query stream and verifier", "10. report emails",
                "11. repair and verify again", "12. cutover ns1", "13. rollback ns1", "14. every nameserver to new", "15. the query stream")) {
            assertThat(out).as("phase " + phase).contains("=== " + phase + " ===");
        }
        assertThat(out).doesNotContain("FAILED:").contains("demo finished: every phase did what it should");
        // The legacy server loads the zones BIND accepts; the backfill takes all seven.
        assertThat(out).contains("named loads 4 of 7 zones", "named refuses hooli.example.", "7 created", "0 created, 0 updated, 7 unchanged",
                "cname-and-other-data", "no-soa");
        // named answered NOERROR to the A beside a CNAME and applied nothing: the user hears so (RFC 2136 3.4.2.2).
        assertThat(out).containsPattern("CONCURRENT PUT www\\.acme\\.example A .* -> 422 failed: the legacy server answered NOERROR but applied nothing");
        try (var c = db.dataSource().getConnection(); var s = c.createStatement()) {
            // The concurrent write legacy ignored (an A beside a CNAME) was refused to the user and queued nowhere.
            try (var rs = s.executeQuery("select count(*) from dnsmig.divergence where source = 'dual-write'")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
            // Every nameserver ends on the new system.
            try (var rs = s.executeQuery("select string_agg(nameserver || '=' || mode, ',' order by nameserver) from dnsmig.nameserver_mode")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("ns1=new,ns2=new,ns3=new");
            }
            // Each owner's mail lists only their own zones; initech's carries the planted inconsistency.
            Map<String, String> mails = new java.util.TreeMap<>();
            try (var rs = s.executeQuery("select m.recipient, m.text_body, coalesce(string_agg(z.name, ' '), '') from dnsmig.verify_mail m"
                    + " left join dnsmig.zone z on z.owner_id = m.owner_id where m.status = 'sent' and m.owner_id is not null group by m.id")) {
                while (rs.next()) {
                    mails.put(rs.getString(1), rs.getString(2));
                    List<String> own = List.of(rs.getString(3).split(" "));
                    for (String z : List.of("acme.example.", "acme-shop.example.", "globex.example.", "initech.example.", "hooli.example.",
                            "umbrella.example.", "2.0.192.in-addr.arpa.")) {
                        if (!own.contains(z)) {
                            assertThat(rs.getString(2)).as(rs.getString(1) + " gets nothing about " + z).doesNotContainPattern("(?m)^  " + java.util.regex.Pattern.quote(z) + " |\\(zone " + java.util.regex.Pattern.quote(z));
                        }
                    }
                }
            }
            assertThat(mails).containsKeys("dns-admin@acme.example", "hostmaster@globex.example", "it@initech.example", "noc@hooli.example");
            assertThat(mails.get("it@initech.example")).contains("ftp.initech.example. A: rdata");
        }
        assertThat(out).contains("To: dns-admin@acme.example", "To: it@initech.example", "To: noc@provider.example");
        // The gates passed on the verifier's real window; a rollback took effect within a second; no query was lost.
        assertThat(out).containsPattern("ok +verifier +100\\.000% consistent over \\d{4,} compared").containsPattern("ok +write mode +SYNCHRONOUS");
        Matcher rollback = Pattern.compile("ns1 serves canary:10 (\\d+) ms after the rollback was committed").matcher(out);
        assertThat(rollback.find()).as(out).isTrue();
        assertThat(Long.parseLong(rollback.group(1))).isLessThan(1000);
        assertThat(out).contains("\n  0 queries lost").containsPattern("ns1: \\d+ sent, \\d+ answered, 0 lost");
        assertThat(out + run.err()).doesNotContain(db.password());
    }

    @Test
    void theBackfillOnlyDemoEndsWithTheRejectsReport() {
        TestPostgres.Database db = TestPostgres.newDatabase();
        Cli.Run run = new Cli(db).run("demo", "--backfill-only");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).contains("=== 2. backfill ===", "7 created", "=== 3. backfill again ===", "0 created, 0 updated, 7 unchanged",
                "=== 4. rejects ===", "cname-and-other-data", "no-soa", "demo finished (backfill only)").doesNotContain("=== 1. legacy ===");
        // The password of the database never shows.
        assertThat(run.out() + run.err()).doesNotContain(db.password());
    }

    @Test
    void theDemoRefusesADatabaseThatHoldsDnsmigData() throws Exception {
        TestPostgres.Database db = TestPostgres.newDatabase();
        Cli cli = new Cli(db);
        assertThat(cli.run("backfill", "--named-conf", Repo.samples().resolve("named.conf").toString(), "--owners",
                Repo.samples().resolve("owners.csv").toString(), "--progress", "never").exit()).isZero();
        long changes = changeLog(db);
        Cli.Run demo = cli.run("demo");
        assertThat(demo.exit()).as(demo.toString()).isEqualTo(2);
        assertThat(demo.err()).contains("already holds dnsmig data").contains("Nothing was changed").doesNotContain(db.password());
        assertThat(changeLog(db)).isEqualTo(changes);
    }

    @Test
    void theDemoIgnoresDnsmigDbUrlInTheEnvironment(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        // The operator's shell points at the real database...
        TestPostgres.Database real = TestPostgres.newDatabase();
        Cli cli = new Cli(real);
        assertThat(cli.run("backfill", "--named-conf", Repo.samples().resolve("named.conf").toString(), "--owners",
                Repo.samples().resolve("owners.csv").toString(), "--progress", "never").exit()).isZero();
        long changes = changeLog(real);
        // ...and they try the demo: it must run in a scratch database of the local PostgreSQL.
        Path dataDir = Files.createTempDirectory(Path.of("/tmp"), "dnsmig-demo-env");
        Files.setPosixFilePermissions(dataDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                    "dnsmig.orchestrator.cli.Main", "demo", "--backfill-only", "--data-dir", dataDir.resolve("data").toString())
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("demo.log").toFile());
            pb.environment().put("DNSMIG_DB_URL", real.jdbcUrl());
            pb.environment().put("DNSMIG_DB_USER", real.user());
            pb.environment().put("DNSMIG_DB_PASSWORD", real.password());
            Process p = pb.start();
            assertThat(p.waitFor(180, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            String log = Files.readString(tmp.resolve("demo.log"));
            assertThat(p.exitValue()).as(log).isZero();
            assertThat(log).contains("the local PostgreSQL in " + dataDir.resolve("data")).contains("scratch database 'dnsmig_demo'");
            assertThat(changeLog(real)).as("the real database was not touched").isEqualTo(changes);
        } finally {
            Cli.plain("db", "stop", "--data-dir", dataDir.resolve("data").toString());
            try (var walk = Files.walk(dataDir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static long changeLog(TestPostgres.Database db) throws Exception {
        try (var c = db.dataSource().getConnection(); var rs = c.createStatement().executeQuery("select count(*) + coalesce(max(id), 0) from dnsmig.change_log")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void theJarCarriesEverySampleFile() throws Exception {
        Path samples = Repo.samples();
        try (var walk = Files.walk(samples)) {
            assertThat(walk.filter(Files::isRegularFile).map(p -> samples.relativize(p).toString()).sorted().toList())
                    .containsExactlyElementsOf(DemoCommand.SAMPLE_FILES.stream().sorted().toList());
        }
        for (String f : DemoCommand.SAMPLE_FILES) {
            assertThat(DemoCommand.class.getResource("/samples/" + f)).as(f).isNotNull();
        }
    }
}
