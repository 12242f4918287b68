package dnsmig.server;

import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.server.query.QueryHandler;
import dnsmig.server.xfr.TransferPolicy;
import dnsmig.testkit.DnsClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;

/**
 * Random and mutated packets, in process and over real sockets. In process every packet must
 * come back as nothing or as a well-formed response to it (its ID, QR set, within the
 * requester's size); over the network the server must go on answering legitimate queries
 * during and after a flood of garbage over UDP and TCP. Seeded: a failure names its seed.
 */
class FuzzTest {

    static final long SEED = Long.getLong("fuzz.seed", 20261122L);
    static final String ZONE = """
            $TTL 300
            @        IN SOA ns1 host 1 3600 600 86400 60
            @        IN NS  ns1
            @        IN NS  ns2.other.net.
            ns1      IN A   192.0.2.1
            @        IN MX  10 mail
            mail     IN A   192.0.2.2
            www      IN CNAME web
            web      IN A   192.0.2.3
            web      IN AAAA 2001:db8::3
            *.wild   IN TXT "wild"
            sub      IN NS  ns1.sub
            ns1.sub  IN A   192.0.2.5
            dn       IN DNAME example.com.
            loop1    IN CNAME loop2
            loop2    IN CNAME loop1
            _sip._udp IN SRV 0 5 5060 web
            svc      IN HTTPS 1 web alpn=h2
            """;

    static StoreSeeder seeder;
    static NameServer server;

    @BeforeAll
    static void start() throws Exception {
        seeder = new StoreSeeder();
        StringBuilder big = new StringBuilder(ZONE);
        for (int i = 0; i < 60; i++) {
            big.append("big IN TXT \"").append("y".repeat(50)).append(i).append("\"\n");
        }
        seeder.zone("example.com.", big.toString());
        server = NameServer.start(new NameServer.Settings("ns1", List.of(new InetSocketAddress("127.0.0.1", 0)), 2, 10_000, 256,
                Duration.ofSeconds(2), TransferPolicy.NOBODY, Duration.ofSeconds(1)), seeder.dataSource, new SimpleMeterRegistry(), null);
    }

    @AfterAll
    static void stop() {
        server.close();
        seeder.close();
    }

    /** Well-formed queries to mutate: a spread of names, types, EDNS, flags, TSIG. */
    static List<byte[]> seeds() throws IOException {
        List<byte[]> out = new ArrayList<>();
        String[] names = {"example.com.", "www.example.com.", "x.wild.example.com.", "a.b.sub.example.com.", "x.dn.example.com.",
            "loop1.example.com.", "nx.example.com.", "big.example.com.", "svc.example.com.", "_sip._udp.example.com.", "other.org.", "."};
        int[] types = {Type.A, Type.AAAA, Type.MX, Type.TXT, Type.NS, Type.SOA, Type.ANY, Type.HTTPS, Type.SRV, Type.DS, Type.AXFR, 65000};
        for (String n : names) {
            for (int t : types) {
                Message m = Message.newQuery(Record.newRecord(Name.fromString(n), t, DClass.IN));
                out.add(m.toWire());
                m.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
                out.add(m.toWire());
            }
        }
        Message signed = Message.newQuery(Record.newRecord(Name.fromString("example.com."), Type.SOA, DClass.IN));
        signed.setTSIG(new TSIG(TSIG.HMAC_SHA256, "k.", "c2VjcmV0LXNlY3JldC1zZWNyZXQ="));
        out.add(signed.toWire(65535));
        return out;
    }

    /** One fuzz packet: pure noise, or a seed query mutated in one of several ways. */
    static byte[] packet(Random r, List<byte[]> seeds) {
        int kind = r.nextInt(10);
        if (kind == 0) {
            byte[] noise = new byte[r.nextInt(600)];
            r.nextBytes(noise);
            return noise;
        }
        byte[] p = seeds.get(r.nextInt(seeds.size())).clone();
        switch (kind) {
            case 1 -> { // bit flips
                for (int i = 1 + r.nextInt(4); i > 0 && p.length > 0; i--) {
                    p[r.nextInt(p.length)] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 2 -> { // random bytes overwritten
                for (int i = 1 + r.nextInt(6); i > 0 && p.length > 0; i--) {
                    p[r.nextInt(p.length)] = (byte) r.nextInt(256);
                }
            }
            case 3 -> p = java.util.Arrays.copyOf(p, r.nextInt(p.length + 1)); // cut short
            case 4 -> { // junk appended
                byte[] longer = java.util.Arrays.copyOf(p, p.length + 1 + r.nextInt(200));
                for (int i = p.length; i < longer.length; i++) {
                    longer[i] = (byte) r.nextInt(256);
                }
                p = longer;
            }
            case 5 -> { // section counts lie
                int at = 4 + 2 * r.nextInt(4);
                p[at] = (byte) r.nextInt(256);
                p[at + 1] = (byte) r.nextInt(256);
            }
            case 6 -> { // a compression pointer (often a loop) into the question
                if (p.length > 14) {
                    int at = 12 + r.nextInt(p.length - 13);
                    p[at] = (byte) (0xC0 | r.nextInt(4));
                    p[at + 1] = (byte) r.nextInt(p.length);
                }
            }
            case 7 -> { // a label length that runs past the end
                if (p.length > 12) {
                    p[12] = (byte) (1 + r.nextInt(63));
                }
            }
            case 8 -> { // flags and opcode at random
                p[2] = (byte) r.nextInt(256);
                p[3] = (byte) r.nextInt(256);
            }
            default -> { // EDNS fields at random: size, version, DO, option lengths
                if (p.length > 11 + 17 && p[p.length - 11] == 0 && p[p.length - 10] == 0 && p[p.length - 9] == 41) {
                    for (int i = p.length - 8; i < p.length; i++) {
                        if (r.nextBoolean()) {
                            p[i] = (byte) r.nextInt(256);
                        }
                    }
                }
            }
        }
        return p;
    }

    @Test
    void everyPacketGetsNothingOrAWellFormedResponseToIt() throws Exception {
        QueryHandler handler = new QueryHandler(server.index(), 1000, QueryHandler.Observer.NONE);
        List<byte[]> seeds = seeds();
        Random r = new Random(SEED);
        InetSocketAddress client = new InetSocketAddress("127.0.0.1", 5353);
        int answered = 0;
        int packets = 300_000;
        for (int i = 0; i < packets; i++) {
            byte[] p = packet(r, seeds);
            boolean tcp = r.nextInt(4) == 0;
            byte[] response;
            try {
                response = handler.handle(p, p.length, tcp, client, client);
            } catch (RuntimeException e) {
                throw new AssertionError("packet " + i + " (seed " + SEED + ") threw: " + java.util.HexFormat.of().formatHex(p), e);
            }
            if (response == null) {
                assertThat(p.length < 12 || (p[2] & 0x80) != 0).as("only runts and responses go unanswered: packet %d (seed %d) %s", i, SEED,
                        java.util.HexFormat.of().formatHex(p)).isTrue();
                continue;
            }
            answered++;
            assertThat(response.length).as("packet %d", i).isGreaterThanOrEqualTo(12);
            assertThat(response[0] == p[0] && response[1] == p[1]).as("ID echoed, packet %d", i).isTrue();
            assertThat(response[2] & 0x80).as("QR set, packet %d", i).isNotZero();
            if (!tcp) {
                assertThat(response.length).as("UDP response within the requester's size, packet %d", i).isLessThanOrEqualTo(1232);
            }
            try {
                new Message(response);
            } catch (IOException e) {
                throw new AssertionError("packet " + i + " (seed " + SEED + ") got a response that does not parse: " + e.getMessage()
                        + "\nquery " + java.util.HexFormat.of().formatHex(p) + "\nresponse " + java.util.HexFormat.of().formatHex(response));
            }
        }
        assertThat(answered).as("most mutants still get an answer (a FORMERR at least)").isGreaterThan(packets / 2);
    }

    @Test
    void aFloodOfGarbageOverUdpAndTcpDoesNotStopLegitimateAnswers() throws Exception {
        List<byte[]> seeds = seeds();
        InetSocketAddress udp = server.udpAddresses().get(0);
        InetSocketAddress tcp = server.tcpAddresses().get(0);
        AtomicLong tcpPackets = new AtomicLong();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        // TCP garbage from two threads while UDP garbage is sent from this one.
        List<Thread> tcpFuzzers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            long seed = SEED + 1 + t;
            tcpFuzzers.add(Thread.ofPlatform().name("tcp-fuzz-" + t).start(() -> tcpFuzz(tcp, seeds, new Random(seed), 1_000, tcpPackets, deadline)));
        }
        Random r = new Random(SEED);
        int sent = 0;
        int legit = 0;
        try (DatagramSocket s = new DatagramSocket()) {
            for (int burst = 0; burst < 1000 && System.nanoTime() < deadline; burst++) {
                for (int i = 0; i < 100; i++) {
                    byte[] p = packet(r, seeds);
                    s.send(new DatagramPacket(p, p.length, udp));
                    sent++;
                }
                if (burst % 20 == 0) {
                    assertLegitimateAnswers(udp, tcp, "during the flood, after " + sent + " UDP packets");
                    legit++;
                }
            }
        }
        for (Thread t : tcpFuzzers) {
            t.join(TimeUnit.NANOSECONDS.toMillis(Math.max(1, deadline - System.nanoTime())) + 10_000);
        }
        System.out.printf("fuzz: %d UDP packets, %d TCP frames, %d legitimate checks during%n", sent, tcpPackets.get(), legit);
        assertThat(sent + tcpPackets.get()).as("packets sent").isGreaterThanOrEqualTo(100_000);
        assertLegitimateAnswers(udp, tcp, "after the flood");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.tcpConnectionsOpen() > 0 && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(server.tcpConnectionsOpen()).as("every fuzz connection closed (no leak)").isZero();
    }

    /** A real query over UDP (a resolver retries: up to 3 tries) and over TCP, answered correctly. */
    static void assertLegitimateAnswers(InetSocketAddress udp, InetSocketAddress tcp, String when) throws IOException {
        byte[] q = Message.newQuery(Record.newRecord(Name.fromString("web.example.com."), Type.A, DClass.IN)).toWire();
        byte[] answer = null;
        for (int attempt = 0; attempt < 3 && answer == null; attempt++) {
            answer = DnsClient.udp(udp, q, Duration.ofSeconds(1));
        }
        assertThat(answer).as("a UDP answer %s", when).isNotNull();
        Message m = new Message(answer);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(m.getSection(Section.ANSWER)).hasSize(1);
        byte[] overTcp = DnsClient.tcp(tcp, q, Duration.ofSeconds(3));
        assertThat(overTcp).as("a TCP answer %s", when).isNotNull();
        assertThat(new Message(overTcp).getSection(Section.ANSWER)).hasSize(1);
    }

    /**
     * Connections that send framed mutants, frames whose length lies, zero-length frames,
     * partial frames left hanging, or noise; some read their answers, some hang up at once.
     */
    static void tcpFuzz(InetSocketAddress at, List<byte[]> seeds, Random r, int connections, AtomicLong frames, long deadline) {
        for (int c = 0; c < connections && System.nanoTime() < deadline; c++) {
            try (Socket s = new Socket()) {
                s.connect(at, 2000);
                s.setSoTimeout(100);
                OutputStream out = s.getOutputStream();
                int style = r.nextInt(5);
                int n = 1 + r.nextInt(40);
                java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
                for (int i = 0; i < n; i++) {
                    byte[] p = packet(r, seeds);
                    int len = switch (style) {
                        case 1 -> r.nextInt(65536); // a length that lies
                        case 2 -> 0;
                        default -> p.length;
                    };
                    if (style == 3) {
                        buf.write(p, 0, p.length); // no framing at all
                    } else {
                        buf.write(len >>> 8);
                        buf.write(len);
                        buf.write(p, 0, Math.min(p.length, style == 4 && i == n - 1 ? p.length / 2 : p.length));
                    }
                    frames.incrementAndGet();
                }
                out.write(buf.toByteArray());
                out.flush();
                if (r.nextInt(5) == 0) {
                    drain(new DataInputStream(s.getInputStream()));
                }
            } catch (IOException e) {
                // the server may close on us: that is its right
            }
        }
    }

    private static void drain(DataInputStream in) {
        byte[] b = new byte[65536];
        try {
            while (in.read(b) > 0) {
                // read what comes until the server stops sending (timeout) or closes
            }
        } catch (IOException e) {
            // timeout or reset
        }
    }
}
