package dnsmig.testkit;

import dnsmig.localpg.LocalPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.ds.PGSimpleDataSource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A real PostgreSQL for tests: Testcontainers when a Docker engine answers, otherwise the
 * project's own local PostgreSQL (real binaries from Maven Central) in a private directory.
 * One server per test JVM, stopped when the JVM exits; every {@link #newDatabase()} is a fresh,
 * empty database on it, so test classes never see each other's data.
 */
public final class TestPostgres {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static volatile Server server;

    private TestPostgres() {}

    /** A new empty database. */
    public static Database newDatabase() {
        Server s = server();
        String name = "t" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        try (var c = s.admin().connect(); var st = c.createStatement()) {
            st.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("creating test database " + name + ": " + e.getMessage(), e);
        }
        return new Database(s.admin().withDatabase(name), s.kind());
    }

    /** Which kind of server the tests of this JVM use ("testcontainers" or "local-postgres"). */
    public static String kind() {
        return server().kind();
    }

    private static Server server() {
        Server s = server;
        if (s == null) {
            synchronized (TestPostgres.class) {
                s = server;
                if (s == null) {
                    s = server = start();
                }
            }
        }
        return s;
    }

    private static Server start() {
        if (!"false".equals(System.getProperty("dnsmig.testcontainers")) && dockerAvailable()) {
            @SuppressWarnings("resource")
            PostgreSQLContainer container = new PostgreSQLContainer("postgres:18-alpine").withDatabaseName("postgres");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
            return new Server("testcontainers",
                    new LocalPostgres.Endpoint(container.getJdbcUrl(), container.getUsername(), container.getPassword()));
        }
        try {
            // Under /tmp: the unprivileged user PostgreSQL runs as (when tests run as root) must enter it.
            Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "dnsmig-test-pg");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path cache = Path.of(System.getProperty("java.io.tmpdir"), "dnsmig-test-pg-cache");
            LocalPostgres pg = LocalPostgres.at(dir.resolve("data"), cache);
            LocalPostgres.Endpoint endpoint = pg.ensureRunning();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                pg.stop();
                deleteQuietly(dir);
            }));
            return new Server("local-postgres", endpoint.withDatabase("postgres"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort at JVM exit
        }
    }

    private record Server(String kind, LocalPostgres.Endpoint admin) {}

    /** One test database: how to reach it and a plain (unpooled) DataSource on it. */
    public record Database(LocalPostgres.Endpoint endpoint, String serverKind) {
        public String jdbcUrl() {
            return endpoint.jdbcUrl();
        }

        public String user() {
            return endpoint.user();
        }

        public String password() {
            return endpoint.password();
        }

        public javax.sql.DataSource dataSource() {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(endpoint.jdbcUrl());
            ds.setUser(endpoint.user());
            ds.setPassword(endpoint.password());
            return ds;
        }
    }
}
