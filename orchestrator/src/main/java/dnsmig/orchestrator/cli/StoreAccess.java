package dnsmig.orchestrator.cli;

import com.zaxxer.hikari.HikariDataSource;
import dnsmig.localpg.LocalPostgres;
import dnsmig.store.RecordStore;
import dnsmig.store.StoreSchema;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * The record store without the Spring application, for quick read-only commands. Never
 * migrates: a read-only command must work with a read-only role and must not change a
 * production schema as a side effect; {@link #state} says what the database holds.
 */
final class StoreAccess implements AutoCloseable {

    private final HikariDataSource dataSource;
    final RecordStore store;
    final StoreSchema.State state;

    StoreAccess(LocalPostgres.Endpoint db) {
        dataSource = StoreSchema.dataSource(db.jdbcUrl(), db.user(), db.password(), 2, "cli");
        try {
            state = StoreSchema.state(dataSource);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        store = new RecordStore(DSL.using(dataSource, SQLDialect.POSTGRES));
    }

    /** True when the database has no dnsmig schema yet: nothing was ever imported. */
    boolean empty() {
        return state instanceof StoreSchema.State.Absent;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
