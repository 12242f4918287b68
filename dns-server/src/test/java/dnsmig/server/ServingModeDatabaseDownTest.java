package dnsmig.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dnsmig.localpg.LocalPostgres;
import dnsmig.server.mode.ServingMode;
import dnsmig.server.xfr.TransferPolicy;
import dnsmig.store.CutoverStore;
import dnsmig.store.ReconcileStore;
import dnsmig.store.Rows;
import dnsmig.store.StoreSchema;
import dnsmig.testkit.DnsClient;
import dnsmig.testkit.NamedFixture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The runbook's "database down" incident: with PostgreSQL stopped, a nameserver keeps its mode
 * and keeps forwarding and answering; an automatic rollback still happens at once (in memory), and
 * is recorded (audit entry, row) when the database is back; the next change is followed again. Its own PostgreSQL cluster, because the test stops it.
 */
class ServingModeDatabaseDownTest {

    static final String ZONE = """
            $TTL 300
            @       SOA ns1.d.test. hostmaster.d.test. 3 3600 600 86400 300
            @       NS  ns1
            ns1     A   192.0.2.1
            www     A   192.0.2.80
            """;

    Path dir;
    LocalPostgres pg;
    StoreSeeder seeder;
    HikariDataSource serverPool;
    NamedFixture named;
    NameServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (serverPool != null) {
            serverPool.close();
        }
        if (seeder != null) {
            seeder.close();
        }
        if (named != null) {
            named.close();
        }
        if (pg != null) {
            pg.stop();
        }
        if (dir != null) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    Message ask(String name) throws Exception {
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, 1));
        q.getHeader().unsetFlag(Flags.RD);
        byte[] r = DnsClient.udp(server.udpAddresses().get(0), q.toWire(), Duration.ofSeconds(3));
        assertThat(r).as("an answer for %s", name).isNotNull();
        return new Message(r);
    }

    @Test
    void withTheDatabaseDownTheModeHoldsAndAnAutomaticRollbackStillHappens() throws Exception {
        dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "dnsmig-mode-pg");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // the database user must enter it
        pg = LocalPostgres.at(dir.resolve("data"), Path.of(System.getProperty("java.io.tmpdir"), "dnsmig-test-pg-cache"));
        LocalPostgres.Endpoint db = pg.ensureRunning();
        seeder = new StoreSeeder(db.jdbcUrl(), db.user(), db.password());
        seeder.zone("d.test.", ZONE);
        named = NamedFixture.builder().dynamicZone("d.test", ZONE).start();
        serverPool = StoreSchema.dataSource(db.jdbcUrl(), db.user(), db.password(), 4, "serve");
        server = NameServer.start(new NameServer.Settings("ns1", List.of(new InetSocketAddress("127.0.0.1", 0)), 1, 1000, 16, Duration.ofSeconds(5),
                        TransferPolicy.NOBODY, Duration.ofMillis(200)), serverPool, new SimpleMeterRegistry(), null,
                new NameServer.Cutover(named.socketAddress(), Duration.ofSeconds(1), 1000, Duration.ofMillis(300), Duration.ofMillis(100)));
        CutoverStore cutover = new CutoverStore(DSL.using(seeder.dataSource, SQLDialect.POSTGRES));
        CutoverStore.Mode legacy = cutover.mode("ns1").orElseThrow();
        // new, with a failure-rate rollback armed (confirmed inconsistencies not watched: 0)
        cutover.change("ns1", legacy.version(), new CutoverStore.Target("new", 0), "advance", "test", "drill", null,
                new CutoverStore.Rollback(0.2, 2, 10, 0));
        awaitMode(ServingMode.NEW);
        // bad data: a CNAME loop the new index answers SERVFAIL
        new ReconcileStore(DSL.using(seeder.dataSource, SQLDialect.POSTGRES)).replaceRRsets("d.test",
                List.of(new ReconcileStore.RRset("loop.d.test.", "CNAME", List.of(new Rows.Rr("loop.d.test.", "CNAME", 60, "loop.d.test.")))), "test");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ask("loop.d.test.").getRcode() != Rcode.SERVFAIL && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }

        pg.stop();
        assertThat(ask("www.d.test.").getSection(Section.ANSWER)).as("answering from memory with the database down").hasSize(1);
        assertThat(server.servingMode()).isEqualTo(ServingMode.NEW);
        int servfail = 0;
        for (int i = 0; i < 400 && server.servingMode().equals(ServingMode.NEW); i++) {
            servfail += ask("loop.d.test.").getRcode() == Rcode.SERVFAIL ? 1 : 0;
            Thread.sleep(5);
        }
        assertThat(servfail).isPositive();
        assertThat(server.servingMode()).as("rolled back in memory although the database is down").isEqualTo(ServingMode.LEGACY);
        assertThat(ask("loop.d.test.").getRcode()).as("forwarded: legacy has no such name").isEqualTo(Rcode.NXDOMAIN);
        assertThat(ask("www.d.test.").getSection(Section.ANSWER)).as("forwarding works without the database").hasSize(1);

        pg.ensureRunning();
        awaitStoreWritable();
        // The watcher records the rollback once the database is back (it retries every tick).
        long recordDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        CutoverStore.Mode stored = cutover.mode("ns1").orElseThrow();
        while (!stored.label().equals("legacy") && System.nanoTime() < recordDeadline) {
            Thread.sleep(100);
            stored = cutover.mode("ns1").orElseThrow();
        }
        assertThat(stored.label()).as("recorded when the database came back").isEqualTo("legacy");
        assertThat(cutover.audit("ns1", 1).get(0).action()).isEqualTo("auto-rollback");
        assertThat(cutover.audit("ns1", 1).get(0).reason()).contains("SERVFAIL from the new index");
        assertThat(server.servingMode()).isEqualTo(ServingMode.LEGACY);
        // and the nameserver follows the next change again
        cutover.change("ns1", stored.version(), new CutoverStore.Target("canary", 50), "advance", "oncall", "fixed", null, null);
        awaitMode(ServingMode.canary(50));
        long reachDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // the change follower retries with a backoff up to 10 s
        while (!server.databaseReachable() && System.nanoTime() < reachDeadline) {
            Thread.sleep(100);
        }
        assertThat(server.databaseReachable()).isTrue();
    }

    void awaitMode(ServingMode m) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!server.servingMode().equals(m) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(server.servingMode()).isEqualTo(m);
    }

    void awaitStoreWritable() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (var c = seeder.dataSource.getConnection(); var s = c.createStatement()) {
                s.execute("select 1");
                return;
            } catch (java.sql.SQLException e) {
                Thread.sleep(200);
            }
        }
        throw new AssertionError("the database did not come back");
    }
}
