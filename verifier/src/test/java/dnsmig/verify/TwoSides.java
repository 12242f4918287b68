package dnsmig.verify;

import com.zaxxer.hikari.HikariDataSource;
import dnsmig.convert.Conversion;
import dnsmig.convert.ConverterOptions;
import dnsmig.convert.ZoneFileConverter;
import dnsmig.server.NameServer;
import dnsmig.server.xfr.TransferPolicy;
import dnsmig.store.ImportPolicy;
import dnsmig.store.RecordStore;
import dnsmig.store.Rows;
import dnsmig.store.StoreSchema;
import dnsmig.store.ZoneImport;
import dnsmig.testkit.NamedFixture;
import dnsmig.testkit.TestPostgres;
import dnsmig.store.VerifyStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * The two sides of the migration for a test: a real named (legacy) serving generated zones, a
 * record store on a real PostgreSQL backfilled from the same zone texts with the test's
 * planted differences, and dns-server (new) serving the store. Zones belong to owners
 * alice (a.example.), bob (b.example.) and carol (c.example.).
 */
final class TwoSides implements AutoCloseable {

    static final Map<String, String> OWNERS = Map.of("a.example.", "alice", "b.example.", "bob", "c.example.", "carol");
    static final int HOSTS = 200;

    final Map<String, String> legacyText = new LinkedHashMap<>();
    final NamedFixture named;
    final HikariDataSource dataSource;
    final DSLContext dsl;
    final RecordStore store;
    final VerifyStore verifyStore;
    final Map<String, Long> owners;
    final NameServer server;

    /**
     * @param plant turns a zone's legacy text into what the new side is backfilled with
     * @param dnstapSocket where named streams dnstap (null: its file)
     */
    TwoSides(UnaryOperator<Map<String, String>> plant, Path dnstapSocket) throws Exception {
        for (String z : OWNERS.keySet().stream().sorted().toList()) {
            legacyText.put(z, zoneText(z, 1000));
        }
        NamedFixture.Builder b = NamedFixture.builder().options("dnstap-identity \"ns1\";");
        legacyText.forEach(b::dynamicZone);
        if (dnstapSocket != null) {
            b.dnstapSocket(dnstapSocket);
        }
        TestPostgres.Database db = TestPostgres.newDatabase();
        dataSource = StoreSchema.dataSource(db.jdbcUrl(), db.user(), db.password(), 6, "verify-test");
        StoreSchema.migrate(dataSource);
        dsl = DSL.using(dataSource, SQLDialect.POSTGRES);
        store = new RecordStore(dsl);
        verifyStore = new VerifyStore(dsl);
        owners = store.upsertOwners(OWNERS.values().stream().sorted().map(o -> new Rows.Owner(o, o + "@example.net")).toList());
        Map<String, String> newText = plant.apply(new LinkedHashMap<>(legacyText));
        newText.forEach(this::importZone);
        server = NameServer.start(new NameServer.Settings("ns1", List.of(new InetSocketAddress("127.0.0.1", 0)), 1, 10_000, 64, Duration.ofSeconds(10),
                TransferPolicy.NOBODY, Duration.ofMillis(500)), dataSource, new SimpleMeterRegistry(), null);
        NamedFixture n;
        try {
            n = b.start();
        } catch (RuntimeException | Error e) {
            server.close();
            dataSource.close();
            throw e;
        }
        named = n;
    }

    InetSocketAddress legacy() {
        return named.socketAddress();
    }

    InetSocketAddress neu() {
        return server.udpAddresses().get(0);
    }

    /** Backfills one zone (replacing what the store had), as the backfill job does. */
    void importZone(String zone, String text) {
        try {
            Conversion c = new ZoneFileConverter(ConverterOptions.defaults().withBaseDir(Path.of(".")))
                    .convert(zone, text.getBytes(StandardCharsets.UTF_8), Name.fromString(zone));
            long serial = c.records().stream().filter(r -> r.getType() == Type.SOA).map(r -> ((SOARecord) r).getSerial()).findFirst().orElse(0L);
            List<Rows.Rr> rows = c.records().stream().map(TwoSides::row).toList();
            store.importZone(new ZoneImport(zone, owners.get(OWNERS.get(zone)), serial, c.servable(), "/test/" + zone, rows, List.of()),
                    ImportPolicy.DEFAULT.withForce(true), "test");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Rows.Rr row(Record r) {
        return new Rows.Rr(r.getName().canonicalize().toString(), Type.string(r.getType()), (int) r.getTTL(), dnsmig.convert.MasterFileWriter.rdataText(r));
    }

    /** A zone of {@link #HOSTS} hosts (A; every third also AAAA; every fifth TXT), mail, www CNAME, NS with glue. */
    static String zoneText(String zone, long serial) {
        StringBuilder sb = new StringBuilder();
        sb.append("$TTL 300\n@ SOA ns1 hostmaster ").append(serial).append(" 3600 600 86400 300\n@ NS ns1\n@ NS ns2\nns1 A 192.0.2.1\nns2 A 192.0.2.2\n");
        sb.append("@ MX 10 mail\nmail A 192.0.2.25\nwww CNAME h1\n@ TXT \"v=spf1 -all\"\n");
        for (int i = 1; i <= HOSTS; i++) {
            sb.append('h').append(i).append(" A 192.0.2.").append(i % 250 + 3).append('\n');
            if (i % 3 == 0) {
                sb.append('h').append(i).append(" AAAA 2001:db8::").append(Integer.toHexString(i)).append('\n');
            }
            if (i % 5 == 0) {
                sb.append('h').append(i).append(" TXT \"host ").append(i).append("\"\n");
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        if (named != null) {
            named.close();
        }
        server.close();
        dataSource.close();
    }
}
