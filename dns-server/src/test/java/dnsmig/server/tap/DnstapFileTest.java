package dnsmig.server.tap;

import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.server.NameServer;
import dnsmig.server.tap.pb.Dnstap;
import dnsmig.server.tap.pb.Message;
import dnsmig.server.tap.pb.SocketFamily;
import dnsmig.server.tap.pb.SocketProtocol;
import dnsmig.testkit.BindTools;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Type;

/**
 * Issue 3's acceptance: a file tapped from a running nameserver (real UDP and TCP queries) is
 * read back by BIND's {@code dnstap-read}, which must show each query and response with the
 * right name, type, message type, transport, addresses and status. The same file is also read
 * frame by frame with the generated protobuf classes.
 */
class DnstapFileTest {

    static TappedServer store;

    @BeforeAll
    static void seed() {
        store = new TappedServer();
    }

    @AfterAll
    static void stop() {
        store.close();
    }

    /**
     * One query sent and what dnstap-read must show for it.
     *
     * @param question the question as dnstap-read prints it, or null when it cannot parse the query
     * @param status the response's RCODE, or null when dnstap-read leaves the response out (it
     *     needs a question in the response: BIND's dns_dt_parse takes the first question name)
     */
    record Asked(String label, byte[] wire, boolean tcp, String question, String status) {
        @Override
        public String toString() {
            return label;
        }
    }

    static List<Asked> table() throws Exception {
        return List.of(
                new Asked("A over UDP", TappedServer.query("www.example.com.", Type.A), false, "www.example.com. IN A", "NOERROR"),
                new Asked("AAAA over TCP", TappedServer.query("www.example.com.", Type.AAAA), true, "www.example.com. IN AAAA", "NOERROR"),
                new Asked("MX at the apex", TappedServer.query("example.com.", Type.MX), false, "example.com. IN MX", "NOERROR"),
                new Asked("TXT over TCP", TappedServer.query("txt.example.com.", Type.TXT), true, "txt.example.com. IN TXT", "NOERROR"),
                new Asked("NXDOMAIN over UDP", TappedServer.query("nx.example.com.", Type.A), false, "nx.example.com. IN A", "NXDOMAIN"),
                new Asked("NXDOMAIN over TCP", TappedServer.query("nope.example.com.", Type.AAAA), true, "nope.example.com. IN AAAA", "NXDOMAIN"),
                new Asked("outside our zones", TappedServer.query("example.org.", Type.A), false, "example.org. IN A", "REFUSED"),
                // class ANY asked as data: FORMERR with the question echoed
                new Asked("class ANY", TappedServer.query("www.example.com.", Type.A, DClass.ANY), false, "www.example.com. ANY A", "FORMERR"),
                // two OPT records (RFC 6891 §6.1.1) and a question cut short: FORMERR without a question.
                // dnstap-read shows the query without its message (BIND's parser refuses it too) and
                // leaves the response out (its dns_dt_parse needs the response's first question name).
                new Asked("two OPT records", twoOpts(TappedServer.query("www.example.com.", Type.SOA)), false, null, null),
                new Asked("truncated question", new byte[] {0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w', 'w'}, false, null, null));
    }

    @Test
    void bindDnstapReadDecodesTheTappedFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ns1.dnstap");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<Asked> table = table();
        Instant before = Instant.now();
        DnstapTap tap = DnstapTap.toFile(file, new DnstapTap.Settings("ns1", 1, 1000, Duration.ofMillis(50), Duration.ofSeconds(1),
                Duration.ofMillis(50), Duration.ofMillis(500)), registry);
        NameServer server = store.start("ns1", tap, registry);
        int port = server.udpAddresses().get(0).getPort();
        try {
            for (Asked a : table) {
                assertThat(TappedServer.ask(server, a.wire(), a.tcp())).as("a response to %s", a).isNotNull();
            }
        } finally {
            server.close();
            tap.close();
        }
        Instant after = Instant.now();
        assertThat(registry.get("dns.dnstap.written").tag("nameserver", "ns1").counter().count()).isEqualTo(table.size());
        assertThat(registry.get("dns.dnstap.dropped").tag("nameserver", "ns1").counter().count()).isZero();

        // dnstap-read -y: one YAML document per message it can parse
        BindTools.Result yaml = BindTools.run(dir, List.of("dnstap-read", "-y", file.toString()));
        assertThat(yaml.exit()).as("dnstap-read -y: %s", yaml.err()).isZero();
        List<Shown> shown = Shown.parse(yaml.out());
        List<String> expected = new ArrayList<>();
        for (Asked a : table) {
            String proto = a.tcp() ? "TCP" : "UDP";
            expected.add("AUTH_QUERY " + proto + " " + a.question() + " status " + (a.question() == null ? null : "NOERROR"));
            if (a.status() != null) {
                expected.add("AUTH_RESPONSE " + proto + " " + a.question() + " status " + a.status());
            }
        }
        assertThat(shown.stream().map(Shown::summary).toList()).as(yaml.out()).containsExactlyElementsOf(expected);
        for (Shown s : shown) {
            assertThat(s.identity()).isEqualTo("ns1");
            assertThat(s.version()).isEqualTo("dnsmig");
            assertThat(s.family()).isEqualTo("INET");
            assertThat(s.queryAddress()).isEqualTo("127.0.0.1");
            assertThat(s.responseAddress()).isEqualTo("127.0.0.1");
            assertThat(s.responsePort()).isEqualTo(port);
        }
        for (int i = 0; i + 1 < shown.size(); i++) { // a response comes from the port its query came from
            if (shown.get(i).type().equals("AUTH_QUERY") && shown.get(i + 1).type().equals("AUTH_RESPONSE")) {
                assertThat(shown.get(i + 1).queryPort()).isEqualTo(shown.get(i).queryPort());
            }
        }

        // dnstap-read's one-line form: "AQ client -> server UDP 33b www.example.com/IN/A"
        BindTools.Result lines = BindTools.run(dir, List.of("dnstap-read", file.toString()));
        assertThat(lines.exit()).isZero();
        List<String> brief = lines.out().lines().map(l -> l.replaceFirst("^\\S+ \\S+ ", "").replaceAll(":\\d+ (->|<-) ", " $1 ")
                .replaceAll(" \\d+b ", " ").replace(":" + port, "")).toList();
        assertThat(brief).contains("AQ 127.0.0.1 -> 127.0.0.1 UDP www.example.com/IN/A", "AR 127.0.0.1 <- 127.0.0.1 UDP www.example.com/IN/A",
                "AQ 127.0.0.1 -> 127.0.0.1 TCP nope.example.com/IN/AAAA", "AR 127.0.0.1 <- 127.0.0.1 TCP nope.example.com/IN/AAAA",
                "AQ 127.0.0.1 -> 127.0.0.1 UDP ?/?/?");

        // The file frame by frame: START with dnstap's content type, two messages per query, STOP.
        List<FrameReader.Frame> frames = FrameReader.readAll(file);
        assertThat(frames.getFirst()).isEqualTo(new FrameReader.Control(FrameReader.START, List.of("protobuf:dnstap.Dnstap")));
        assertThat(frames.getLast()).isEqualTo(new FrameReader.Control(FrameReader.STOP, List.of()));
        List<Dnstap> messages = FrameReader.messages(frames);
        assertThat(messages).hasSize(2 * table.size());
        for (int i = 0; i < table.size(); i++) {
            Asked a = table.get(i);
            Message q = messages.get(2 * i).getMessage();
            Message r = messages.get(2 * i + 1).getMessage();
            assertThat(q.getType()).isEqualTo(Message.Type.AUTH_QUERY);
            assertThat(r.getType()).isEqualTo(Message.Type.AUTH_RESPONSE);
            assertThat(q.getQueryMessage().toByteArray()).as("%s: the query verbatim", a).isEqualTo(a.wire());
            assertThat(r.getResponseMessage().toByteArray()).as("%s: an answer to it", a).startsWith(Arrays.copyOf(a.wire(), 2));
            assertThat(List.of(q.getSocketProtocol(), r.getSocketProtocol())).containsOnly(a.tcp() ? SocketProtocol.TCP : SocketProtocol.UDP);
            assertThat(List.of(q.getSocketFamily(), r.getSocketFamily())).containsOnly(SocketFamily.INET);
            Instant received = Instant.ofEpochSecond(q.getQueryTimeSec(), q.getQueryTimeNsec());
            Instant sent = Instant.ofEpochSecond(r.getResponseTimeSec(), r.getResponseTimeNsec());
            assertThat(received).isBetween(before, after).isBeforeOrEqualTo(sent);
            assertThat(Instant.ofEpochSecond(r.getQueryTimeSec(), r.getQueryTimeNsec())).isEqualTo(received);
            assertThat(sent).isBefore(after);
        }
        for (Dnstap formerr : messages.subList(messages.size() - 4, messages.size()).stream().filter(m -> m.getMessage().hasResponseMessage()).toList()) {
            assertThat(formerr.getMessage().getResponseMessage().byteAt(3) & 0x0F).as("the FORMERRs dnstap-read leaves out are in the file").isEqualTo(1);
        }
    }

    /** The query with two empty OPT records in its additional section. */
    private static byte[] twoOpts(byte[] query) {
        byte[] opt = {0, 0, 41, 0x04, (byte) 0xD0, 0, 0, 0, 0, 0, 0};
        ByteBuffer b = ByteBuffer.allocate(query.length + 2 * opt.length).put(query).put(opt).put(opt);
        b.putShort(10, (short) 2);
        return b.array();
    }

    /** What dnstap-read -y printed for one message. */
    record Shown(String identity, String version, String type, String protocol, String family, String queryAddress, String responseAddress,
            int queryPort, int responsePort, String question, String status) {

        String summary() {
            return type + " " + protocol + " " + question + " status " + status;
        }

        static List<Shown> parse(String yaml) {
            List<Shown> out = new ArrayList<>();
            for (String doc : yaml.split("(?m)^---$")) {
                if (doc.isBlank()) {
                    continue;
                }
                out.add(new Shown(find(doc, "^identity: (.*)$"), find(doc, "^version: (.*)$"), find(doc, "^  type: (\\S+)$"),
                        find(doc, "^  socket_protocol: (\\S+)$"), find(doc, "^  socket_family: (\\S+)$"), find(doc, "^  query_address: \"(.*)\"$"),
                        find(doc, "^  response_address: \"(.*)\"$"), Integer.parseInt(find(doc, "^  query_port: (\\d+)$")),
                        Integer.parseInt(find(doc, "^  response_port: (\\d+)$")), find(doc, "^    QUESTION_SECTION:\\n      - '(.*)'$"),
                        find(doc, "^    status: (\\S+)$")));
            }
            return out;
        }

        private static String find(String doc, String regex) {
            Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(doc);
            return m.find() ? m.group(1) : null;
        }
    }
}
