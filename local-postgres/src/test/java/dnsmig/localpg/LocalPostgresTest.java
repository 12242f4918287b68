package dnsmig.localpg;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Starts real PostgreSQL binaries from Maven Central in a private data directory. */
class LocalPostgresTest {

    private Path dir;
    private LocalPostgres pg;

    @BeforeEach
    void setUp() throws Exception {
        // Under /tmp, not @TempDir: the unprivileged database user must be able to enter it.
        dir = Files.createTempDirectory(Path.of("/tmp"), "dnsmig-localpg-test");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        pg = LocalPostgres.at(dir.resolve("data"), dir.resolve("cache"));
    }

    @AfterEach
    void tearDown() throws Exception {
        pg.stop();
        Processes.deleteTree(dir);
    }

    @Test
    void initialisesStartsAndKeepsDataAcrossRestarts() throws Exception {
        LocalPostgres.Endpoint endpoint = pg.ensureRunning();
        assertThat(endpoint.jdbcUrl()).startsWith("jdbc:postgresql://127.0.0.1:").endsWith("/dnsmig");
        assertThat(endpoint.toString()).doesNotContain(endpoint.password());
        try (var c = endpoint.connect(); var s = c.createStatement()) {
            s.execute("create table kept (v text)");
            s.execute("insert into kept values ('survives a restart')");
        }
        assertThat(Files.getPosixFilePermissions(dir.resolve("data/credentials"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        pg.stop();
        assertThat(pg.isRunning()).isFalse();

        // A second handle on the same directory (another dnsmig command) starts it again.
        LocalPostgres again = LocalPostgres.at(dir.resolve("data"), dir.resolve("cache"));
        LocalPostgres.Endpoint second = again.ensureRunning();
        assertThat(second).isEqualTo(endpoint);
        try (var c = second.connect(); var s = c.createStatement(); var rs = s.executeQuery("select v from kept")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("survives a restart");
        }
    }

    @Test
    void concurrentCallersShareOneCluster() throws Exception {
        var pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<LocalPostgres.Endpoint>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Callable<LocalPostgres.Endpoint> call = () -> LocalPostgres.at(dir.resolve("data"), dir.resolve("cache")).ensureRunning();
                results.add(pool.submit(call));
            }
            LocalPostgres.Endpoint first = results.get(0).get();
            for (var r : results) {
                assertThat(r.get()).isEqualTo(first);
            }
            try (var c = first.connect(); var s = c.createStatement(); var rs = s.executeQuery("select count(*) from pg_stat_activity where backend_type = 'client backend'")) {
                assertThat(rs.next()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void wrongPasswordIsRefused() {
        LocalPostgres.Endpoint endpoint = pg.ensureRunning();
        var wrong = new LocalPostgres.Endpoint(endpoint.jdbcUrl(), endpoint.user(), "not-the-password");
        org.assertj.core.api.Assertions.assertThatThrownBy(wrong::connect).hasMessageContaining("password authentication failed");
    }
}
