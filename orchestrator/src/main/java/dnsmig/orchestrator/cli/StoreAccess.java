package dnsmig.orchestrator.cli;

import com.zaxxer.hikari.HikariDataSource;
import dnsmig.localpg.LocalPostgres;
import dnsmig.store.RecordStore;
import dnsmig.store.StoreSchema;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/** The record store without the Spring application, for quick read-only commands. */
final class StoreAccess implements AutoCloseable {

    private final HikariDataSource dataSource;
    final RecordStore store;

    StoreAccess(LocalPostgres.Endpoint db) {
        dataSource = StoreSchema.dataSource(db.jdbcUrl(), db.user(), db.password(), 2, "cli");
        StoreSchema.migrate(dataSource);
        store = new RecordStore(DSL.using(dataSource, SQLDialect.POSTGRES));
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
