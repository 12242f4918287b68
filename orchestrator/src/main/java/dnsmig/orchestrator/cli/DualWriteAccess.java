package dnsmig.orchestrator.cli;

import com.zaxxer.hikari.HikariDataSource;
import dnsmig.localpg.LocalPostgres;
import dnsmig.store.CutoverStore;
import dnsmig.store.DualWriteStore;
import dnsmig.store.StoreSchema;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/** The dual-write tables for quick commands (mode, divergence), without the Spring application. */
final class DualWriteAccess {

    private DualWriteAccess() {}

    /** Reads without migrating; {@code work} gets null when the database has no dual-write tables yet. */
    static <T> T read(LocalPostgres.Endpoint db, Function<DualWriteStore, T> work) {
        try (HikariDataSource ds = StoreSchema.dataSource(db.jdbcUrl(), db.user(), db.password(), 2, "cli")) {
            boolean present;
            try (var c = ds.getConnection(); var s = c.createStatement();
                    var rs = s.executeQuery("select to_regclass('" + StoreSchema.NAME + ".write_mode_current') is not null")) {
                rs.next();
                present = rs.getBoolean(1);
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("reading the database: " + e.getMessage(), e);
            }
            return work.apply(present ? new DualWriteStore(DSL.using(ds, SQLDialect.POSTGRES)) : null);
        }
    }

    /** Migrates the schema first (as every command that writes does). */
    static <T> T write(LocalPostgres.Endpoint db, Function<DualWriteStore, T> work) {
        return write(db, (store, cutover) -> work.apply(store));
    }

    /** Like {@link #write}, with the cutover's tables of the same database beside the dual-write ones. */
    static <T> T write(LocalPostgres.Endpoint db, BiFunction<DualWriteStore, CutoverStore, T> work) {
        try (HikariDataSource ds = StoreSchema.dataSource(db.jdbcUrl(), db.user(), db.password(), 2, "cli")) {
            StoreSchema.migrate(ds);
            var dsl = DSL.using(ds, SQLDialect.POSTGRES);
            return work.apply(new DualWriteStore(dsl), new CutoverStore(dsl));
        }
    }
}
