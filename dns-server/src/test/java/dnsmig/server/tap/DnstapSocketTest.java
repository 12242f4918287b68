package dnsmig.server.tap;

import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.server.NameServer;
import dnsmig.server.tap.pb.Dnstap;
import dnsmig.server.tap.pb.SocketProtocol;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * The tap to a collector's unix socket: the bidirectional Frame Streams handshake, frames that
 * decode with the generated classes, reconnection when the collector comes back, and a
 * collector that is absent or stops reading never holding up answers (queries dropped, counted).
 */
class DnstapSocketTest {

    static TappedServer store;

    @TempDir
    Path dir;

    @BeforeAll
    static void seed() {
        store = new TappedServer();
    }

    @AfterAll
    static void stop() {
        store.close();
    }

    static DnstapTap.Settings settings(String name, int queue) {
        return new DnstapTap.Settings(name, 1, queue, Duration.ofMillis(20), Duration.ofMillis(300), Duration.ofMillis(20), Duration.ofMillis(200));
    }

    /** A tapped query as the collector decoded it: message type, transport, question, RCODE of the response. */
    static String shown(Dnstap d) throws Exception {
        dnsmig.server.tap.pb.Message m = d.getMessage();
        boolean query = m.getType() == dnsmig.server.tap.pb.Message.Type.AUTH_QUERY;
        Message dns = new Message((query ? m.getQueryMessage() : m.getResponseMessage()).toByteArray());
        return m.getType() + " " + m.getSocketProtocol() + " " + dns.getQuestion().getName() + " " + Type.string(dns.getQuestion().getType())
                + (query ? "" : " " + Rcode.string(dns.getRcode()));
    }

    @Test
    void aCollectorGetsEveryQueryAfterTheHandshake() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Collector collector = new Collector(dir.resolve("dnstap.sock"), false)) {
            DnstapTap tap = DnstapTap.toSocket(collector.path, settings("ns2", 100), registry);
            NameServer server = store.start("ns2", tap, registry);
            try {
                TappedServer.ask(server, TappedServer.query("www.example.com.", Type.A), false);
                TappedServer.ask(server, TappedServer.query("www.example.com.", Type.AAAA), true);
                TappedServer.ask(server, TappedServer.query("nx.example.com.", Type.MX), false);
                TappedServer.ask(server, TappedServer.query("example.com.", Type.SOA), true);
                List<String> got = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    Dnstap d = collector.messages.poll(10, TimeUnit.SECONDS);
                    assertThat(d).as("message %d of 8 reached the collector", i + 1).isNotNull();
                    assertThat(d.getIdentity().toStringUtf8()).isEqualTo("ns2");
                    assertThat(d.getVersion().toStringUtf8()).isEqualTo("dnsmig");
                    assertThat(d.getMessage().getQueryAddress().toByteArray()).isEqualTo(InetAddress.getLoopbackAddress().getAddress());
                    assertThat(d.getMessage().getResponsePort()).isEqualTo(server.udpAddresses().get(0).getPort());
                    got.add(shown(d));
                }
                assertThat(got).containsExactly(
                        "AUTH_QUERY UDP www.example.com. A", "AUTH_RESPONSE UDP www.example.com. A NOERROR",
                        "AUTH_QUERY TCP www.example.com. AAAA", "AUTH_RESPONSE TCP www.example.com. AAAA NOERROR",
                        "AUTH_QUERY UDP nx.example.com. MX", "AUTH_RESPONSE UDP nx.example.com. MX NXDOMAIN",
                        "AUTH_QUERY TCP example.com. SOA", "AUTH_RESPONSE TCP example.com. SOA NOERROR");
            } finally {
                server.close();
                tap.close();
            }
            assertThat(collector.finished.get()).as("the tap ended the stream with STOP and got FINISH").isEqualTo(1);
            assertThat(collector.connections.get()).isEqualTo(1);
            assertThat(collector.errors).isEmpty();
        }
    }

    @Test
    void reconnectsWhenTheCollectorComesBack() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Path socket = dir.resolve("dnstap.sock");
        Collector first = new Collector(socket, false);
        DnstapTap tap = DnstapTap.toSocket(socket, settings("ns3", 100), registry);
        NameServer server = store.start("ns3", tap, registry);
        Collector second = null;
        try {
            TappedServer.ask(server, TappedServer.query("www.example.com.", Type.A), false);
            assertThat(first.messages.poll(10, TimeUnit.SECONDS)).as("the first collector gets frames").isNotNull();
            first.close(); // the collector goes away ...
            for (int i = 0; i < 5; i++) { // ... queries go on being answered meanwhile
                assertThat(TappedServer.ask(server, TappedServer.query("www.example.com.", Type.A), false)).isNotNull();
            }
            second = new Collector(socket, false); // ... and comes back
            Dnstap d = null;
            for (int i = 0; i < 100 && d == null; i++) {
                TappedServer.ask(server, TappedServer.query("txt.example.com.", Type.TXT), false);
                d = second.messages.poll(100, TimeUnit.MILLISECONDS);
            }
            assertThat(d).as("frames reach the collector that came back").isNotNull();
        } finally {
            server.close();
            tap.close();
        }
        try (Collector back = second) {
            assertThat(back.connections.get()).isEqualTo(1);
            assertThat(back.finished.get()).as("the stream to it ended with STOP → FINISH").isEqualTo(1);
            assertThat(back.errors).isEmpty();
        }
        assertThat(first.errors).isEmpty();
    }

    @Test
    void anAbsentCollectorNeverHoldsUpAnswers() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DnstapTap tap = DnstapTap.toSocket(dir.resolve("nobody-listens.sock"), settings("ns4", 8), registry);
        NameServer server = store.start("ns4", tap, registry);
        int queries = 500;
        try {
            assertThat(askMany(server, queries)).as("every query answered").isEqualTo(queries);
        } finally {
            server.close();
            tap.close();
        }
        assertThat(registry.get("dns.dnstap.dropped").tag("nameserver", "ns4").counter().count()).as("all dropped, none written").isEqualTo(queries);
        assertThat(registry.get("dns.dnstap.written").tag("nameserver", "ns4").counter().count()).isZero();
    }

    @Test
    void aStalledCollectorNeverHoldsUpAnswers() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        int queries = 3000; // about three times what the socket's buffer holds
        try (Collector stalled = new Collector(dir.resolve("stalled.sock"), true)) {
            DnstapTap tap = DnstapTap.toSocket(stalled.path, settings("ns5", 8), registry);
            NameServer server = store.start("ns5", tap, registry);
            long closing;
            try {
                assertThat(askMany(server, queries)).as("every query answered").isEqualTo(queries);
            } finally {
                server.close();
                closing = System.nanoTime();
                tap.close();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - closing)).as("closing waits at most for the collector's timeout")
                    .isLessThan(Duration.ofSeconds(3));
            double dropped = registry.get("dns.dnstap.dropped").tag("nameserver", "ns5").counter().count();
            double written = registry.get("dns.dnstap.written").tag("nameserver", "ns5").counter().count();
            assertThat(dropped).as("queries dropped while the collector did not read").isPositive();
            assertThat(dropped + written).as("every query either written or counted as dropped").isEqualTo(queries);
            assertThat(stalled.connections.get()).isPositive();
            assertThat(stalled.errors).isEmpty();
        }
    }

    /** Sends {@code n} queries over UDP one after the other (each waits for its answer, 2 s at most); how many were answered. */
    static int askMany(NameServer server, int n) throws Exception {
        int answered = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(2000);
            s.connect(server.udpAddresses().get(0));
            byte[] buf = new byte[1232];
            for (int i = 0; i < n && System.nanoTime() < deadline; i++) {
                byte[] q = TappedServer.query("www.example.com.", Type.A);
                s.send(new DatagramPacket(q, q.length));
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (java.net.SocketTimeoutException e) {
                    continue;
                }
                if (p.getLength() >= 2 && buf[0] == q[0] && buf[1] == q[1]) {
                    answered++;
                }
            }
        }
        return answered;
    }
}
