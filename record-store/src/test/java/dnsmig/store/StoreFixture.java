package dnsmig.store;

import com.zaxxer.hikari.HikariDataSource;
import dnsmig.testkit.TestPostgres;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/** A fresh, migrated record store on a real PostgreSQL. Close it after the test. */
final class StoreFixture implements AutoCloseable {

    final TestPostgres.Database database;
    final HikariDataSource dataSource;
    final DSLContext dsl;
    final RecordStore store;

    StoreFixture() {
        database = TestPostgres.newDatabase();
        dataSource = StoreSchema.dataSource(database.jdbcUrl(), database.user(), database.password(), 8, "test");
        StoreSchema.migrate(dataSource);
        dsl = DSL.using(dataSource, SQLDialect.POSTGRES);
        store = new RecordStore(dsl);
    }

    long owner(String handle) {
        return store.upsertOwners(java.util.List.of(new Rows.Owner(handle, handle + "@example.net"))).get(handle);
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
