package dnsmig.server;

import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.server.xfr.TransferPolicy;
import dnsmig.testkit.DnsClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Answers of a running server (real sockets, a real record store) to a table of queries. The
 * expectations are what BIND 9.18 answers for the same zone (checked by hand with dig; the
 * differential test compares with a running named wholesale).
 */
class AnswerTest {

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
            chain    IN CNAME www
            out      IN CNAME elsewhere.example.net.
            *.wild   IN A   192.0.2.4
            sub      IN NS  ns1.sub
            ns1.sub  IN A   192.0.2.5
            a.b.ent  IN TXT "empty non-terminal above"
            dn       IN DNAME example.com.
            """;

    static StoreSeeder seeder;
    static NameServer server;
    static InetSocketAddress address;

    @BeforeAll
    static void start() throws Exception {
        seeder = new StoreSeeder();
        seeder.zone("example.com.", ZONE);
        server = NameServer.start(new NameServer.Settings("ns1", List.of(new InetSocketAddress("127.0.0.1", 0)), 2, 10_000, 64,
                Duration.ofSeconds(10), TransferPolicy.NOBODY, Duration.ofSeconds(1)), seeder.dataSource, new SimpleMeterRegistry(), null);
        address = server.udpAddresses().get(0);
    }

    @AfterAll
    static void stop() {
        server.close();
        seeder.close();
    }

    /** One query and what the answer must be: RCODE, AA, and each section as "owner type" lines. */
    record QueryCase(String qname, String qtype, boolean rd, String rcode, boolean aa, List<String> answer, List<String> authority,
            List<String> additional) {
        @Override
        public String toString() {
            return qname + " " + qtype + (rd ? " +rd" : "");
        }
    }

    static QueryCase q(String qname, String qtype, boolean rd, String rcode, boolean aa, List<String> answer, List<String> authority,
            List<String> additional) {
        return new QueryCase(qname, qtype, rd, rcode, aa, answer, authority, additional);
    }

    static Stream<QueryCase> cases() {
        List<String> apexNs = List.of("example.com. NS", "example.com. NS");
        List<String> soa = List.of("example.com. SOA");
        return Stream.of(
                // a CNAME followed inside the zone; the zone's NS in authority as the query asked no recursion
                q("www.example.com.", "A", false, "NOERROR", true, List.of("www.example.com. CNAME", "web.example.com. A"), apexNs,
                        List.of("ns1.example.com. A")),
                // with RD=1 BIND leaves authority out (minimal-responses no-auth-recursive)
                q("www.example.com.", "A", true, "NOERROR", true, List.of("www.example.com. CNAME", "web.example.com. A"), List.of(), List.of()),
                // a chain of two
                q("chain.example.com.", "A", true, "NOERROR", true,
                        List.of("chain.example.com. CNAME", "www.example.com. CNAME", "web.example.com. A"), List.of(), List.of()),
                // a CNAME leaving the zone: answered with the CNAME alone
                q("out.example.com.", "A", true, "NOERROR", true, List.of("out.example.com. CNAME"), List.of(), List.of()),
                // MX with the address of its target in additional
                q("example.com.", "MX", true, "NOERROR", true, List.of("example.com. MX"), List.of(), List.of("mail.example.com. A")),
                // NODATA and NXDOMAIN: SOA in authority (negative TTL checked separately)
                q("web.example.com.", "MX", true, "NOERROR", true, List.of(), soa, List.of()),
                q("nx.example.com.", "A", true, "NXDOMAIN", true, List.of(), soa, List.of()),
                // a wildcard, one and two labels deep (RFC 4592)
                q("x.wild.example.com.", "A", true, "NOERROR", true, List.of("x.wild.example.com. A"), List.of(), List.of()),
                q("a.b.wild.example.com.", "A", true, "NOERROR", true, List.of("a.b.wild.example.com. A"), List.of(), List.of()),
                // the wildcard's parent exists (empty non-terminal): NODATA
                q("wild.example.com.", "A", true, "NOERROR", true, List.of(), soa, List.of()),
                q("ent.example.com.", "TXT", true, "NOERROR", true, List.of(), soa, List.of()),
                // a delegation: referral, not authoritative, glue in additional
                q("x.sub.example.com.", "A", true, "NOERROR", false, List.of(), List.of("sub.example.com. NS"), List.of("ns1.sub.example.com. A")),
                q("sub.example.com.", "NS", true, "NOERROR", false, List.of(), List.of("sub.example.com. NS"), List.of("ns1.sub.example.com. A")),
                // DS at the cut is the parent's: NODATA, authoritative
                q("sub.example.com.", "DS", true, "NOERROR", true, List.of(), soa, List.of()),
                // DNAME: the DNAME and a synthesized CNAME, then the target (RFC 6672)
                q("web.dn.example.com.", "A", true, "NOERROR", true,
                        List.of("dn.example.com. DNAME", "web.dn.example.com. CNAME", "web.example.com. A"), List.of(), List.of()),
                // ... and NXDOMAIN when the name it leads to does not exist (RFC 6672 §2.3)
                q("nope.dn.example.com.", "A", true, "NXDOMAIN", true, List.of("dn.example.com. DNAME", "nope.dn.example.com. CNAME"), soa,
                        List.of()),
                // outside our zones
                q("other.org.", "A", true, "REFUSED", false, List.of(), List.of(), List.of()),
                // the question's letter case is echoed
                q("WwW.ExAmPlE.CoM.", "A", true, "NOERROR", true, List.of("www.example.com. CNAME", "web.example.com. A"), List.of(), List.of()));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void answersAsBindDoes(QueryCase c) throws Exception {
        for (boolean tcp : new boolean[] {false, true}) {
            Message response = ask(c.qname(), Type.value(c.qtype()), c.rd(), tcp);
            assertThat(Rcode.string(response.getRcode())).as("%s rcode (tcp=%s)", c, tcp).isEqualTo(c.rcode());
            assertThat(response.getHeader().getFlag(Flags.AA)).as("%s AA", c).isEqualTo(c.aa());
            assertThat(lines(response, Section.ANSWER)).as("%s answer", c).containsExactlyInAnyOrderElementsOf(c.answer());
            assertThat(lines(response, Section.AUTHORITY)).as("%s authority", c).containsExactlyInAnyOrderElementsOf(c.authority());
            assertThat(lines(response, Section.ADDITIONAL)).as("%s additional", c).containsExactlyInAnyOrderElementsOf(c.additional());
            assertThat(response.getQuestion().getName().toString()).as("question echoed as asked").isEqualTo(c.qname());
        }
    }

    static Message ask(String qname, int qtype, boolean rd, boolean tcp) throws Exception {
        Message query = Message.newQuery(Record.newRecord(Name.fromString(qname), qtype, DClass.IN));
        if (!rd) {
            query.getHeader().unsetFlag(Flags.RD);
        }
        query.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        byte[] wire = query.toWire();
        byte[] r = tcp ? DnsClient.tcp(server.tcpAddresses().get(0), wire, Duration.ofSeconds(3)) : DnsClient.udp(address, wire, Duration.ofSeconds(3));
        assertThat(r).as("a response to %s", qname).isNotNull();
        Message m = new Message(r);
        assertThat(m.getHeader().getID()).isEqualTo(query.getHeader().getID());
        return m;
    }

    static List<String> lines(Message m, int section) {
        return m.getSection(section).stream().filter(r -> r.getType() != Type.OPT)
                .map(r -> r.getName().toString().toLowerCase() + " " + Type.string(r.getType())).toList();
    }
}
