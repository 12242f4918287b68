package dnsmig.server;

import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.server.query.QueryHandler;
import dnsmig.server.xfr.TransferPolicy;
import dnsmig.testkit.DnsClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;

/**
 * The protocol around the answers, over real sockets: EDNS (RFC 6891), error RCODEs for bad and
 * unsupported queries, truncation and TCP (RFC 7766, pipelining), negative TTLs (RFC 2308),
 * zone transfers (RFC 5936) with their ACL and TSIG (RFC 8945), IPv6, TCP limits, and changes
 * arriving through the record store.
 */
class ProtocolTest {

    static final Duration TIMEOUT = Duration.ofSeconds(3);
    static final String KEY_NAME = "transfer-key.";
    static final String KEY_SECRET = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==";

    static final String ZONE = """
            $TTL 300
            @        IN SOA ns1 host 7 3600 600 86400 60
            @        IN NS  ns1
            ns1      IN A   192.0.2.1
            www      IN A   192.0.2.3
            """;

    /** An SOA TTL below its MINIMUM: the negative TTL is the SOA's TTL (RFC 2308 §5). */
    static final String SHORT_SOA_ZONE = """
            $TTL 300
            @        30 IN SOA ns1 host 1 3600 600 86400 3600
            @        IN NS  ns1
            ns1      IN A   192.0.2.1
            """;

    static StoreSeeder seeder;
    /** Transfers by TSIG key only (its ACL holds no loopback address); short TCP idle timeout, few connections. */
    static NameServer server;
    /** Transfers by ACL: loopback may. */
    static NameServer aclServer;

    @BeforeAll
    static void start() throws Exception {
        seeder = new StoreSeeder();
        seeder.zone("example.com.", ZONE + bigTxt());
        seeder.zone("short.example.", SHORT_SOA_ZONE);
        seeder.zone("large.example.", largeZone());
        TSIG key = new TSIG(TSIG.HMAC_SHA256, KEY_NAME, KEY_SECRET);
        TransferPolicy byKey = new TransferPolicy(List.of(TransferPolicy.Network.parse("10.0.0.0/8")), Map.of(Name.fromString(KEY_NAME), key));
        List<InetSocketAddress> listen = new ArrayList<>(List.of(new InetSocketAddress("127.0.0.1", 0)));
        if (ipv6Loopback()) {
            listen.add(new InetSocketAddress("::1", 0));
        }
        server = NameServer.start(new NameServer.Settings("ns1", listen, 2, 1000, 4, Duration.ofSeconds(1), byKey, Duration.ofMillis(200)),
                seeder.dataSource, new SimpleMeterRegistry(), null);
        TransferPolicy byAcl = new TransferPolicy(List.of(TransferPolicy.Network.parse("127.0.0.0/8")), Map.of());
        aclServer = NameServer.start(new NameServer.Settings("ns2", List.of(new InetSocketAddress("127.0.0.1", 0)), 1, 1000, 64,
                Duration.ofSeconds(10), byAcl, Duration.ofMillis(200)), seeder.dataSource, new SimpleMeterRegistry(), null);
    }

    @AfterAll
    static void stop() {
        aclServer.close();
        server.close();
        seeder.close();
    }

    /** 40 TXT records of 60 octets: about 2.6 KB, more than 512 and 1232 octets. */
    static String bigTxt() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            b.append("big IN TXT \"").append(String.format("%02d", i)).append("x".repeat(58)).append("\"\n");
        }
        return b.toString();
    }

    /** 100,000 records: a transfer of ~50 messages. */
    static String largeZone() {
        StringBuilder b = new StringBuilder(SHORT_SOA_ZONE);
        for (int i = 0; i < 100_000; i++) {
            b.append("h").append(i).append(" IN A 10.").append(i >> 16 & 255).append('.').append(i >> 8 & 255).append('.').append(i & 255).append('\n');
        }
        return b.toString();
    }

    static boolean ipv6Loopback() {
        try (var s = new java.net.DatagramSocket(new InetSocketAddress("::1", 0))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static InetSocketAddress udp() {
        return server.udpAddresses().get(0);
    }

    static InetSocketAddress tcp() {
        return server.tcpAddresses().get(0);
    }

    static Message query(String name, int type, OPTRecord opt) throws IOException {
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
        if (opt != null) {
            q.addRecord(opt, Section.ADDITIONAL);
        }
        return q;
    }

    static Message udpAsk(Message q) throws IOException {
        byte[] r = DnsClient.udp(udp(), q.toWire(), TIMEOUT);
        assertThat(r).as("a response to %s", q.getQuestion()).isNotNull();
        return new Message(r);
    }

    static Message tcpAsk(Message q) throws IOException {
        byte[] r = DnsClient.tcp(tcp(), q.toWire(), TIMEOUT);
        assertThat(r).as("a TCP response to %s", q.getQuestion()).isNotNull();
        return new Message(r);
    }

    // --- EDNS (RFC 6891) ---

    @Test
    void ednsResponseCarriesOurPayloadSizeAndEchoesTheDoBit() throws Exception {
        Message r = udpAsk(query("www.example.com.", Type.A, new OPTRecord(4096, 0, 0, ExtendedFlags.DO)));
        OPTRecord opt = r.getOPT();
        assertThat(opt).as("OPT in the response to an EDNS query").isNotNull();
        assertThat(opt.getPayloadSize()).isEqualTo(1232);
        assertThat(opt.getVersion()).isZero();
        assertThat(opt.getFlags() & ExtendedFlags.DO).as("DO echoed (RFC 3225)").isEqualTo(ExtendedFlags.DO);
        Message plain = udpAsk(query("www.example.com.", Type.A, null));
        assertThat(plain.getOPT()).as("no OPT in the response to a query without one").isNull();
    }

    @Test
    void unknownEdnsVersionGetsBadvers() throws Exception {
        Message r = udpAsk(query("www.example.com.", Type.A, new OPTRecord(1232, 0, 1)));
        assertThat(r.getRcode()).as("extended RCODE").isEqualTo(Rcode.BADVERS);
        assertThat(r.getOPT().getVersion()).as("answered with the version we do speak").isZero();
        assertThat(r.getSection(Section.ANSWER)).isEmpty();
    }

    @Test
    void malformedQueriesGetFormerrWithTheirId() throws Exception {
        byte[] good = query("www.example.com.", Type.A, null).toWire();
        List<byte[]> bad = new ArrayList<>();
        byte[] noQuestion = good.clone();
        noQuestion[5] = 0; // QDCOUNT 0
        bad.add(java.util.Arrays.copyOf(noQuestion, 12));
        byte[] twoQuestions = good.clone();
        twoQuestions[5] = 2;
        bad.add(twoQuestions);
        bad.add(java.util.Arrays.copyOf(good, good.length - 3)); // question cut short
        Message twoOpts = query("www.example.com.", Type.A, new OPTRecord(1232, 0, 0));
        twoOpts.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        bad.add(twoOpts.toWire());
        bad.add(query("www.example.com.", Type.OPT, null).toWire()); // a meta type asked as data
        for (byte[] packet : bad) {
            byte[] r = DnsClient.udp(udp(), packet, TIMEOUT);
            assertThat(r).as("a response to a malformed query").isNotNull();
            assertThat(r[3] & 0x0F).as("FORMERR").isEqualTo(Rcode.FORMERR);
            assertThat(r[0] == packet[0] && r[1] == packet[1]).as("ID echoed").isTrue();
            assertThat(r[2] & 0x80).as("QR").isNotZero();
        }
    }

    @Test
    void opcodesOtherThanQueryGetNotimp() throws Exception {
        for (int opcode : new int[] {Opcode.IQUERY, Opcode.STATUS, Opcode.NOTIFY, Opcode.UPDATE, 3, 15}) {
            Message q = query("example.com.", Type.SOA, null);
            q.getHeader().setOpcode(opcode);
            Message r = udpAsk(q);
            assertThat(r.getRcode()).as("opcode %d", opcode).isEqualTo(Rcode.NOTIMP);
            assertThat(r.getHeader().getOpcode()).as("opcode echoed").isEqualTo(opcode);
        }
    }

    @Test
    void responsesAndRuntsAreNeverAnswered() throws Exception {
        Message q = query("www.example.com.", Type.A, null);
        q.getHeader().setFlag(Flags.QR);
        assertThat(DnsClient.udp(udp(), q.toWire(), Duration.ofMillis(500))).as("a response is not answered (no reflection loops)").isNull();
        assertThat(DnsClient.udp(udp(), new byte[] {1, 2, 3}, Duration.ofMillis(500))).as("shorter than a header").isNull();
    }

    @Test
    void classesOtherThanInAreRefusedAndAnyIsFormerr() throws Exception {
        Message chaos = Message.newQuery(Record.newRecord(Name.fromString("version.bind."), Type.TXT, DClass.CH));
        assertThat(udpAsk(chaos).getRcode()).isEqualTo(Rcode.REFUSED);
        Message any = Message.newQuery(Record.newRecord(Name.fromString("www.example.com."), Type.A, DClass.ANY));
        assertThat(udpAsk(any).getRcode()).isEqualTo(Rcode.FORMERR);
    }

    // --- truncation and TCP (RFC 1035 §4.2, RFC 7766) ---

    @Test
    void tooBigForUdpIsTruncatedAndWholeOverTcp() throws Exception {
        Message noEdns = udpAsk(query("big.example.com.", Type.TXT, null));
        assertThat(noEdns.getHeader().getFlag(Flags.TC)).as("TC at 512 octets").isTrue();
        assertThat(noEdns.getHeader().getFlag(Flags.AA)).isTrue();
        Message edns = udpAsk(query("big.example.com.", Type.TXT, new OPTRecord(4096, 0, 0)));
        assertThat(edns.getHeader().getFlag(Flags.TC)).as("TC at our 1232 octets even when the client takes 4096").isTrue();
        Message whole = tcpAsk(query("big.example.com.", Type.TXT, null));
        assertThat(whole.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(whole.getSection(Section.ANSWER)).as("every TXT over TCP").hasSize(40);
    }

    @Test
    void pipelinedTcpQueriesAreAllAnsweredOnOneConnection() throws Exception {
        String[] names = {"www.example.com.", "big.example.com.", "nx.example.com.", "ns1.example.com.", "example.com."};
        int[] types = {Type.A, Type.TXT, Type.A, Type.A, Type.SOA};
        try (Socket s = new Socket()) {
            s.connect(tcp(), 2000);
            s.setSoTimeout(3000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            List<Integer> ids = new ArrayList<>();
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            DataOutputStream buffer = new DataOutputStream(all);
            for (int i = 0; i < names.length; i++) {
                Message q = query(names[i], types[i], null);
                ids.add(q.getHeader().getID());
                byte[] w = q.toWire();
                buffer.writeShort(w.length);
                buffer.write(w);
            }
            out.write(all.toByteArray()); // all at once, before reading anything
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            List<Integer> answered = new ArrayList<>();
            for (int i = 0; i < names.length; i++) {
                byte[] b = new byte[in.readUnsignedShort()];
                in.readFully(b);
                Message r = new Message(b);
                answered.add(r.getHeader().getID());
                int at = ids.indexOf(r.getHeader().getID());
                assertThat(r.getQuestion().getName().toString()).isEqualTo(names[at]);
            }
            assertThat(answered).as("each query answered once").containsExactlyInAnyOrderElementsOf(ids);
        }
    }

    @Test
    void idleTcpConnectionsAreClosed() throws Exception {
        try (Socket idle = new Socket()) {
            idle.connect(tcp(), 2000);
            idle.setSoTimeout(5000);
            long t0 = System.nanoTime();
            assertThat(idle.getInputStream().read()).as("closed by the server (EOF)").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("within the 1 s idle timeout and some slack").isLessThan(Duration.ofSeconds(4));
        }
    }

    @Test
    void theTcpConnectionCapHolds() throws Exception {
        // A server of its own: with the 1 s idle timeout of the shared one, a slow machine could
        // see the first connection idled out before it is used, which proves nothing about the cap.
        try (NameServer capped = NameServer.start(new NameServer.Settings("ns3", List.of(new InetSocketAddress("127.0.0.1", 0)), 1, 1000, 4,
                Duration.ofSeconds(60), new TransferPolicy(List.of(), Map.of()), Duration.ofMillis(200)), seeder.dataSource, new SimpleMeterRegistry(), null)) {
            InetSocketAddress address = capped.tcpAddresses().get(0);
            // The server takes 4 connections; the fifth is closed at once, the four still work.
            List<Socket> open = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    Socket s = new Socket();
                    s.connect(address, 2000);
                    open.add(s);
                }
                awaitConnections(capped, 4);
                assertThat(capped.tcpConnectionsOpen()).isEqualTo(4);
                try (Socket fifth = new Socket()) {
                    fifth.connect(address, 2000);
                    fifth.setSoTimeout(3000);
                    assertThat(readOrEof(fifth.getInputStream())).as("the connection over the cap is closed").isEqualTo(-1);
                }
                byte[] w = query("www.example.com.", Type.A, null).toWire();
                for (Socket s : open) {
                    DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    out.writeShort(w.length);
                    out.write(w);
                    s.setSoTimeout(3000);
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    byte[] b = new byte[in.readUnsignedShort()];
                    in.readFully(b);
                    assertThat(new Message(b).getRcode()).as("a connection under the cap still answers").isEqualTo(Rcode.NOERROR);
                }
            } finally {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aTapThatThrowsCostsNoAnswerAndNoMetrics() throws Exception {
        AtomicInteger tapped = new AtomicInteger();
        QueryHandler.Observer broken = (q, len, r, query, rcode, tcp, client, local, nanos) -> {
            tapped.incrementAndGet();
            throw new IllegalStateException("a bug in the tap");
        };
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (NameServer ns = NameServer.start(new NameServer.Settings("ns4", List.of(new InetSocketAddress("127.0.0.1", 0)), 1, 1000, 16,
                Duration.ofSeconds(60), new TransferPolicy(List.of(), Map.of()), Duration.ofMillis(200)), seeder.dataSource, registry, broken)) {
            byte[] w = query("www.example.com.", Type.A, null).toWire();
            byte[] overUdp = DnsClient.udp(ns.udpAddresses().get(0), w, TIMEOUT);
            assertThat(overUdp).as("the UDP query is answered").isNotNull();
            assertThat(new Message(overUdp).getRcode()).isEqualTo(Rcode.NOERROR);
            // Two queries pipelined on one connection: the first one's tap failure does not close it.
            try (Socket s = new Socket()) {
                s.connect(ns.tcpAddresses().get(0), 2000);
                s.setSoTimeout(3000);
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                for (int i = 0; i < 2; i++) {
                    out.writeShort(w.length);
                    out.write(w);
                }
                out.flush();
                DataInputStream in = new DataInputStream(s.getInputStream());
                for (int i = 0; i < 2; i++) {
                    byte[] b = new byte[in.readUnsignedShort()];
                    in.readFully(b);
                    assertThat(new Message(b).getRcode()).as("TCP answer %d", i + 1).isEqualTo(Rcode.NOERROR);
                }
            }
            assertThat(tapped.get()).as("the tap saw every query").isEqualTo(3);
            assertThat(registry.find("dns.queries").tag("nameserver", "ns4").counters().stream().mapToDouble(c -> c.count()).sum())
                    .as("the metrics still counted them").isEqualTo(3.0);
            assertThat(registry.get("dns.observer.failures").tag("nameserver", "ns4").tag("observer", "dnstap").functionCounter().count())
                    .as("the tap's failures counted").isEqualTo(3.0);
            assertThat(registry.get("dns.observer.failures").tag("nameserver", "ns4").tag("observer", "metrics").functionCounter().count()).isZero();
        }
    }

    private static int readOrEof(InputStream in) throws IOException {
        try {
            return in.read();
        } catch (java.net.SocketException e) {
            return -1; // reset: closed too
        }
    }

    private static void awaitConnections(NameServer on, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (on.tcpConnectionsOpen() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void answersOverIpv6() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ipv6Loopback(), "no IPv6 loopback on this machine");
        InetSocketAddress v6 = server.udpAddresses().stream().filter(a -> a.getAddress() instanceof java.net.Inet6Address).findFirst().orElseThrow();
        byte[] q = query("www.example.com.", Type.A, null).toWire();
        assertThat(new Message(DnsClient.udp(v6, q, TIMEOUT)).getSection(Section.ANSWER)).hasSize(1);
        assertThat(new Message(DnsClient.tcp(v6, q, TIMEOUT)).getSection(Section.ANSWER)).hasSize(1);
    }

    // --- negative answers (RFC 2308 §3, §5) ---

    @Test
    void negativeTtlIsTheLesserOfSoaTtlAndMinimum() throws Exception {
        Message nx = udpAsk(query("nx.example.com.", Type.A, null));
        assertThat(nx.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(nx.getSection(Section.AUTHORITY).get(0).getTTL()).as("SOA TTL 300, MINIMUM 60").isEqualTo(60);
        Message nodata = udpAsk(query("www.example.com.", Type.MX, null));
        assertThat(nodata.getSection(Section.AUTHORITY).get(0).getTTL()).isEqualTo(60);
        Message shortSoa = udpAsk(query("nx.short.example.", Type.A, null));
        assertThat(shortSoa.getSection(Section.AUTHORITY).get(0).getTTL()).as("SOA TTL 30, MINIMUM 3600").isEqualTo(30);
        Message apex = udpAsk(query("short.example.", Type.SOA, null));
        assertThat(apex.getSection(Section.ANSWER).get(0).getTTL()).as("the SOA itself keeps its TTL").isEqualTo(30);
    }

    // --- zone transfers (RFC 5936, RFC 8945) ---

    @Test
    void axfrToAnAllowedAddressIsTheWholeZoneBetweenTwoSoas() throws Exception {
        Message q = query("example.com.", Type.AXFR, null);
        List<Record> records = transfer(aclServer.tcpAddresses().get(0), q.toWire(), null, null);
        assertThat(records.get(0)).isInstanceOf(SOARecord.class);
        assertThat(records.get(records.size() - 1)).isEqualTo(records.get(0));
        assertThat(records).as("every record once, the SOA twice").hasSize(aclServer.index().get(Name.fromString("example.com.")).recordCount() + 1);
    }

    @Test
    void axfrIsRefusedWithoutLeaveAndOverUdp() throws Exception {
        Message q = query("example.com.", Type.AXFR, null);
        Message refused = new Message(DnsClient.tcp(tcp(), q.toWire(), TIMEOUT));
        assertThat(refused.getRcode()).as("loopback is not in ns1's ACL and the request is unsigned").isEqualTo(Rcode.REFUSED);
        assertThat(refused.getSection(Section.ANSWER)).isEmpty();
        Message overUdp = new Message(DnsClient.udp(aclServer.udpAddresses().get(0), q.toWire(), TIMEOUT));
        assertThat(overUdp.getRcode()).as("AXFR over UDP (RFC 5936 §4.2)").isEqualTo(Rcode.REFUSED);
        Message ixfrUdp = new Message(DnsClient.udp(udp(), query("example.com.", Type.IXFR, null).toWire(), TIMEOUT));
        assertThat(ixfrUdp.getRcode()).isEqualTo(Rcode.REFUSED);
    }

    @Test
    void axfrSignedWithTheKeyIsSignedBackAndDigAgrees() throws Exception {
        TSIG key = new TSIG(TSIG.HMAC_SHA256, KEY_NAME, KEY_SECRET);
        Message q = query("example.com.", Type.AXFR, null);
        q.setTSIG(key);
        byte[] wire = q.toWire(65535); // dnsjava signs only when given a size
        Message signed = new Message(wire);
        List<Record> records = transfer(tcp(), wire, key, signed.getTSIG());
        assertThat(records).hasSize(server.index().get(Name.fromString("example.com.")).recordCount() + 1);
        // BIND's own client checks our signatures too.
        Process dig = new ProcessBuilder("dig", "-p", String.valueOf(tcp().getPort()), "@127.0.0.1", "-y", "hmac-sha256:" + KEY_NAME + ":" + KEY_SECRET,
                "example.com.", "AXFR", "+nocookie").redirectErrorStream(true).start();
        String out = new String(dig.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(dig.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as(out).doesNotContain("fail").doesNotContain("Couldn't").contains("XFR size: " + records.size() + " records");
    }

    @Test
    void aLongTransferToASlowReaderOutlastsTheIdleTimeout() throws Exception {
        // ns1 closes connections idle for 1 s; this client sends nothing after its request and
        // reads slowly for longer than that. Sending counts as activity.
        // First a quick one by ACL from ns2 (the code warm, so the slow one measures the reader).
        assertThat(transfer(aclServer.tcpAddresses().get(0), query("large.example.", Type.AXFR, null).toWire(), null, null)).hasSize(100_000 + 3 + 1);
        TSIG key = new TSIG(TSIG.HMAC_SHA256, KEY_NAME, KEY_SECRET);
        Message q = query("large.example.", Type.AXFR, null);
        q.setTSIG(key);
        byte[] wire = q.toWire(65535);
        long t0 = System.nanoTime();
        List<Record> records = transfer(tcp(), wire, key, new Message(wire).getTSIG(), Duration.ofMillis(40));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("the transfer took longer than the idle timeout").isGreaterThan(Duration.ofMillis(1500));
        assertThat(records).hasSize(100_000 + 3 + 1);
    }

    @Test
    void axfrWithAWrongOrUnknownKeyIsNotauth() throws Exception {
        TSIG wrongSecret = new TSIG(TSIG.HMAC_SHA256, KEY_NAME, "d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==");
        TSIG unknown = new TSIG(TSIG.HMAC_SHA256, "other-key.", KEY_SECRET);
        for (TSIG key : List.of(wrongSecret, unknown)) {
            Message q = query("example.com.", Type.AXFR, null);
            q.setTSIG(key);
            Message r = new Message(DnsClient.tcp(tcp(), q.toWire(65535), TIMEOUT));
            assertThat(r.getRcode()).as("RFC 8945 §5.2").isEqualTo(Rcode.NOTAUTH);
            assertThat(r.getSection(Section.ANSWER)).isEmpty();
        }
    }

    @Test
    void axfrOfAZoneWeDoNotServeIsNotauth() throws Exception {
        Message r = new Message(DnsClient.tcp(aclServer.tcpAddresses().get(0), query("example.org.", Type.AXFR, null).toWire(), TIMEOUT));
        assertThat(r.getRcode()).isEqualTo(Rcode.NOTAUTH);
    }

    /** Reads a whole transfer: messages until the closing SOA; verifies the TSIG stream when signed. */
    static List<Record> transfer(InetSocketAddress at, byte[] query, TSIG key, org.xbill.DNS.TSIGRecord queryTsig) throws Exception {
        return transfer(at, query, key, queryTsig, Duration.ZERO);
    }

    static List<Record> transfer(InetSocketAddress at, byte[] query, TSIG key, org.xbill.DNS.TSIGRecord queryTsig, Duration pause) throws Exception {
        List<Record> records = new ArrayList<>();
        TSIG.StreamVerifier verifier = key == null ? null : new TSIG.StreamVerifier(key, queryTsig);
        try (Socket s = new Socket()) {
            if (!pause.isZero()) {
                s.setReceiveBufferSize(16 * 1024); // a slow reader's small window: the server must wait for it
            }
            s.connect(at, 2000);
            s.setSoTimeout(5000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeShort(query.length);
            out.write(query);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            for (int messages = 0; messages < 1000; messages++) {
                if (!pause.isZero()) {
                    Thread.sleep(pause);
                }
                byte[] b = new byte[in.readUnsignedShort()];
                in.readFully(b);
                Message m = new Message(b);
                assertThat(m.getRcode()).as("transfer message rcode").isEqualTo(Rcode.NOERROR);
                if (verifier != null) {
                    assertThat(verifier.verify(m, b)).as("TSIG of message %d", messages).isEqualTo(Rcode.NOERROR);
                }
                records.addAll(m.getSection(Section.ANSWER));
                if (records.size() > 1 && records.get(records.size() - 1) instanceof SOARecord) {
                    return records;
                }
            }
        }
        throw new AssertionError("no closing SOA");
    }
}
