package dnsmig.orchestrator.cutover;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dnsmig.orchestrator.cli.Cli;
import dnsmig.server.NameServer;
import dnsmig.server.mode.ModeSwitch;
import dnsmig.server.mode.ServingMode;
import dnsmig.server.xfr.TransferPolicy;
import dnsmig.store.ReconcileStore;
import dnsmig.store.Rows;
import dnsmig.store.StoreSchema;
import dnsmig.testkit.DnsClient;
import dnsmig.testkit.NamedFixture;
import dnsmig.testkit.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Issue 7's acceptance, with real parts: a real named as the legacy server, PostgreSQL, three
 * dns-server nameservers (ns1..ns3) forwarding to it, and the cutover driven through the
 * {@code dnsmig} command line. A continuous query stream (UDP, every fifth query TCP) to every
 * nameserver must lose no query through every advance and rollback; a gate refuses while the
 * verifier window holds inconsistencies; a rollback is answered within a second (measured by the
 * answers changing); automatic rollback fires on bad data served by the new index (SERVFAIL from a
 * CNAME loop) and on inconsistencies the verifier confirms.
 *
 * <p>What is planted rather than produced by the real feature, and why: the verifier's windows
 * (rows in V5's {@code verify_window}, as {@code dnsmig verify} writes them): running the verifier
 * here would test it, not the gates, and make its counts a matter of timing.
 */
class CutoverIntegrationTest {

    static String zone(String origin, int serial) {
        return """
                $TTL 300
                @       SOA ns1.%1$s hostmaster.%1$s %2$d 3600 600 86400 300
                @       NS  ns1
                ns1     A   192.0.2.1
                www     A   192.0.2.80
                mail    A   192.0.2.25
                @       MX  10 mail.%1$s
                @       TXT "v=spf1 mx -all"
                """.formatted(origin + ".", serial);
    }

    /** Names the stream asks (all answered the same by both sides). */
    static final List<String> STREAM = List.of("www.a.test.", "mail.a.test.", "a.test.", "www.b.test.", "mail.b.test.", "nope.b.test.");

    @TempDir
    Path tmp;

    NamedFixture named;
    TestPostgres.Database db;
    HikariDataSource ds;
    DSLContext dsl;
    Cli cli;
    final Map<String, NameServer> servers = new ConcurrentHashMap<>();
    final List<HikariDataSource> pools = new ArrayList<>();
    final List<Thread> streams = new ArrayList<>();
    final AtomicBoolean streaming = new AtomicBoolean(true);

    @BeforeEach
    void setUp() throws Exception {
        named = NamedFixture.builder().dynamicZone("a.test", zone("a.test", 10)).dynamicZone("b.test", zone("b.test", 20)).start();
        db = TestPostgres.newDatabase();
        ds = StoreSchema.dataSource(db.jdbcUrl(), db.user(), db.password(), 2, "test");
        dsl = DSL.using(ds, SQLDialect.POSTGRES);
        cli = new Cli(db);
        Path owners = Files.writeString(tmp.resolve("owners.csv"), "zone,owner,email\na.test,alice,a@example.net\nb.test,bob,b@example.net\n");
        Cli.Run backfill = cli.run("backfill", "--named-conf", named.namedConf().toString(), "--owners", owners.toString(), "--progress", "never");
        assertThat(backfill.exit()).as(backfill.toString()).isZero();
        Cli.Run reconcile = cli.run("reconcile", "--all", "--named-conf", named.namedConf().toString(), "--server", "127.0.0.1", "--port",
                Integer.toString(named.port()), "--tsig-key", named.keyFile().toString());
        assertThat(reconcile.exit()).as(reconcile.toString()).isZero();
    }

    @AfterEach
    void tearDown() {
        streaming.set(false);
        for (Thread t : streams) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        servers.values().forEach(NameServer::close);
        pools.forEach(HikariDataSource::close);
        ds.close();
        named.close();
    }

    NameServer start(String ns) throws Exception {
        HikariDataSource pool = StoreSchema.dataSource(db.jdbcUrl(), db.user(), db.password(), 4, ns);
        pools.add(pool);
        NameServer s = NameServer.start(new NameServer.Settings(ns, List.of(new InetSocketAddress("127.0.0.1", 0)), 1, 10_000, 64, Duration.ofSeconds(5),
                        new TransferPolicy(List.of(), Map.of()), Duration.ofMillis(200)), pool, new SimpleMeterRegistry(), null,
                new NameServer.Cutover(named.socketAddress(), Duration.ofSeconds(1), 10_000, Duration.ofMillis(500), Duration.ofMillis(100)));
        servers.put(ns, s);
        return s;
    }

    InetSocketAddress address(String ns) {
        return servers.get(ns).udpAddresses().get(0);
    }

    static Message ask(InetSocketAddress server, String name, boolean tcp) throws Exception {
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, 1));
        q.getHeader().unsetFlag(org.xbill.DNS.Flags.RD);
        byte[] wire = q.toWire();
        byte[] r = tcp ? DnsClient.tcp(server, wire, Duration.ofSeconds(3)) : DnsClient.udp(server, wire, Duration.ofSeconds(3));
        if (r == null) {
            return null;
        }
        Message m = new Message(r);
        return m.getHeader().getID() == q.getHeader().getID() ? m : null;
    }

    /** Whether the new index answered: the planted A record is there (legacy has no such name: NXDOMAIN). */
    static boolean fromNew(Message m) {
        return m != null && m.getRcode() == Rcode.NOERROR && !m.getSection(Section.ANSWER).isEmpty();
    }

    /** Time until {@code ns} answers {@code name} as {@code wanted} says, asked every 5 ms for at most 5 s; -1 if never. */
    long millisUntil(String ns, String name, Predicate<Message> wanted, long startNanos) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            if (wanted.test(ask(address(ns), name, false))) {
                return (System.nanoTime() - startNanos) / 1_000_000;
            }
            Thread.sleep(5);
        }
        return -1;
    }

    record StreamCounts(AtomicLong sent, AtomicLong answered, AtomicLong lost, AtomicLong servfail) {
        StreamCounts() {
            this(new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong());
        }
    }

    /** Queries {@code ns} continuously (a name of {@link #STREAM} every 2 ms, every fifth over TCP) until the test ends. */
    StreamCounts stream(String ns) {
        StreamCounts c = new StreamCounts();
        InetSocketAddress to = address(ns);
        Thread t = Thread.ofPlatform().daemon().name("stream-" + ns).start(() -> {
            for (long i = 0; streaming.get() && i < 200_000; i++) {
                c.sent().incrementAndGet();
                try {
                    Message m = ask(to, STREAM.get((int) (i % STREAM.size())), i % 5 == 4);
                    if (m == null) {
                        c.lost().incrementAndGet();
                    } else {
                        c.answered().incrementAndGet();
                        if (m.getRcode() == Rcode.SERVFAIL) {
                            c.servfail().incrementAndGet();
                        }
                    }
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    c.lost().incrementAndGet();
                }
            }
        });
        streams.add(t);
        return c;
    }

    /** A name in the zone a.test whose canary bucket satisfies the test. */
    static String nameWithBucket(Predicate<Integer> bucket) {
        for (int i = 0; i < 1000; i++) {
            String n = "p" + i + ".a.test.";
            if (bucket.test(ModeSwitch.bucket(n))) {
                return n;
            }
        }
        throw new AssertionError("no name found");
    }

    void plantWindow(String ns, String start, String end, long compared, long confirmed) {
        dsl.execute("insert into verify_window (nameserver, zone_name, window_start, window_end, compared, matched, confirmed) values"
                + " ({0}, null, now() + {1}::interval, now() + {2}::interval, {3}, {4}, {5})", DSL.val(ns), DSL.val(start), DSL.val(end),
                DSL.val(compared), DSL.val(compared - confirmed), DSL.val(confirmed));
    }

    String lastAudit(String ns) {
        return dsl.fetchValue("select action || ' | ' || coalesce(from_mode, '') || ' -> ' || coalesce(to_mode, '') || ' | ' || actor || ' | '"
                + " || coalesce(reason, '') from cutover_audit where nameserver = {0} order by id desc limit 1", DSL.val(ns)).toString();
    }

    /** The last audit entry once it is {@code action} (an automatic rollback is applied first, then written). */
    String awaitAudit(String ns, String action) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        String last = lastAudit(ns);
        while (!last.startsWith(action + " |") && System.nanoTime() < deadline) {
            Thread.sleep(20);
            last = lastAudit(ns);
        }
        return last;
    }

    @Test
    void cutoverThroughAdvancesAndRollbacksWithoutLosingAQuery() throws Exception {
        // Two names only the new side has, one in the first 10 % of canary buckets and one above 50 %.
        String lo = nameWithBucket(b -> b < 10);
        String hi = nameWithBucket(b -> b >= 50);
        ReconcileStore store = new ReconcileStore(dsl);
        assertThat(store.replaceRRsets("a.test", List.of(new ReconcileStore.RRset(lo, "A", List.of(new Rows.Rr(lo, "A", 60, "192.0.2.200"))),
                new ReconcileStore.RRset(hi, "A", List.of(new Rows.Rr(hi, "A", 60, "192.0.2.201")))), "test")).isTrue();
        // Dual writes SYNCHRONOUS, as an operator switches them.
        assertThat(cli.run("mode", "set", "CONCURRENT", "--reason", "cutover test").exit()).isZero();
        Cli.Run sync = cli.run("mode", "set", "SYNCHRONOUS", "--reason", "cutover test");
        assertThat(sync.exit()).as(sync.toString()).isZero();

        for (String ns : List.of("ns1", "ns2", "ns3")) {
            start(ns);
            assertThat(servers.get(ns).servingMode()).as("a nameserver starts in legacy mode").isEqualTo(ServingMode.LEGACY);
        }
        Map<String, StreamCounts> counts = new java.util.LinkedHashMap<>();
        for (String ns : List.of("ns1", "ns2", "ns3")) {
            counts.put(ns, stream(ns));
        }
        // legacy: forwarded, answered as named answers (the planted names do not exist there)
        assertThat(ask(address("ns1"), lo, false).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(ask(address("ns1"), lo, true).getRcode()).as("over TCP too").isEqualTo(Rcode.NXDOMAIN);
        assertThat(ask(address("ns1"), "www.a.test.", false).getSection(Section.ANSWER)).hasSize(1);

        // A gate refuses while the verifier window holds (planted) confirmed inconsistencies.
        plantWindow("ns1", "-10 minutes", "-1 second", 5000, 40);
        Cli.Run refused = cli.run("cutover", "advance", "ns1", "--to", "canary:10", "--by", "tester");
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(3);
        assertThat(refused.out()).containsPattern("FAILED +verifier .*99\\.200% consistent over 5000").containsPattern("ok +backfill")
                .containsPattern("ok +write mode +SYNCHRONOUS").containsPattern("ok +reconcile");
        assertThat(refused.err()).contains("the gates refuse to advance ns1 to canary:10");
        assertThat(lastAudit("ns1")).startsWith("refused | legacy -> canary | tester");
        Thread.sleep(700);
        assertThat(servers.get("ns1").servingMode()).isEqualTo(ServingMode.LEGACY);
        assertThat(ask(address("ns1"), lo, false).getRcode()).isEqualTo(Rcode.NXDOMAIN);

        // A clean window: the gates pass.
        for (String ns : List.of("ns1", "ns2", "ns3")) {
            plantWindow(ns, "-5 minutes", "0 seconds", 5000, 0);
        }
        Cli.Run plan = cli.run("cutover", "plan");
        assertThat(plan.exit()).as(plan.toString()).isZero();
        assertThat(plan.out()).contains("ns1: legacy -> canary:10: the gates pass");

        long t0 = System.nanoTime();
        Cli.Run canary = cli.run("cutover", "advance", "ns1", "--to", "canary:10", "--by", "tester", "--reason", "first canary");
        assertThat(canary.exit()).as(canary.toString()).isZero();
        long canaryMs = millisUntil("ns1", lo, CutoverIntegrationTest::fromNew, t0);
        assertThat(canaryMs).as("canary:10 answered within a second").isBetween(0L, 999L);
        assertThat(ask(address("ns1"), hi, false).getRcode()).as("a name above the canary share still goes to legacy").isEqualTo(Rcode.NXDOMAIN);
        assertThat(ask(address("ns2"), lo, false).getRcode()).as("ns2 is still legacy").isEqualTo(Rcode.NXDOMAIN);

        Cli.Run toNew = cli.run("cutover", "advance", "ns1", "--to", "new", "--by", "tester");
        assertThat(toNew.exit()).as(toNew.toString()).isZero();
        assertThat(millisUntil("ns1", hi, CutoverIntegrationTest::fromNew, System.nanoTime())).isBetween(0L, 999L);

        // Manual rollback: back to canary:10, measured by the answers changing.
        long r0 = System.nanoTime();
        Cli.Run rollback = cli.run("rollback", "ns1", "--by", "tester", "--reason", "drill");
        assertThat(rollback.exit()).as(rollback.toString()).isZero();
        long commandMs = (System.nanoTime() - r0) / 1_000_000;
        long rollbackMs = millisUntil("ns1", hi, m -> m != null && m.getRcode() == Rcode.NXDOMAIN, r0);
        System.out.printf("cutover: canary:10 answered %d ms after the advance command started; rollback answered %d ms after the rollback"
                + " command started (the command itself took %d ms)%n", canaryMs, rollbackMs, commandMs);
        assertThat(rollbackMs).as("a rollback takes effect in under a second").isBetween(0L, 999L);
        assertThat(fromNew(ask(address("ns1"), lo, false))).as("canary:10 again: the low name stays on the new side").isTrue();
        assertThat(lastAudit("ns1")).isEqualTo("rollback | new -> canary | tester | drill");

        // ns2: canary:50, then new; ns3: straight to new, with a tight failure-rate rollback armed.
        assertThat(cli.run("cutover", "advance", "ns2", "--to", "canary:50").exit()).isZero();
        assertThat(cli.run("cutover", "advance", "ns2", "--to", "new").exit()).isZero();
        Cli.Run ns3 = cli.run("cutover", "advance", "ns3", "--to", "new", "--rollback-failure-rate", "0.2", "--rollback-window", "2",
                "--rollback-min-queries", "20", "--rollback-confirmed", "0");
        assertThat(ns3.exit()).as(ns3.toString()).isZero();
        assertThat(millisUntil("ns2", hi, CutoverIntegrationTest::fromNew, System.nanoTime())).isBetween(0L, 999L);
        assertThat(millisUntil("ns3", hi, CutoverIntegrationTest::fromNew, System.nanoTime())).isBetween(0L, 999L);

        // Automatic rollback on bad data: a CNAME loop reaches the store; the new index answers it SERVFAIL.
        assertThat(store.replaceRRsets("b.test", List.of(new ReconcileStore.RRset("loop.b.test.", "CNAME",
                List.of(new Rows.Rr("loop.b.test.", "CNAME", 60, "loop.b.test."))))
                , "test")).isTrue();
        long b0 = System.nanoTime();
        int servfails = 0;
        int legacyAnswers = 0;
        for (int i = 0; i < 1000 && legacyAnswers < 5; i++) {
            Message m = ask(address("ns3"), "loop.b.test.", false);
            assertThat(m).as("every query of the burst is answered").isNotNull();
            if (m.getRcode() == Rcode.SERVFAIL) {
                servfails++;
            } else if (m.getRcode() == Rcode.NXDOMAIN && servfails > 0) {
                legacyAnswers++; // rolled back: legacy has no such name (before the loop reached the index, the new side said NXDOMAIN too)
            }
            Thread.sleep(5);
        }
        long autoMs = (System.nanoTime() - b0) / 1_000_000;
        System.out.printf("cutover: automatic rollback of ns3 after %d SERVFAIL answers, %d ms after the bad data was first asked for%n", servfails,
                autoMs);
        assertThat(servfails).as("the bad data was served before the rollback").isPositive();
        assertThat(legacyAnswers).as("ns3 rolled back to legacy, which answers NXDOMAIN").isEqualTo(5);
        assertThat(servers.get("ns3").servingMode()).isEqualTo(ServingMode.LEGACY);
        assertThat(awaitAudit("ns3", "auto-rollback")).startsWith("auto-rollback | new -> legacy | auto-rollback (dnsmig serve ns3").contains("SERVFAIL from the new index");

        // Automatic rollback on inconsistencies the verifier confirms for ns2 after its advance (armed by default: 1).
        plantWindow("ns2", "-1 minute", "1 minute", 800, 3);
        long v0 = System.nanoTime();
        long verifierMs = millisUntil("ns2", hi, m -> m != null && m.getRcode() == Rcode.NXDOMAIN, v0);
        assertThat(verifierMs).as("ns2 back to canary:50 (the high name goes to legacy again)").isBetween(0L, 3000L);
        assertThat(servers.get("ns2").servingMode()).isEqualTo(ServingMode.canary(50));
        assertThat(awaitAudit("ns2", "auto-rollback")).startsWith("auto-rollback | new -> canary | ").contains("the verifier confirmed 3 inconsistencies for ns2");

        Cli.Run status = cli.run("cutover", "status");
        assertThat(status.exit()).isZero();
        assertThat(status.out()).containsPattern("ns1 +canary:10 +legacy").containsPattern("ns2 +canary:50 +legacy").containsPattern("ns3 +legacy +-")
                .contains("auto-rollback", "refused", "rollback", "advance");

        // The streams ran through all of it: nothing lost.
        Thread.sleep(300);
        streaming.set(false);
        for (Thread t : streams) {
            t.join(10_000);
        }
        counts.forEach((ns, c) -> System.out.printf("cutover: stream to %s: %d queries sent, %d answered, %d lost, %d SERVFAIL%n", ns, c.sent().get(),
                c.answered().get(), c.lost().get(), c.servfail().get()));
        counts.forEach((ns, c) -> {
            assertThat(c.sent().get()).as(ns + " queries sent").isGreaterThan(500);
            assertThat(c.lost().get()).as(ns + " queries lost").isZero();
            assertThat(c.servfail().get()).as(ns + " SERVFAIL answers to good names").isZero();
            assertThat(c.answered().get()).isEqualTo(c.sent().get());
        });
    }
}
