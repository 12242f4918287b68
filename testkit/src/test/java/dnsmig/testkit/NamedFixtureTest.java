package dnsmig.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** The fixture other modules build on: a real named that answers, logs, restarts and dies with the test. */
class NamedFixtureTest {

    static final String ZONE = """
            $TTL 300
            @    SOA ns1 hostmaster 7 3600 600 86400 300
            @    NS  ns1
            ns1  A   192.0.2.1
            www  A   192.0.2.80
            """;

    @Test
    void servesLogsRestartsAndStopsByPid() throws Exception {
        long pid;
        java.nio.file.Path dir;
        try (NamedFixture named = NamedFixture.builder().dynamicZone("example.test", ZONE).staticZone("static.test", ZONE).start()) {
            pid = named.pid();
            dir = named.directory();
            assertThat(named.zones()).containsExactly("example.test.", "static.test.");
            assertThat(answer(named, "www.example.test.")).containsExactly("192.0.2.80");
            assertThat(Files.readString(named.keyFile())).contains("key \"dnsmig-test-key.\"").contains(named.keySecret());
            assertThat(Files.readString(named.namedConf())).contains("listen-on-v6 { none; }").contains("dnstap { auth; }")
                    .contains("update-policy { grant \"dnsmig-test-key.\" zonesub ANY; }");
            assertThat(named.rndc("status").out()).contains("server is up and running");

            // the query log is a file of its own; dnstap frames go to theirs once named flushes (at the latest on stop)
            assertThat(Files.readString(named.queryLog())).contains("www.example.test IN A");

            named.stop();
            assertThat(named.running()).isFalse();
            assertThat(ProcessHandle.of(pid)).isEmpty();
            assertThat(Files.size(named.dnstapFile())).isPositive();
            int port = named.port();
            named.start();
            assertThat(named.port()).isEqualTo(port);
            assertThat(answer(named, "www.static.test.")).containsExactly("192.0.2.80");
            pid = named.pid();
        }
        assertThat(ProcessHandle.of(pid)).isEmpty();
        assertThat(dir).doesNotExist();
    }

    @Test
    void everyTcpConnectionIsAnsweredByTheDnsListener() throws Exception {
        try (NamedFixture named = NamedFixture.builder().staticZone("example.test", ZONE).start()) {
            // Were the control channel on the DNS port, the kernel would give it about half of these.
            assertThat(named.rndcPort()).isNotEqualTo(named.port());
            byte[] query = Message.newQuery(Record.newRecord(Name.fromString("www.example.test."), Type.A, DClass.IN)).toWire();
            for (int i = 0; i < 20; i++) {
                byte[] r = DnsClient.tcp(named.socketAddress(), query, Duration.ofSeconds(3));
                assertThat(r).as("TCP query %d answered", i).isNotNull();
                assertThat(new Message(r).getSection(Section.ANSWER)).hasSize(1);
            }
        }
    }

    private static List<String> answer(NamedFixture named, String name) throws Exception {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress(named.address(), named.port()));
        r.setTimeout(Duration.ofSeconds(2));
        Message m = r.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
        return m.getSection(Section.ANSWER).stream().map(Record::rdataToString).toList();
    }
}
