package dnsmig.server;

import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.server.mode.ModeSwitch;
import dnsmig.server.mode.ServingMode;
import dnsmig.server.query.QueryHandler;
import dnsmig.server.xfr.TransferPolicy;
import dnsmig.store.CutoverStore;
import dnsmig.testkit.DnsClient;
import dnsmig.testkit.NamedFixture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The serving modes against a real named as the legacy server and a real PostgreSQL: in legacy
 * mode the answers are named's byte for byte but the ID, tapped and counted like own answers; a
 * truncated legacy answer is passed on and the TCP retry is forwarded over TCP; canary splits
 * names exactly by their bucket; a mode change is answered within a second by NOTIFY, and by the
 * poll when no notification comes; a legacy server that does not answer costs a SERVFAIL after the
 * timeout, and beyond the in-flight bound a SERVFAIL at once.
 */
class ServingModeTest {

    /** The legacy side; the store holds the same zone plus names only the new side has. */
    static final String ZONE = """
            $TTL 300
            @       SOA ns1.m.test. hostmaster.m.test. 7 3600 600 86400 300
            @       NS  ns1
            ns1     A   192.0.2.1
            www     A   192.0.2.80
            mail    A   192.0.2.25
            @       MX  10 mail
            big     TXT "%s"
            """.formatted(String.join("\"\n        TXT \"", bigTexts()));

    static List<String> bigTexts() {
        List<String> t = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            t.add("record " + i + " " + "x".repeat(50));
        }
        return t;
    }

    static NamedFixture named;
    static StoreSeeder seeder;
    static CutoverStore cutover;
    static NameServer server;
    static SimpleMeterRegistry registry = new SimpleMeterRegistry();
    static final List<byte[]> tapped = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        named = NamedFixture.builder().dynamicZone("m.test", ZONE).start();
        seeder = new StoreSeeder();
        StringBuilder store = new StringBuilder(ZONE);
        for (int i = 0; i < 40; i++) {
            store.append("p").append(i).append(" A 198.51.100.").append(i).append('\n');
        }
        seeder.zone("m.test.", store.toString());
        cutover = new CutoverStore(DSL.using(seeder.dataSource, SQLDialect.POSTGRES));
        QueryHandler.Observer tap = (q, len, r, query, rcode, tcp, client, local, nanos) -> tapped.add(r);
        server = NameServer.start(new NameServer.Settings("ns1", List.of(new InetSocketAddress("127.0.0.1", 0)), 1, 1000, 16, Duration.ofSeconds(5),
                TransferPolicy.NOBODY, Duration.ofMillis(200)), seeder.dataSource, registry, tap,
                new NameServer.Cutover(named.socketAddress(), Duration.ofSeconds(1), 1000, Duration.ofMillis(500), Duration.ofMillis(100)));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (seeder != null) {
            seeder.close();
        }
        if (named != null) {
            named.close();
        }
    }

    static InetSocketAddress ns() {
        return server.udpAddresses().get(0);
    }

    static Message query(String name, int type, boolean edns) throws Exception {
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name), type, 1));
        q.getHeader().unsetFlag(Flags.RD);
        if (edns) {
            q.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        }
        return q;
    }

    static byte[] udp(InetSocketAddress to, Message q) throws Exception {
        return DnsClient.udp(to, q.toWire(), Duration.ofSeconds(3));
    }

    static void setMode(String mode, int percent) {
        CutoverStore.Mode m = cutover.mode("ns1").orElseThrow();
        assertThat(cutover.change("ns1", m.version(), new CutoverStore.Target(mode, percent), "advance", "test", null, null, null)).isPresent();
    }

    static long millisUntil(Predicate<ServingMode> wanted, long startNanos) throws InterruptedException {
        long deadline = startNanos + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            if (wanted.test(server.servingMode())) {
                return (System.nanoTime() - startNanos) / 1_000_000;
            }
            Thread.sleep(2);
        }
        return -1;
    }

    @Test
    void legacyModeAnswersAreNamedsOwnButTheIdAndAreTappedAndCounted() throws Exception {
        setModeAndWait("legacy", 0);
        tapped.clear();
        double before = registry.get("dns.answers").tag("source", "legacy").functionCounter().count();
        int asked = 0;
        for (String name : List.of("www.m.test.", "m.test.", "nothing.m.test.", "p1.m.test.")) {
            for (int type : new int[] {Type.A, Type.MX, Type.AAAA}) {
                for (boolean edns : new boolean[] {false, true}) {
                    Message q = query(name, type, edns);
                    byte[] direct = udp(named.socketAddress(), q);
                    q.getHeader().setID(q.getHeader().getID() ^ 0x5A5A); // another ID for the second ask
                    byte[] forwarded = udp(ns(), q);
                    assertThat(forwarded).as("%s %s edns=%s", name, Type.string(type), edns).isNotNull();
                    assertThat(new Message(forwarded).getHeader().getID()).isEqualTo(q.getHeader().getID());
                    assertThat(Arrays.copyOfRange(forwarded, 2, forwarded.length)).as("%s %s: named's answer unchanged but the ID", name,
                            Type.string(type)).isEqualTo(Arrays.copyOfRange(direct, 2, direct.length));
                    asked++;
                }
            }
        }
        assertThat(new Message(udp(ns(), query("p1.m.test.", Type.A, false))).getRcode()).as("legacy has no p1: NXDOMAIN").isEqualTo(Rcode.NXDOMAIN);
        asked++;
        assertThat(tapped).as("every forwarded answer goes to the tap").hasSize(asked);
        assertThat(registry.get("dns.answers").tag("source", "legacy").functionCounter().count() - before).isEqualTo(asked);
        // What fails the guards is answered here, never forwarded: an opcode other than QUERY, a question cut short.
        Message status = query("www.m.test.", Type.A, false);
        status.getHeader().setOpcode(org.xbill.DNS.Opcode.STATUS);
        assertThat(new Message(udp(ns(), status)).getRcode()).isEqualTo(Rcode.NOTIMP);
        byte[] cut = Arrays.copyOf(query("www.m.test.", Type.A, false).toWire(), 20);
        assertThat(new Message(DnsClient.udp(ns(), cut, Duration.ofSeconds(3))).getRcode()).isEqualTo(Rcode.FORMERR);
        assertThat(registry.get("dns.answers").tag("source", "legacy").functionCounter().count() - before).as("not forwarded").isEqualTo(asked);
    }

    @Test
    void aTruncatedLegacyAnswerIsPassedOnAndTheTcpRetryIsForwardedOverTcp() throws Exception {
        setModeAndWait("legacy", 0);
        Message q = query("big.m.test.", Type.TXT, false);
        Message overUdp = new Message(udp(ns(), q));
        assertThat(overUdp.getHeader().getFlag(Flags.TC)).as("named truncates for a 512-byte asker; passed on as it is").isTrue();
        Message overTcp = new Message(DnsClient.tcp(ns(), q.toWire(), Duration.ofSeconds(3)));
        assertThat(overTcp.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(overTcp.getHeader().getID()).isEqualTo(q.getHeader().getID());
        Set<String> texts = new HashSet<>();
        overTcp.getSection(Section.ANSWER).forEach(r -> texts.add(r.rdataToString()));
        assertThat(texts).as("the whole RRset: asked of named over TCP").hasSize(30);
    }

    @Test
    void canarySplitsNamesByTheirBucketAndNewAnswersEverythingItself() throws Exception {
        setModeAndWait("canary", 50);
        int fromNew = 0;
        for (int i = 0; i < 40; i++) {
            String name = "p" + i + ".m.test.";
            Message m = new Message(udp(ns(), query(name, Type.A, true)));
            boolean own = m.getRcode() == Rcode.NOERROR && !m.getSection(Section.ANSWER).isEmpty();
            assertThat(own).as("%s bucket %d", name, ModeSwitch.bucket(name)).isEqualTo(ModeSwitch.bucket(name) < 50);
            fromNew += own ? 1 : 0;
        }
        assertThat(fromNew).as("some names on each side").isBetween(5, 35);
        setModeAndWait("new", 0);
        for (int i = 0; i < 40; i++) {
            assertThat(new Message(udp(ns(), query("p" + i + ".m.test.", Type.A, false))).getSection(Section.ANSWER)).hasSize(1);
        }
    }

    @Test
    void aModeChangeIsAnsweredWithinASecondByNotifyAndByThePollWithoutIt() throws Exception {
        setModeAndWait("legacy", 0);
        setMode("new", 0);
        long t0 = System.nanoTime(); // committed: from here on it is the nameserver's doing
        long byNotify = millisUntil(m -> m.equals(ServingMode.NEW), t0);
        assertThat(byNotify).isBetween(0L, 999L);
        assertThat(new Message(udp(ns(), query("p3.m.test.", Type.A, false))).getSection(Section.ANSWER)).hasSize(1);
        // No notification (as when it is lost): the poll every 0.5 s finds the change.
        DSL.using(seeder.dataSource, SQLDialect.POSTGRES).execute("alter table nameserver_mode disable trigger nameserver_mode_notify");
        try {
            setMode("legacy", 0);
            long t1 = System.nanoTime();
            long byPoll = millisUntil(m -> m.equals(ServingMode.LEGACY), t1);
            System.out.printf("serving mode: applied %d ms after the commit by NOTIFY, %d ms by the poll%n", byNotify, byPoll);
            assertThat(byPoll).isBetween(0L, 999L);
        } finally {
            DSL.using(seeder.dataSource, SQLDialect.POSTGRES).execute("alter table nameserver_mode enable trigger nameserver_mode_notify");
        }
        assertThat(new Message(udp(ns(), query("p3.m.test.", Type.A, false))).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }

    @Test
    void aSilentLegacyServerCostsServfailAfterTheTimeoutAndTheInFlightBoundServfailsAtOnce() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            // ns8 forwards to a socket nobody reads (and over TCP to a port nobody listens on)
            CutoverStore.Mode m = cutover.register("ns8", null, "test");
            cutover.change("ns8", m.version(), new CutoverStore.Target("legacy", 0), "advance", "test", null, null, null);
            SimpleMeterRegistry r = new SimpleMeterRegistry();
            try (NameServer ns8 = NameServer.start(new NameServer.Settings("ns8", List.of(new InetSocketAddress("127.0.0.1", 0)), 1, 1000, 16,
                            Duration.ofSeconds(5), TransferPolicy.NOBODY, Duration.ofMillis(200)), seeder.dataSource, r, null,
                    new NameServer.Cutover(new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort()), Duration.ofMillis(400), 2,
                            Duration.ofMillis(500), Duration.ofMillis(100)))) {
                InetSocketAddress to = ns8.udpAddresses().get(0);
                long t0 = System.nanoTime();
                Message one = new Message(udp(to, query("www.m.test.", Type.A, false)));
                long waited = (System.nanoTime() - t0) / 1_000_000;
                assertThat(one.getRcode()).isEqualTo(Rcode.SERVFAIL);
                assertThat(one.getQuestion().getName()).isEqualTo(Name.fromString("www.m.test."));
                assertThat(waited).as("SERVFAIL after the 400 ms timeout").isBetween(350L, 1500L);
                // four at once with room for two: two wait for the timeout, two get SERVFAIL at once
                List<CompletableFuture<Long>> asks = new ArrayList<>();
                var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
                for (int i = 0; i < 4; i++) {
                    asks.add(CompletableFuture.supplyAsync(() -> {
                        long s = System.nanoTime();
                        try {
                            assertThat(new Message(udp(to, query("mail.m.test.", Type.A, false))).getRcode()).isEqualTo(Rcode.SERVFAIL);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        return (System.nanoTime() - s) / 1_000_000;
                    }, pool));
                }
                List<Long> times = asks.stream().map(CompletableFuture::join).sorted().toList();
                pool.shutdown();
                assertThat(times.get(0)).as("over the in-flight bound: at once").isLessThan(300L);
                assertThat(times.get(3)).as("within the bound: after the timeout").isGreaterThanOrEqualTo(350L);
                // over TCP: nobody listens on the legacy port, the connection is refused, SERVFAIL
                Message tcp = new Message(DnsClient.tcp(to, query("www.m.test.", Type.A, false).toWire(), Duration.ofSeconds(3)));
                assertThat(tcp.getRcode()).isEqualTo(Rcode.SERVFAIL);
                assertThat(r.get("dns.forward.timeouts").functionCounter().count()).isGreaterThanOrEqualTo(2);
                assertThat(r.get("dns.forward.overflow").functionCounter().count()).isGreaterThanOrEqualTo(1);
                assertThat(r.get("dns.forward.errors").functionCounter().count()).isGreaterThanOrEqualTo(1);
                assertThat(ns8.servingStats().timeouts()).isGreaterThanOrEqualTo(2);
            }
        }
    }

    static void setModeAndWait(String mode, int percent) throws InterruptedException {
        ServingMode want = ServingMode.of(mode, percent);
        if (!server.servingMode().equals(want)) {
            setMode(mode, percent);
        }
        assertThat(millisUntil(want::equals, System.nanoTime())).isNotNegative();
    }
}
