package dnsmig.server.tap;

import com.zaxxer.hikari.HikariDataSource;
import dnsmig.server.NameServer;
import dnsmig.server.query.QueryHandler;
import dnsmig.server.xfr.TransferPolicy;
import dnsmig.store.ImportPolicy;
import dnsmig.store.RecordStore;
import dnsmig.store.Rows;
import dnsmig.store.StoreSchema;
import dnsmig.store.ZoneImport;
import dnsmig.testkit.DnsClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;

/**
 * A record store on a real PostgreSQL holding one small zone, and nameservers on loopback
 * started on it with a given tap. Every server started is stopped by {@link #close()} (or by the
 * test, earlier).
 */
final class TappedServer implements AutoCloseable {

    static final String ZONE = "example.com.";

    private final dnsmig.testkit.TestPostgres.Database database = dnsmig.testkit.TestPostgres.newDatabase();
    private final HikariDataSource dataSource = StoreSchema.dataSource(database.jdbcUrl(), database.user(), database.password(), 4, "tap-test");

    TappedServer() {
        StoreSchema.migrate(dataSource);
        RecordStore store = new RecordStore(DSL.using(dataSource, SQLDialect.POSTGRES));
        long owner = store.upsertOwners(List.of(new Rows.Owner("test", "test@example.net"))).get("test");
        List<Rows.Rr> rows = List.of(
                new Rows.Rr("example.com.", "SOA", 300, "ns1.example.com. host.example.com. 1 3600 600 86400 60"),
                new Rows.Rr("example.com.", "NS", 300, "ns1.example.com."),
                new Rows.Rr("example.com.", "MX", 300, "10 mail.example.com."),
                new Rows.Rr("ns1.example.com.", "A", 300, "192.0.2.1"),
                new Rows.Rr("mail.example.com.", "A", 300, "192.0.2.2"),
                new Rows.Rr("www.example.com.", "A", 300, "192.0.2.3"),
                new Rows.Rr("www.example.com.", "AAAA", 300, "2001:db8::3"),
                new Rows.Rr("txt.example.com.", "TXT", 300, "\"hello\""));
        store.importZone(new ZoneImport(ZONE, owner, 1, true, "/test/" + ZONE, rows, List.of()), ImportPolicy.DEFAULT.withForce(true), "test");
    }

    /** A nameserver called {@code name} on 127.0.0.1 (a free port, UDP and TCP), observed by {@code tap}. */
    NameServer start(String name, QueryHandler.Observer tap, MeterRegistry registry) throws Exception {
        return NameServer.start(new NameServer.Settings(name, List.of(new InetSocketAddress("127.0.0.1", 0)), 1, 0, 16, Duration.ofSeconds(5),
                TransferPolicy.NOBODY, Duration.ofSeconds(1)), dataSource, registry, tap);
    }

    /** The wire form of a query (RD clear, as a resolver asks an authoritative server). */
    static byte[] query(String qname, int qtype) throws TextParseException {
        return query(qname, qtype, DClass.IN);
    }

    static byte[] query(String qname, int qtype, int qclass) throws TextParseException {
        Message m = Message.newQuery(Record.newRecord(Name.fromString(qname), qtype, qclass));
        m.getHeader().unsetFlag(org.xbill.DNS.Flags.RD);
        return m.toWire();
    }

    /** Asks over UDP or TCP; the response, or null when none came within 3 s. */
    static byte[] ask(NameServer server, byte[] query, boolean tcp) throws java.io.IOException {
        return tcp ? DnsClient.tcp(server.tcpAddresses().get(0), query, Duration.ofSeconds(3))
                : DnsClient.udp(server.udpAddresses().get(0), query, Duration.ofSeconds(3));
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
