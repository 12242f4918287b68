package dnsmig.orchestrator.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dnsmig.orchestrator.cli.Cli;
import dnsmig.store.StoreSchema;
import dnsmig.testkit.Repo;
import dnsmig.testkit.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backfill of several thousand generated zones is killed (SIGKILL, a real process) in the
 * middle of its run and started again: the final database equals that of an uninterrupted run
 * into another database, and a third run changes nothing.
 */
class BackfillRestartTest {

    private static final int ZONES = 3000;

    @TempDir
    Path tmp;

    @Test
    void aKilledBackfillResumesToTheSameFinalStateAsAnUninterruptedOne() throws Exception {
        Path data = generate();
        TestPostgres.Database interrupted = TestPostgres.newDatabase();
        TestPostgres.Database reference = TestPostgres.newDatabase();
        try (HikariDataSource a = StoreSchema.dataSource(interrupted.jdbcUrl(), interrupted.user(), interrupted.password(), 2, "a");
                HikariDataSource b = StoreSchema.dataSource(reference.jdbcUrl(), reference.user(), reference.password(), 2, "b")) {

            // 1. A real process, killed once part of the zones are committed.
            Process p = new ProcessBuilder(command(data, interrupted)).redirectErrorStream(true).redirectOutput(tmp.resolve("killed.log").toFile())
                    .start();
            long atKill = waitForZonesThenKill(p, a);
            assertThat(atKill).as("zones committed when killed (see " + tmp.resolve("killed.log") + ")").isBetween(1L, ZONES - 1L);

            // 2. The same command again resumes and completes.
            Cli.Run resumed = new Cli(interrupted).run(args(data));
            assertThat(resumed.exit()).as(resumed.toString()).isZero();
            assertThat(resumed.out()).contains("resumed an interrupted run").contains(String.format("%,d of %,d", ZONES, ZONES));
            assertThat(zoneCount(a)).isEqualTo(ZONES);

            // 3. The same final state as a run nobody interrupted.
            Cli.Run clean = new Cli(reference).run(args(data));
            assertThat(clean.exit()).as(clean.toString()).isZero();
            List<String> expected = StoreDump.of(b);
            assertThat(expected).hasSizeGreaterThan(100_000);
            assertThat(StoreDump.of(a)).isEqualTo(expected);

            // 4. A third run changes nothing.
            long changes = StoreDump.changeLogSize(a);
            Cli.Run third = new Cli(interrupted).run(args(data));
            assertThat(third.exit()).as(third.toString()).isZero();
            assertThat(third.out()).contains(String.format("0 created, 0 updated, %,d unchanged", ZONES));
            assertThat(StoreDump.changeLogSize(a)).isEqualTo(changes);
            assertThat(StoreDump.of(a)).isEqualTo(expected);
        }
    }

    private Path generate() throws IOException, InterruptedException {
        Path out = tmp.resolve("gen");
        Process gen = new ProcessBuilder("python3", Repo.sharedBench().resolve("gen_zones.py").toString(), "--zones", Integer.toString(ZONES),
                "--records", "150000", "--seed", "7", "--out", out.toString()).redirectErrorStream(true).redirectOutput(tmp.resolve("gen.log").toFile()).start();
        assertThat(gen.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(gen.exitValue()).as(Files.readString(tmp.resolve("gen.log"))).isZero();
        List<String> owners = new ArrayList<>(List.of("zone,owner,email"));
        List<String> zones = Files.readAllLines(out.resolve("zones.list"));
        for (int i = 0; i < zones.size(); i++) {
            // Every 50th zone has no owner line: the 'unassigned' path is part of the state too.
            if (i % 50 != 0) {
                owners.add(zones.get(i).split("\t")[0] + ",customer" + (i % 37) + ",c" + (i % 37) + "@example.net");
            }
        }
        Files.write(out.resolve("owners.csv"), owners);
        return out;
    }

    private static String[] args(Path data) {
        return new String[] {"backfill", "--zones-dir", data.toString(), "--zone-list", data.resolve("zones.list").toString(), "--owners",
                data.resolve("owners.csv").toString(), "--threads", "2", "--progress", "never"};
    }

    private static List<String> command(Path data, TestPostgres.Database db) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                "dnsmig.orchestrator.cli.Main"));
        cmd.addAll(List.of(args(data)));
        cmd.addAll(List.of("--db-url", db.jdbcUrl(), "--db-user", db.user(), "--db-password", db.password()));
        return cmd;
    }

    /** Polls the database until some zones are committed, then kills the process with SIGKILL. */
    private static long waitForZonesThenKill(Process p, HikariDataSource ds) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        long count = 0;
        while (Instant.now().isBefore(deadline) && p.isAlive()) {
            count = zoneCountIfReady(ds);
            if (count >= ZONES / 5) {
                break;
            }
            Thread.sleep(20);
        }
        p.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup, like a crash or the OOM killer
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return zoneCount(ds);
    }

    private static long zoneCountIfReady(HikariDataSource ds) {
        try {
            return zoneCount(ds);
        } catch (Exception e) {
            return 0; // the schema is not there yet
        }
    }

    private static long zoneCount(HikariDataSource ds) throws Exception {
        try (var c = ds.getConnection(); var rs = c.createStatement().executeQuery("select count(*) from dnsmig.zone")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
