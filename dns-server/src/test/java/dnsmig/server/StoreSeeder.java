package dnsmig.server;

import com.zaxxer.hikari.HikariDataSource;
import dnsmig.convert.Conversion;
import dnsmig.convert.ConverterOptions;
import dnsmig.convert.ZoneFileConverter;
import dnsmig.store.ImportPolicy;
import dnsmig.store.RecordStore;
import dnsmig.store.Rows;
import dnsmig.store.StoreSchema;
import dnsmig.store.ZoneImport;
import dnsmig.testkit.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/** A fresh record store on a real PostgreSQL, filled from zone files the way the backfill fills it. */
final class StoreSeeder implements AutoCloseable {

    final HikariDataSource dataSource;
    final RecordStore store;
    private final long owner;

    /** A new database on the test PostgreSQL. */
    StoreSeeder() {
        this(TestPostgres.newDatabase());
    }

    private StoreSeeder(TestPostgres.Database database) {
        this(database.jdbcUrl(), database.user(), database.password());
    }

    /** The database at {@code jdbcUrl}. */
    StoreSeeder(String jdbcUrl, String user, String password) {
        dataSource = StoreSchema.dataSource(jdbcUrl, user, password, 8, "seed");
        StoreSchema.migrate(dataSource);
        store = new RecordStore(DSL.using(dataSource, SQLDialect.POSTGRES));
        owner = store.upsertOwners(List.of(new Rows.Owner("test", "test@example.net"))).get("test");
    }

    /** Imports a zone from master-file text; returns the conversion (so tests see what BIND semantics made of it). */
    Conversion zone(String origin, String text) {
        try {
            Conversion c = new ZoneFileConverter(ConverterOptions.defaults().withBaseDir(Path.of(".")))
                    .convert(origin, text.getBytes(StandardCharsets.UTF_8), Name.fromString(origin));
            importConversion(origin, c, "/test/" + origin);
            return c;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    void importConversion(String origin, Conversion c, String source) {
        long serial = c.records().stream().filter(r -> r.getType() == Type.SOA).map(r -> ((SOARecord) r).getSerial()).findFirst().orElse(0L);
        List<Rows.Rr> rows = c.records().stream().map(StoreSeeder::row).toList();
        String zone = origin.endsWith(".") ? origin.toLowerCase() : origin.toLowerCase() + ".";
        store.importZone(new ZoneImport(zone, owner, serial, c.servable(), source, rows, List.of()), ImportPolicy.DEFAULT.withForce(true), "test");
    }

    static Rows.Rr row(Record r) {
        return new Rows.Rr(r.getName().canonicalize().toString(), Type.string(r.getType()), (int) r.getTTL(), dnsmig.convert.MasterFileWriter.rdataText(r));
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
