package dnsmig.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dnsmig.testkit.DnsClient;
import dnsmig.verify.compare.Comparison;
import dnsmig.verify.compare.IgnoreRules;
import dnsmig.verify.replay.Replayer;
import dnsmig.verify.source.DnstapSource;
import dnsmig.verify.source.PcapSource;
import dnsmig.verify.source.Query;
import dnsmig.verify.source.QueryListSource;
import dnsmig.verify.source.QueryLogSource;
import dnsmig.verify.source.QuerySource;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The sources on what real tools write: a capture made by tcpdump on loopback while clients ask
 * named over UDP and TCP (and the same packets re-encoded as pcapng), named's own query log
 * followed as it grows and its dnstap file; each read back to the queries that were asked, and a
 * capture replayed against both sides with no difference found (the data is the same).
 */
class SourcesTest {

    static TwoSides sides;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        sides = new TwoSides(z -> z, null);
    }

    @AfterAll
    static void stop() {
        if (sides != null) {
            sides.close();
        }
    }

    /** The client traffic: UDP queries of several kinds and two over TCP. Returns "name TYPE" of each, lower-case. */
    static List<String> ask(InetSocketAddress server) throws IOException {
        Random rnd = new Random(3);
        List<String> asked = new ArrayList<>();
        String[][] qs = {{"h1.a.example.", "A"}, {"h3.b.example.", "AAAA"}, {"h5.c.example.", "TXT"}, {"a.example.", "MX"}, {"nx.b.example.", "A"},
                {"www.c.example.", "A"}, {"b.example.", "NS"}, {"h10.a.example.", "TXT"}};
        for (String[] q : qs) {
            byte[] r = DnsClient.udp(server, Load.query(q[0], Type.value(q[1]), rnd), Duration.ofSeconds(2));
            assertThat(r).as("named answers " + q[0]).isNotNull();
            asked.add(q[0] + " " + q[1]);
        }
        for (String[] q : new String[][] {{"h2.a.example.", "A"}, {"c.example.", "SOA"}}) {
            assertThat(DnsClient.tcp(server, Message.newQuery(Record.newRecord(Name.fromString(q[0]), Type.value(q[1]), 1)).toWire(), Duration.ofSeconds(2)))
                    .isNotNull();
            asked.add(q[0] + " " + q[1]);
        }
        return asked;
    }

    /**
     * A pcap capture (microsecond timestamps, the host's byte order, as tcpdump writes it) as
     * pcapng: a section header, one interface description with the capture's link type, and an
     * enhanced packet block per packet (draft-ietf-opsawg-pcapng, §4.1–4.3).
     */
    static byte[] asPcapng(byte[] pcap, ByteOrder order) {
        ByteBuffer in = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
        if (in.getInt(0) != 0xa1b2c3d4) {
            in.order(ByteOrder.BIG_ENDIAN);
        }
        assertThat(in.getInt(0)).as("a microsecond pcap").isEqualTo(0xa1b2c3d4);
        int snaplen = in.getInt(16);
        int linkType = in.getInt(20);
        ByteBuffer out = ByteBuffer.allocate(pcap.length * 2 + 64).order(order);
        out.putInt(0x0a0d0d0a).putInt(28).putInt(0x1a2b3c4d).putShort((short) 1).putShort((short) 0).putLong(-1).putInt(28);
        out.putInt(1).putInt(20).putShort((short) linkType).putShort((short) 0).putInt(snaplen).putInt(20);
        in.position(24);
        while (in.remaining() >= 16) {
            long micros = in.getInt() * 1_000_000L + in.getInt();
            int captured = in.getInt();
            int original = in.getInt();
            byte[] data = new byte[captured];
            in.get(data);
            int padded = (captured + 3) & ~3;
            int total = 32 + padded;
            out.putInt(6).putInt(total).putInt(0).putInt((int) (micros >>> 32)).putInt((int) micros).putInt(captured).putInt(original);
            out.put(data).put(new byte[padded - captured]).putInt(total);
        }
        return java.util.Arrays.copyOf(out.array(), out.position());
    }

    static List<Query> read(QuerySource s) throws Exception {
        List<Query> out = new CopyOnWriteArrayList<>();
        s.run((q, port) -> out.add(q));
        return out;
    }

    static TreeSet<String> names(List<Query> qs) {
        TreeSet<String> s = new TreeSet<>();
        qs.forEach(q -> s.add(q.name().toString().toLowerCase() + " " + Type.string(q.type())));
        return s;
    }

    @Test
    void tcpdumpCaptureOfUdpAndTcpQueriesIsReadAndReplayedWithoutDifferences() throws Exception {
        Path pcap = tmp.resolve("lo.pcap");
        int port = sides.named.port();
        Process tcpdump = new ProcessBuilder("tcpdump", "-i", "lo", "-n", "-U", "--immediate-mode", "-w", pcap.toString(), "port " + port).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("tcpdump.out").toFile()).start();
        List<String> asked;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.readString(tmp.resolve("tcpdump.out")).contains("listening on") && System.nanoTime() < deadline) {
                assertThat(tcpdump.isAlive()).as("tcpdump runs (apt-get install tcpdump): " + Files.readString(tmp.resolve("tcpdump.out"))).isTrue();
                Thread.sleep(50);
            }
            asked = ask(sides.legacy());
            Thread.sleep(300);
        } finally {
            tcpdump.destroy(); // SIGTERM: tcpdump writes what it has and exits
            assertThat(tcpdump.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        PcapSource source = new PcapSource(pcap, port, null);
        List<Query> read = read(source);
        assertThat(names(read)).isEqualTo(new TreeSet<>(asked));
        assertThat(read).hasSize(asked.size()); // the responses are not queries
        assertThat(read).allSatisfy(q -> assertThat(q.nameserver()).isEqualTo("127.0.0.1#" + port));
        assertThat(source.skipped()).isGreaterThan(0);
        // The same packets as pcapng, the format tshark and dumpcap write (none of those is on the
        // machine: Debian's tcpdump writes pcap only), in both byte orders.
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            Path pcapng = tmp.resolve("lo-" + order + ".pcapng");
            Files.write(pcapng, asPcapng(Files.readAllBytes(pcap), order));
            List<Query> fromNg = read(new PcapSource(pcapng, port, null));
            assertThat(fromNg).as("pcapng, " + order).hasSize(read.size());
            assertThat(names(fromNg)).isEqualTo(names(read));
        }

        Replayer.Settings s = new Replayer.Settings(sides.legacy(), sides.neu(), Duration.ofSeconds(2), 0, 50, Duration.ZERO, 1.0, Duration.ofMillis(200),
                new Comparison(IgnoreRules.defaults(), 0), Duration.ofMinutes(1), Duration.ofSeconds(5));
        try (Replayer r = new Replayer(s, sides.verifyStore, dnsmig.verify.store.ZoneDirectory.of(sides.verifyStore), null, Clock.systemUTC())) {
            Replayer.Totals t = new VerifyRun(new PcapSource(pcap, port, "ns2"), r, 0).run(Duration.ofSeconds(20));
            assertThat(t.compared()).isEqualTo(asked.size());
            assertThat(t.matched()).isEqualTo(asked.size());
        }
        Long ns2 = sides.dsl.fetchOne("select sum(compared) from verify_window where nameserver = 'ns2' and zone_name is null").get(0, Long.class);
        assertThat(ns2).isEqualTo(asked.size());
    }

    @Test
    void queryLogFollowedAsItGrows() throws Exception {
        QueryLogSource log = new QueryLogSource(sides.named.queryLog(), true, null);
        List<Query> read = new CopyOnWriteArrayList<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                log.run((q, p) -> read.add(q));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300);
        int before = read.size();
        List<String> asked = ask(sides.legacy());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (read.size() < before + asked.size() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        log.stop();
        t.join(5000);
        List<Query> mine = read.subList(before, read.size());
        assertThat(names(mine)).containsAll(asked);
        assertThat(mine).allSatisfy(q -> assertThat(q.nameserver()).isEqualTo("127.0.0.1"));
    }

    @Test
    void queryLogLinesAndBadQueryLists() throws Exception {
        Path logFile = Files.writeString(tmp.resolve("query.log"), """
                22-Nov-2026 06:01:02.123 client @0x7f3c2c000b60 192.0.2.9#53412 (www.Example.com): query: www.Example.com IN AAAA +E(0)DC (192.0.2.53)
                22-Nov-2026 06:01:02.124 client @0x7f3c2c000b60 192.0.2.9#53413 (example.com): view internal: query: example.com IN MX -E(0)K (192.0.2.53)
                22-Nov-2026 06:01:02.125 general: info: this is not a query
                22-Nov-2026 06:01:02.126 client 198.51.100.7#4242 (example.com): query: example.com IN AXFR -T (192.0.2.53)
                """);
        QueryLogSource src = new QueryLogSource(logFile, false, null);
        List<Query> qs = read(src);
        assertThat(qs).hasSize(2);
        Query q = qs.get(0);
        assertThat(q.name()).isEqualTo(Name.fromString("www.example.com."));
        assertThat(q.type()).isEqualTo(Type.AAAA);
        assertThat(q.rd()).isTrue();
        assertThat(q.dnssecOk()).isTrue();
        assertThat(q.cd()).isTrue();
        assertThat(q.ednsPayload()).isPositive();
        assertThat(q.nameserver()).isEqualTo("192.0.2.53");
        assertThat(qs.get(1).rd()).isFalse();
        assertThat(src.skipped()).isEqualTo(2);

        Path good = Files.writeString(tmp.resolve("good.txt"), "# comment\nwww.example.com A\n\nexample.com MX\n");
        assertThat(names(read(new QueryListSource(good, "ns1")))).containsExactly("example.com. MX", "www.example.com. A");
        Path bad = Files.writeString(tmp.resolve("bad.txt"), "www.example.com A\nexample.com BOGUS\n");
        assertThatThrownBy(() -> read(new QueryListSource(bad, "ns1"))).hasMessageContaining("bad.txt:2").hasMessageContaining("unknown query type 'BOGUS'");
        Path notPcap = Files.writeString(tmp.resolve("x.pcap"), "hello world", StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> read(new PcapSource(notPcap, 53, null))).hasMessageContaining("x.pcap").hasMessageContaining("not a pcap or pcapng");
        assertThatThrownBy(() -> read(DnstapSource.file(notPcap, null))).hasMessageContaining("x.pcap");
    }

    @Test
    void dnstapFileOfNamedIsRead() throws Exception {
        List<String> asked = ask(sides.legacy());
        sides.named.stop(); // named writes its dnstap file out and closes it
        try {
            DnstapSource src = DnstapSource.file(sides.named.dnstapFile(), null);
            List<Query> qs = read(src);
            assertThat(names(qs)).containsAll(asked);
            assertThat(qs).allSatisfy(q -> assertThat(q.nameserver()).isEqualTo("ns1")); // dnstap-identity "ns1"
            assertThat(src.skipped()).isGreaterThan(0); // the AUTH_RESPONSE messages
        } finally {
            sides.named.start();
        }
    }

    static Replayer replayer() throws IOException {
        Replayer.Settings s = new Replayer.Settings(sides.legacy(), sides.neu(), Duration.ofSeconds(2), 0, 50, Duration.ZERO, 1.0, Duration.ofMillis(300),
                new Comparison(IgnoreRules.defaults(), 0), Duration.ofMinutes(1), Duration.ofSeconds(5));
        return new Replayer(s, sides.verifyStore, dnsmig.verify.store.ZoneDirectory.of(sides.verifyStore), null, Clock.systemUTC());
    }

    @Test
    void probesAskEveryRRsetOfAZoneNobodyQueried() throws Exception {
        long rrsets = sides.dsl.fetchOne("select count(distinct (r.name, r.type)) from rr r join zone z on z.id = r.zone_id where z.name = 'a.example.'")
                .get(0, Long.class);
        try (Replayer r = replayer()) {
            Replayer.Totals t = new VerifyRun(new dnsmig.verify.probe.Probes(sides.dsl, "a.example.", true, "ns1"), r, 0, true).run(Duration.ofSeconds(30));
            assertThat(t.compared()).isEqualTo(rrsets + 2); // every RRset, an NXDOMAIN and a NODATA probe
            assertThat(t.matched()).isEqualTo(t.compared());
        }
        var coverage = dnsmig.verify.probe.Probes.coverage(sides.dsl).stream().filter(c -> c.zone().equals("a.example.")).findFirst().orElseThrow();
        assertThat(coverage.rrsets()).isEqualTo(rrsets);
        assertThat(coverage.neverAsked()).isZero();
        Long probes = sides.dsl.fetchOne("select sum(probe_count) from verify_coverage where zone_name = 'a.example.'").get(0, Long.class);
        assertThat(probes).isGreaterThanOrEqualTo(rrsets);
    }

    @Test
    void aDifferenceBetweenZoneVersionsIsVersionSkewNotAnInconsistency() throws Exception {
        // The new side already has version 1005 of c.example (h7 moved); the legacy side still serves 1000.
        sides.importZone("c.example.", TwoSides.zoneText("c.example.", 1005).replace("h7 A 192.0.2.10\n", "h7 A 198.51.100.7\n"));
        try {
            Thread.sleep(1500); // dns-server follows the change log
            Path list = Files.writeString(tmp.resolve("skew.txt"), "h7.c.example. A\n");
            try (Replayer r = replayer()) {
                Replayer.Totals t = new VerifyRun(new QueryListSource(list, "ns1"), r, 0).run(Duration.ofSeconds(30));
                assertThat(t.compared()).isEqualTo(1);
                assertThat(t.versionSkew()).isEqualTo(1);
                assertThat(t.confirmed()).isZero();
            }
            assertThat(sides.dsl.fetchOne("select count(*) from verify_finding where qname = 'h7.c.example.'").get(0, Long.class)).isZero();
            assertThat(sides.dsl.fetchOne("select sum(version_skew) from verify_window where zone_name = 'c.example.'").get(0, Long.class)).isEqualTo(1);
        } finally {
            sides.importZone("c.example.", sides.legacyText.get("c.example."));
            Thread.sleep(1500);
        }
    }
}
