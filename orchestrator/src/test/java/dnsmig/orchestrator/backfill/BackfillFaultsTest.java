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
                s.execute("select pg_advisory_lock(" + BackfillLock.LOCK_CLASS + ", " + BackfillLock.LOCK_OBJECT + ")");
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

    // --- a resumed job reports what every execution did ---------------------------------------------

    /** The sample provider as a zones directory whose zone list has these zones first and last. */
    private Path samples(String first, String last) throws Exception {
        Path dir = tmp.resolve("samples");
        BackfillFunctionalTest.copy(Repo.samples(), dir);
        List<String> zones = new java.util.ArrayList<>(List.of("acme.example db.acme.example", "acme-shop.example db.acme-shop.example",
                "globex.example db.globex.example", "hooli.example db.hooli.example", "initech.example db.initech.example",
                "umbrella.example db.umbrella.example", "2.0.192.in-addr.arpa db.192.0.2"));
        String firstLine = zones.stream().filter(z -> z.startsWith(first + " ")).findFirst().orElseThrow();
        String lastLine = zones.stream().filter(z -> z.startsWith(last + " ")).findFirst().orElseThrow();
        zones.remove(firstLine);
        zones.remove(lastLine);
        zones.add(0, firstLine);
        zones.add(lastLine);
        java.nio.file.Files.write(dir.resolve("zones.list"), zones);
        return dir;
    }

    private static String[] zoneListArgs(Path samples, TestPostgres.Database db, String urlSuffix, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("backfill", "--zones-dir", samples.resolve("zones").toString(), "--zone-list",
                samples.resolve("zones.list").toString(), "--owners", samples.resolve("owners.csv").toString(), "--progress", "never", "--threads", "1",
                "--db-url", db.jdbcUrl() + urlSuffix, "--db-user", db.user(), "--db-password", db.password()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    private static final String LOCK_TIMEOUT = "?options=-c%20lock_timeout%3D300ms";

    /** Runs the command while someone else holds {@code zone}'s lock for longer than the backfill waits for it. */
    private static Cli.Run whileZoneIsLocked(HikariDataSource ds, String zone, String[] args) throws Exception {
        try (Connection holder = ds.getConnection(); var s = holder.createStatement()) {
            s.execute("select pg_advisory_lock(" + ZoneLock.LOCK_CLASS + ", " + ZoneLock.key(zone) + ")");
            try {
                return Cli.plain(args);
            } finally {
                s.execute("select pg_advisory_unlock(" + ZoneLock.LOCK_CLASS + ", " + ZoneLock.key(zone) + ")");
            }
        }
    }

    @Test
    void aResumedRunStillReportsTheZonesAnEarlierExecutionCouldNotImport() throws Exception {
        Path samples = samples("initech.example", "acme.example");
        TestPostgres.Database db = TestPostgres.newDatabase();
        try (HikariDataSource ds = StoreSchema.dataSource(db.jdbcUrl(), db.user(), db.password(), 2, "t")) {
            StoreSchema.migrate(ds);
            try (var c = ds.getConnection(); var s = c.createStatement()) {
                // A zone the database refuses on its own (the way a constraint would).
                s.execute("create function dnsmig.refuse_zone() returns trigger language plpgsql as $$"
                        + " begin raise exception 'zone % refused by this test', new.name; end $$");
                s.execute("create trigger refuse_zone before insert on dnsmig.zone for each row when (new.name = 'initech.example.')"
                        + " execute function dnsmig.refuse_zone()");
            }
            String[] args = zoneListArgs(samples, db, LOCK_TIMEOUT);

            // 1. initech.example fails on its own (skipped, its partition goes on); acme.example's
            //    partition fails: another writer holds that zone's lock longer than the retries wait.
            Cli.Run first = whileZoneIsLocked(ds, "acme.example.", args);
            assertThat(first.exit()).as(first.toString()).isEqualTo(1);
            assertThat(first.out()).contains("FAILED").contains("lock timeout").contains("acme.example.)")
                    .doesNotContain("Partition handler returned an unsuccessful step")
                    .contains("failed (not imported):").contains("initech.example.  ").contains("refused by this test");

            // 2. The lock is free and the database no longer refuses initech: the same command resumes
            //    the failed partition only. The job completes, but initech.example. was never imported:
            //    still exit 1, still named.
            try (var c = ds.getConnection(); var s = c.createStatement()) {
                s.execute("drop trigger refuse_zone on dnsmig.zone");
            }
            Cli.Run resumed = Cli.plain(args);
            assertThat(resumed.exit()).as(resumed.toString()).isEqualTo(1);
            assertThat(resumed.out()).contains("resumed an interrupted run").contains("7 of 7:").contains("1 failed")
                    .contains("failed (not imported):").contains("initech.example.  ").contains("refused by this test")
                    .contains("a new run retries them");

            // 3. Once more: a new run, which retries (and now imports) it.
            Cli.Run again = Cli.plain(args);
            assertThat(again.exit()).as(again.toString()).isZero();
            assertThat(again.out()).contains("7 of 7: 1 created, 0 updated, 6 unchanged").contains("0 failed");
        }
    }

    @Test
    void aResumedRunStillReportsTheZonesTheSafetyGateHeldBack() throws Exception {
        Path samples = samples("acme.example", "umbrella.example");
        TestPostgres.Database db = TestPostgres.newDatabase();
        try (HikariDataSource ds = StoreSchema.dataSource(db.jdbcUrl(), db.user(), db.password(), 2, "t")) {
            String[] args = zoneListArgs(samples, db, LOCK_TIMEOUT);
            Cli.Run initial = Cli.plain(args);
            assertThat(initial.exit()).as(initial.toString()).isZero();

            // An export gone wrong: acme.example lost everything below its name servers.
            Path file = samples.resolve("zones/db.acme.example");
            List<String> lines = java.nio.file.Files.readAllLines(file);
            java.nio.file.Files.write(file, lines.subList(0, lines.indexOf("        IN NS   ns3.provider.example.") + 1));

            Cli.Run first = whileZoneIsLocked(ds, "umbrella.example.", args);
            assertThat(first.exit()).as(first.toString()).isEqualTo(1);
            assertThat(first.out()).contains("lock timeout").contains("held back by the safety gate").contains("acme.example.  would delete");

            Cli.Run resumed = Cli.plain(args);
            assertThat(resumed.exit()).as(resumed.toString()).isEqualTo(3);
            assertThat(resumed.out()).contains("resumed an interrupted run").contains("1 held by the safety gate")
                    .contains("held back by the safety gate").contains("acme.example.  would delete").contains("--force");
        }
    }

    @Test
    void aDryRunInBetweenDoesNotTurnAResumeIntoAFreshRun() throws Exception {
        Path samples = samples("initech.example", "acme.example");
        TestPostgres.Database db = TestPostgres.newDatabase();
        try (HikariDataSource ds = StoreSchema.dataSource(db.jdbcUrl(), db.user(), db.password(), 2, "t")) {
            String[] args = zoneListArgs(samples, db, LOCK_TIMEOUT);
            Cli.Run first = whileZoneIsLocked(ds, "acme.example.", args);
            assertThat(first.exit()).as(first.toString()).isEqualTo(1);

            Cli.Run dry = Cli.plain(zoneListArgs(samples, db, LOCK_TIMEOUT, "--dry-run"));
            assertThat(dry.exit()).as(dry.toString()).isZero();

            Cli.Run resumed = Cli.plain(args);
            assertThat(resumed.exit()).as(resumed.toString()).isZero();
            assertThat(resumed.out()).contains("backfill run #1 finished").contains("resumed an interrupted run").contains("7 of 7:");
        }
    }

    // --- the session lock --------------------------------------------------------------------------

    @Test
    void aLostSessionLockStopsTheRunAndTheSameCommandResumesIt() throws Exception {
        TestPostgres.Database db = TestPostgres.newDatabase();
        System.setProperty("dnsmig.backfill.lock-check", "200ms");
        try (HikariDataSource ds = StoreSchema.dataSource(db.jdbcUrl(), db.user(), db.password(), 3, "t")) {
            StoreSchema.migrate(ds);
            Cli.Run run;
            try (Connection holder = ds.getConnection(); var h = holder.createStatement(); Connection dba = ds.getConnection(); var d = dba.createStatement()) {
                // The backfill waits for acme.example.'s zone lock (no lock timeout)...
                h.execute("select pg_advisory_lock(" + ZoneLock.LOCK_CLASS + ", " + ZoneLock.key("acme.example.") + ")");
                CompletableFuture<Cli.Run> backfill = CompletableFuture.supplyAsync(() -> Cli.plain(args(db, "")));
                assertThat(waitFor(d, "select count(*) from pg_locks where locktype = 'advisory' and classid = " + ZoneLock.LOCK_CLASS
                        + " and not granted", 1)).as("the backfill waits for the zone lock").isTrue();
                // ...when a DBA kills its idle session: the one holding "a backfill is running".
                try (var rs = d.executeQuery("select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and classid = "
                        + BackfillLock.LOCK_CLASS + " and objid = " + BackfillLock.LOCK_OBJECT + " and granted")) {
                    assertThat(rs.next()).as("the backfill's session lock is held").isTrue();
                }
                Thread.sleep(1500); // several lock checks
                h.execute("select pg_advisory_unlock(" + ZoneLock.LOCK_CLASS + ", " + ZoneLock.key("acme.example.") + ")");
                run = backfill.get(120, TimeUnit.SECONDS);
            }
            assertThat(run.exit()).as(run.toString()).isEqualTo(1);
            assertThat(run.out()).contains("session lock on the database was lost").contains("Run the same command again to resume");
            try (var c = ds.getConnection(); var rs = c.createStatement().executeQuery("select count(*) from dnsmig.zone where name = 'acme.example.'")) {
                rs.next();
                assertThat(rs.getLong(1)).as("the chunk in flight rolled back").isZero();
            }
            System.clearProperty("dnsmig.backfill.lock-check");
            Cli.Run again = Cli.plain(args(db, ""));
            assertThat(again.exit()).as(again.toString()).isZero();
            assertThat(again.out()).contains("resumed an interrupted run").contains("7 of 7:");
        } finally {
            System.clearProperty("dnsmig.backfill.lock-check");
        }
    }

    private static boolean waitFor(java.sql.Statement s, String countQuery, long atLeast) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (var rs = s.executeQuery(countQuery)) {
                rs.next();
                if (rs.getLong(1) >= atLeast) {
                    return true;
                }
            }
            Thread.sleep(50);
        }
        return false;
    }

    // --- the connection pool -----------------------------------------------------------------------

    @Test
    void everyThreadHasAConnectionWhenThereAreMoreThreadsThanTheDefaultPool() throws Exception {
        int zones = 40;
        int threads = 32;
        Path dir = tmp.resolve("many");
        java.nio.file.Files.createDirectories(dir);
        List<String> list = new java.util.ArrayList<>();
        Integer[] keys = new Integer[zones];
        for (int i = 0; i < zones; i++) {
            String z = "z" + i + ".example";
            java.nio.file.Files.writeString(dir.resolve("db." + z), "$TTL 300\n@ IN SOA ns1." + z + ". h." + z + ". 1 7200 900 1209600 300\n@ IN NS ns1." + z
                    + ".\nns1 IN A 192.0.2.1\n");
            list.add(z + " db." + z);
            keys[i] = ZoneLock.key(z + ".");
        }
        java.nio.file.Files.write(dir.resolve("zones.list"), list);
        java.nio.file.Files.writeString(dir.resolve("owners.csv"), "zone,owner,email\n");
        TestPostgres.Database db = TestPostgres.newDatabase();
        try (HikariDataSource ds = StoreSchema.dataSource(db.jdbcUrl(), db.user(), db.password(), 2, "t")) {
            StoreSchema.migrate(ds);
            Cli.Run run;
            try (Connection holder = ds.getConnection(); var h = holder.createStatement(); Connection watcher = ds.getConnection();
                    var w = watcher.createStatement()) {
                // Every zone is locked by someone else for a moment: each thread waits inside its
                // chunk's transaction, on a connection of its own.
                try (var ps = holder.prepareStatement("select pg_advisory_lock(?, k) from unnest(?::int[]) as t(k)")) {
                    ps.setInt(1, ZoneLock.LOCK_CLASS);
                    ps.setArray(2, holder.createArrayOf("int4", keys));
                    ps.execute();
                }
                CompletableFuture<Cli.Run> backfill = CompletableFuture.supplyAsync(() -> Cli.plain("backfill", "--zones-dir", dir.toString(),
                        "--zone-list", dir.resolve("zones.list").toString(), "--owners", dir.resolve("owners.csv").toString(), "--progress", "never",
                        "--threads", Integer.toString(threads), "--db-url", db.jdbcUrl(), "--db-user", db.user(), "--db-password", db.password()));
                boolean all = waitFor(w, "select count(*) from pg_locks where locktype = 'advisory' and classid = " + ZoneLock.LOCK_CLASS
                        + " and not granted", threads);
                h.execute("select pg_advisory_unlock_all()");
                run = backfill.get(120, TimeUnit.SECONDS);
                assertThat(all).as("all %d threads were inside a transaction at once (none waiting for a pooled connection)", threads).isTrue();
            }
            assertThat(run.exit()).as(run.toString()).isZero();
            assertThat(run.out()).contains(zones + " of " + zones + ": " + zones + " created");
        }
    }
}
