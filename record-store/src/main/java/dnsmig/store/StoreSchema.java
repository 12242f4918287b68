package dnsmig.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The record store's schema: Flyway migrations under {@code db/migration} (SQL) and {@code
 * dnsmig/store/migration} (Java), applied to schema {@value #NAME}. Connections made through
 * {@link #dataSource} have {@value #NAME} first on their search path, so the generated jOOQ code
 * and Spring Batch's tables resolve there.
 */
public final class StoreSchema {

    public static final String NAME = "dnsmig";

    private StoreSchema() {}

    /** Brings the schema up to date; safe to run from several processes at once (Flyway locks). */
    public static MigrateResult migrate(DataSource dataSource) {
        return flyway(dataSource).migrate();
    }

    /**
     * What the database holds, without changing anything (for read-only commands, which must
     * neither need the right to create tables nor migrate a production database as a side
     * effect).
     */
    public static State state(DataSource dataSource) {
        try (var c = dataSource.getConnection(); var s = c.createStatement();
                var rs = s.executeQuery("select to_regclass('" + NAME + ".flyway_schema_history') is not null")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return new State.Absent();
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("reading the database's dnsmig schema: " + e.getMessage(), e);
        }
        int pending = flyway(dataSource).info().pending().length;
        return pending == 0 ? new State.Current() : new State.Outdated(pending);
    }

    /** The state of a database's dnsmig schema. */
    public sealed interface State {
        /** No dnsmig schema: nothing was ever written. */
        record Absent() implements State {}

        /** Migrated to this version's schema. */
        record Current() implements State {}

        /** Migrated by an older dnsmig: {@code pending} migrations would bring it up to date. */
        record Outdated(int pending) implements State {}
    }

    private static Flyway flyway(DataSource dataSource) {
        return Flyway.configure()
                .dataSource(dataSource)
                .schemas(NAME)
                .defaultSchema(NAME)
                .locations("classpath:db/migration", "classpath:dnsmig/store/migration")
                .failOnMissingLocations(true)
                .load();
    }

    /** A connection pool on {@code jdbcUrl} with {@value #NAME} as the current schema. */
    public static HikariDataSource dataSource(String jdbcUrl, String user, String password, int maxPoolSize, String poolName) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(maxPoolSize);
        config.setMinimumIdle(1);
        config.setPoolName(poolName);
        config.addDataSourceProperty("currentSchema", NAME);
        config.addDataSourceProperty("ApplicationName", "dnsmig-" + poolName);
        // Fail fast with the driver's own message when the database is not there.
        config.setInitializationFailTimeout(10_000);
        return new HikariDataSource(config);
    }
}
