package dnsmig.server.query;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dnsmig.server.transport.DnsServer;
import dnsmig.server.zone.Zone;
import dnsmig.server.zone.ZoneIndex;
import dnsmig.testkit.DnsClient;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A query whose answering throws is answered SERVFAIL, over UDP and over TCP (where the
 * connection stays open for the queries after it), and logged at WARN naming the query, at
 * most one line per interval.
 *
 * <p>The failure is a real one: an RRset of 65,536 records. dnsjava cannot count more than
 * 65,535 records in a section, so rendering the answer throws, as any bug in the answer path
 * would. (BIND refuses to load such a zone by default: {@code max-records-per-type 100}.)
 */
class AnswerFailureTest {

    static final Duration TIMEOUT = Duration.ofSeconds(3);
    static final Name ORIGIN = Name.fromConstantString("fail.example.");
    static final Name HUGE = Name.fromConstantString("huge.fail.example.");
    static final Name WWW = Name.fromConstantString("www.fail.example.");

    static ZoneIndex index;
    static QueryHandler handler;
    static DnsServer server;

    final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeAll
    static void start() throws Exception {
        index = new ZoneIndex();
        Zone.Builder b = Zone.builder(ORIGIN, 1, 1)
                .add(new SOARecord(ORIGIN, DClass.IN, 300, Name.fromConstantString("ns1.fail.example."), Name.fromConstantString("host.fail.example."), 1,
                        3600, 600, 86400, 60))
                .add(new NSRecord(ORIGIN, DClass.IN, 300, Name.fromConstantString("ns1.fail.example.")))
                .add(new ARecord(Name.fromConstantString("ns1.fail.example."), DClass.IN, 300, InetAddress.getByName("192.0.2.1")))
                .add(new ARecord(WWW, DClass.IN, 300, InetAddress.getByName("192.0.2.3")));
        for (int i = 0; i < 65_536; i++) {
            b.add(new ARecord(HUGE, DClass.IN, 300, InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >>> 8), (byte) i})));
        }
        index.put(b.build());
        handler = new QueryHandler(index, 1000, QueryHandler.Observer.NONE);
        server = new DnsServer(new DnsServer.Config(List.of(new InetSocketAddress("127.0.0.1", 0)), 1, 16, Duration.ofSeconds(10)), handler,
                (ctx, query, length) -> {
                    byte[] r = handler.handle(query, length, true, (InetSocketAddress) ctx.channel().remoteAddress(),
                            (InetSocketAddress) ctx.channel().localAddress());
                    if (r != null) {
                        DnsServer.writeTcp(ctx, r, true);
                    }
                }).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void listen() {
        logged.start();
        ((Logger) LoggerFactory.getLogger(QueryHandler.class)).addAppender(logged);
    }

    @AfterEach
    void unlisten() {
        ((Logger) LoggerFactory.getLogger(QueryHandler.class)).detachAppender(logged);
    }

    static byte[] query(Name name, int type, int id, boolean edns) {
        Message q = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        q.getHeader().setID(id);
        if (edns) {
            q.addRecord(new OPTRecord(1232, 0, 0, 0), Section.ADDITIONAL);
        }
        return q.toWire();
    }

    static void assertServfail(Message m, int id, boolean edns) {
        assertThat(m.getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(m.getHeader().getID()).isEqualTo(id);
        assertThat(m.getHeader().getFlag(Flags.QR)).isTrue();
        assertThat(m.getHeader().getFlag(Flags.RD)).as("RD echoed").isTrue();
        assertThat(m.getQuestion().getName()).isEqualTo(HUGE);
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
        assertThat(m.getOPT() != null).as("OPT when asked with EDNS").isEqualTo(edns);
    }

    @Test
    void overUdpTheQueryThatThrowsIsAnsweredServfailAndTheOthersAsUsual() throws Exception {
        InetSocketAddress at = server.udpAddresses().get(0);
        long before = handler.failures();
        assertServfail(new Message(DnsClient.udp(at, query(HUGE, Type.A, 101, true), TIMEOUT)), 101, true);
        assertServfail(new Message(DnsClient.udp(at, query(HUGE, Type.A, 102, false), TIMEOUT)), 102, false);
        Message www = new Message(DnsClient.udp(at, query(WWW, Type.A, 103, true), TIMEOUT));
        assertThat(www.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(www.getSection(Section.ANSWER)).hasSize(1);
        assertThat(handler.failures() - before).isEqualTo(2);
    }

    @Test
    void overTcpTheConnectionStaysOpenForTheQueriesAfterIt() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(server.tcpAddresses().get(0), (int) TIMEOUT.toMillis());
            s.setSoTimeout((int) TIMEOUT.toMillis());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(s.getInputStream());
            // Pipelined: the failing query, then an ordinary one, on one connection.
            for (byte[] q : List.of(query(HUGE, Type.A, 201, true), query(WWW, Type.A, 202, true))) {
                out.writeShort(q.length);
                out.write(q);
            }
            out.flush();
            Message[] answers = new Message[2];
            for (int i = 0; i < 2; i++) {
                byte[] r = new byte[in.readUnsignedShort()];
                in.readFully(r);
                answers[i] = new Message(r);
            }
            assertServfail(answers[0], 201, true);
            assertThat(answers[1].getHeader().getID()).isEqualTo(202);
            assertThat(answers[1].getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(answers[1].getSection(Section.ANSWER)).hasSize(1);
        }
    }

    @Test
    void eachFailureIsLoggedAtWarnNamingTheQueryAtMostOneLineEveryTenSeconds() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        QueryHandler h = new QueryHandler(index, 0, QueryHandler.Observer.NONE, now::get);
        InetSocketAddress client = new InetSocketAddress("127.0.0.1", 40000);
        InetSocketAddress local = new InetSocketAddress("127.0.0.1", 53);
        byte[] q = query(HUGE, Type.A, 7, false);

        assertServfail(new Message(wire(h.handle(q, q.length, false, client, local))), 7, false);
        now.addAndGet(TimeUnit.SECONDS.toNanos(4));
        h.handle(q, q.length, true, client, local);
        now.addAndGet(TimeUnit.SECONDS.toNanos(5));
        h.handle(q, q.length, false, client, local);
        assertThat(logged.list).as("one line for the first failure; the next two within 10 s are counted").hasSize(1);
        ILoggingEvent first = logged.list.get(0);
        assertThat(first.getLevel()).isEqualTo(Level.WARN);
        assertThat(first.getFormattedMessage()).contains("huge.fail.example. A", "127.0.0.1:40000", "UDP", "SERVFAIL").doesNotContain("not logged");
        assertThat(first.getThrowableProxy()).as("with the exception").isNotNull();

        now.addAndGet(TimeUnit.SECONDS.toNanos(2)); // 11 s after the first line
        h.handle(q, q.length, true, client, local);
        assertThat(logged.list).hasSize(2);
        assertThat(logged.list.get(1).getFormattedMessage()).contains("over TCP", "and 2 more since the last such line, not logged");
        assertThat(h.failures()).isEqualTo(4);
    }

    private static byte[] wire(byte[] b) {
        assertThat(b).as("a response").isNotNull();
        return b;
    }
}
