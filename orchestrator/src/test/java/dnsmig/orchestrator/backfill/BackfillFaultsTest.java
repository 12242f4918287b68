package dnsmig.orchestrator.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dnsmig.orchestrator.cli.Cli;
import dnsmig.store.StoreSchema;
import dnsmig.store.ZoneLock;
import dnsmig.testkit.Repo;
import dnsmig.testkit.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backfill against a real PostgreSQL that misbehaves: transient errors are retried, a backfill never runs twice. */
class BackfillFaultsTest {

    @TempDir
    Path tmp;

    private static String[] args(TestPostgres.Database db, String urlSuffix) {
        return new String[] {"backfill", "--named-conf", Repo.samples().resolve("named.conf").toString(), "--owners",
                Repo.samples().resolve("owners.csv").toString(), "--progress", "never", "--threads", "1", "--db-url", db.jdbcUrl() + urlSuffix,
                "--db-user", db.user(), "--db-password", db.password()};
    }

    @Test
    void aLockTimeoutIsRetriedUntilTheZoneIsFree() throws Exception {
        TestPostgres.Database db = TestPostgres.newDatabase();
        try (HikariDataSource ds = StoreSchema.dataSource(db.jdbcUrl(), db.user(), db.password(), 2, "t")) {
            StoreSchema.migrate(ds);
            try (Connection holder = ds.getConnection()) {
                // Someone else (an API write, a repair) holds acme.example.'s zone lock for a while.
                try (var s = holder.createStatement()) {
                    s.execute("select pg_advisory_lock(" + ZoneLock.LOCK_CLASS + ", " + ZoneLock.key("acme.example.") + ")");
                }
                // Released once the backfill has waited for it and timed out at least once (lock_timeout 300 ms).
                CompletableFuture<Boolean> release = CompletableFuture.supplyAsync(() -> {
                    try (Connection watcher = ds.getConnection(); var w = watcher.createStatement(); var s = holder.createStatement()) {
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                        boolean waiting = false;
                        while (!waiting && System.nanoTime() < deadline) {
                            try (var rs = w.executeQuery("select count(*) from pg_locks where locktype = 'advisory' and not granted")) {
                                rs.next();
                                waiting = rs.getLong(1) > 0;
                            }
                            Thread.sleep(20);
                        }
                        Thread.sleep(700);
                        s.execute("select pg_advisory_unlock(" + ZoneLock.LOCK_CLASS + ", " + ZoneLock.key("acme.example.") + ")");
                        return waiting;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                // Every statement of the backfill gives up waiting for a lock after 300 ms (SQLSTATE 55P03).
                Cli.Run run = Cli.plain(args(db, "?options=-c%20lock_timeout%3D300ms"));
                assertThat(release.get(60, TimeUnit.SECONDS)).as("the backfill waited for the lock").isTrue();
                // It waited longer than its lock timeout, so its first attempt failed (55P03); it
                // still imported every zone: the write was retried (in a savepoint of the chunk).
                assertThat(run.exit()).as(run.toString()).isZero();
                assertThat(run.out()).contains("7 of 7: 7 created").contains("0 failed");
            }
            try (var c = ds.getConnection(); var rs = c.createStatement().executeQuery(
                    "select count(*) from dnsmig.rr r join dnsmig.zone z on z.id = r.zone_id where z.name = 'acme.example.'")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(
                        BackfillFunctionalTest.bindRecords(Repo.samples().resolve("zones"), "acme.example", "db.acme.example").size());
            }
        }
    }

    @Test
    void aSecondBackfillAgainstTheSameDatabaseIsTurnedAway() throws Exception {
        TestPostgres.Database db = TestPostgres.newDatabase();
        try (HikariDataSource ds = StoreSchema.dataSource(db.jdbcUrl(), db.user(), db.password(), 2, "t")) {
            StoreSchema.migrate(ds);
            try (Connection running = ds.getConnection(); var s = running.createStatement()) {
                // What a running backfill holds.
                s.execute("select pg_advisory_lock(6581875, 1)");
                Cli.Run second = Cli.plain(args(db, ""));
                assertThat(second.exit()).as(second.toString()).isEqualTo(4);
                assertThat(second.err()).contains("another backfill is running");
            }
            try (var c = ds.getConnection(); var rs = c.createStatement().executeQuery("select count(*) from dnsmig.zone")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
        }
    }

    @Test
    void separateCommandsSideBySideShareOneLocalPostgres() throws Exception {
        // Two dnsmig processes start the local PostgreSQL of a fresh data directory at the same moment.
        Path dataDir = java.nio.file.Files.createTempDirectory(Path.of("/tmp"), "dnsmig-side-by-side");
        java.nio.file.Files.setPosixFilePermissions(dataDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                "dnsmig.orchestrator.cli.Main", "db", "start", "--data-dir", dataDir.resolve("data").toString());
        try {
            Process a = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("a.log").toFile()).start();
            Process b = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("b.log").toFile()).start();
            assertThat(a.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(b.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String outA = java.nio.file.Files.readString(tmp.resolve("a.log"));
            String outB = java.nio.file.Files.readString(tmp.resolve("b.log"));
            assertThat(a.exitValue()).as(outA).isZero();
            assertThat(b.exitValue()).as(outB).isZero();
            String urlA = outA.lines().filter(l -> l.startsWith("running: ")).findFirst().orElseThrow();
            String urlB = outB.lines().filter(l -> l.startsWith("running: ")).findFirst().orElseThrow();
            assertThat(urlA).isEqualTo(urlB);
            Cli.Run status = Cli.plain("db", "status", "--data-dir", dataDir.resolve("data").toString());
            assertThat(status.out()).contains("state           running");
        } finally {
            Cli.plain("db", "stop", "--data-dir", dataDir.resolve("data").toString());
            try (var walk = java.nio.file.Files.walk(dataDir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
