package dnsmig.orchestrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.testkit.Repo;
import dnsmig.testkit.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** README command 1 (`./dnsmig demo`), run in-process on a fresh test database. */
class DemoCommandTest {

    @Test
    void theDemoRunsEveryPhaseAndEndsWithTheRejectsReport() {
        TestPostgres.Database db = TestPostgres.newDatabase();
        Cli.Run run = new Cli(db).run("demo");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).contains("=== 1. backfill ===", "7 created", "=== 2. backfill again ===", "0 created, 0 updated, 7 unchanged",
                "=== 3. rejects ===", "cname-and-other-data", "no-soa", "demo finished");
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
                    "dnsmig.orchestrator.cli.Main", "demo", "--data-dir", dataDir.resolve("data").toString())
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
