package dnsmig.localpg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
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
            // One cluster was made: initdb ran once, nothing was moved aside, and the server
            // that answers is the one the pid file names.
            try (var files = Files.list(dir.resolve("data"))) {
                assertThat(files.map(p -> p.getFileName().toString())).doesNotContain("pg.incomplete").noneMatch(n -> n.startsWith("pg.init-"));
            }
            try (var c = first.connect(); var s = c.createStatement(); var rs = s.executeQuery("select pg_postmaster_start_time() is not null,"
                    + " (select count(*) from pg_stat_activity where backend_type = 'client backend')")) {
                rs.next();
                assertThat(rs.getBoolean(1)).isTrue();
                assertThat(rs.getLong(2)).as("client sessions, this one included").isGreaterThanOrEqualTo(1);
            }
            assertThat(pg.status()).isInstanceOfSatisfying(LocalPostgres.Status.Running.class,
                    r -> assertThat(r.port()).isEqualTo(Integer.parseInt(first.jdbcUrl().replaceAll(".*:(\\d+)/.*", "$1"))));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLostCredentialsFileNeverWipesTheClusterAndResetCredentialsRecoversIt() throws Exception {
        LocalPostgres.Endpoint endpoint = pg.ensureRunning();
        try (var c = endpoint.connect(); var s = c.createStatement()) {
            s.execute("create table precious (v text)");
            s.execute("insert into precious values ('customer data')");
        }
        Files.delete(dir.resolve("data/credentials"));

        // Another command finds the cluster without its credentials: it refuses, touching nothing.
        LocalPostgres again = LocalPostgres.at(dir.resolve("data"), dir.resolve("cache"));
        assertThatThrownBy(again::ensureRunning).hasMessageContaining("credentials file").hasMessageContaining("is missing")
                .hasMessageContaining("Its data is untouched").hasMessageContaining("dnsmig db reset-credentials");
        assertThat(Files.exists(dir.resolve("data/pg/PG_VERSION"))).isTrue();
        assertThat(again.isRunning()).as("the server keeps running").isTrue();

        LocalPostgres.Endpoint reset = again.resetCredentials();
        assertThat(reset.password()).isNotEqualTo(endpoint.password());
        assertThat(reset.jdbcUrl()).isEqualTo(endpoint.jdbcUrl());
        try (var c = reset.connect(); var s = c.createStatement(); var rs = s.executeQuery("select v from precious")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("customer data");
        }
        assertThat(LocalPostgres.at(dir.resolve("data"), dir.resolve("cache")).ensureRunning()).isEqualTo(reset);
        assertThatThrownBy(endpoint::connect).hasMessageContaining("password authentication failed");
    }

    @Test
    void aDirectoryThatHoldsNoWholeClusterIsMovedAsideNeverDeleted() throws Exception {
        // What an initdb interrupted by an older dnsmig, or someone's copy, leaves behind.
        Path half = dir.resolve("data/pg/base/1");
        Files.createDirectories(half);
        Files.writeString(half.resolve("16384"), "not ours to delete");

        LocalPostgres.Endpoint endpoint = pg.ensureRunning();
        try (var c = endpoint.connect(); var s = c.createStatement()) {
            s.execute("select 1");
        }
        Path aside;
        try (var files = Files.list(dir.resolve("data"))) {
            aside = files.filter(p -> p.getFileName().toString().startsWith("pg.incomplete-")).findFirst().orElseThrow();
        }
        assertThat(Files.readString(aside.resolve("base/1/16384"))).isEqualTo("not ours to delete");
        assertThat(Files.exists(dir.resolve("data/pg/PG_VERSION"))).isTrue();
    }

    @Test
    void aRunningServerThatRefusesConnectionsIsWaitedForNeverRestartedNorMoved() throws Exception {
        LocalPostgres.Endpoint endpoint = pg.ensureRunning();
        try (var c = endpoint.connect(); var s = c.createStatement()) {
            s.execute("alter system set max_connections = 5");
            s.execute("alter system set superuser_reserved_connections = 0");
        }
        pg.stop();
        pg.ensureRunning();
        Path conf = dir.resolve("data/pg/postgresql.conf");
        Path credentials = dir.resolve("data/credentials");
        String confBefore = Files.readString(conf);
        String credentialsBefore = Files.readString(credentials);
        long pid = ((LocalPostgres.Status.Running) pg.status()).pid();

        List<java.sql.Connection> sessions = new ArrayList<>();
        try {
            java.sql.SQLException full = null;
            while (full == null && sessions.size() < 20) {
                try {
                    sessions.add(endpoint.connect());
                } catch (java.sql.SQLException e) {
                    full = e;
                }
            }
            assertThat((Object) full).as("the server ran out of connection slots").isNotNull();
            assertThat(full.getSQLState()).isEqualTo("53300");

            // Another command wants the database now: the server runs but turns it away.
            LocalPostgres impatient = LocalPostgres.at(dir.resolve("data"), dir.resolve("cache"), Duration.ofSeconds(2));
            assertThatThrownBy(impatient::ensureRunning).hasMessageContaining("runs (PID " + pid + ")")
                    .hasMessageContaining("too many clients").hasMessageContaining("left running");
            assertThat(Files.readString(conf)).as("port never moved").isEqualTo(confBefore);
            assertThat(Files.readString(credentials)).isEqualTo(credentialsBefore);
            assertThat(((LocalPostgres.Status.Running) pg.status()).pid()).as("never restarted").isEqualTo(pid);

            // A slot frees up while it waits: it gets in.
            sessions.remove(0).close();
            assertThat(impatient.ensureRunning()).isEqualTo(endpoint);
        } finally {
            for (var c : sessions) {
                c.close();
            }
        }
    }

    @Test
    void onlyARefusedConnectionMeansNothingListens() {
        var refused = new java.sql.SQLException("Connection to 127.0.0.1:1 refused", "08001", new java.net.ConnectException("Connection refused"));
        assertThat(LocalPostgres.Probe.of(refused)).isInstanceOf(LocalPostgres.Probe.Refused.class);
        for (String state : List.of("57P03", "53300", "08001", "08006", "55000")) {
            assertThat(LocalPostgres.Probe.of(new java.sql.SQLException("server says no", state))).as(state)
                    .isInstanceOf(LocalPostgres.Probe.NotReady.class);
        }
        assertThat(LocalPostgres.Probe.of(new java.sql.SQLException("password authentication failed", "28P01")))
                .isInstanceOf(LocalPostgres.Probe.LoginRefused.class);
    }

    @Test
    void asRootTheDatabaseUserIsNeverSilentlyNobody() {
        java.util.function.Function<String, java.util.Optional<RunAs.Ids>> onlyNobody =
                u -> u.equals("nobody") ? java.util.Optional.of(new RunAs.Ids(65534, 65534)) : java.util.Optional.empty();
        assertThatThrownBy(() -> RunAs.resolve(null, java.util.Optional.empty(), onlyNobody)).hasMessageContaining("'dnsmig'")
                .hasMessageContaining("useradd --system").hasMessageContaining("DNSMIG_PG_USER");
        assertThat(RunAs.resolve("nobody", java.util.Optional.empty(), onlyNobody).user()).as("named explicitly").isEqualTo("nobody");
        assertThat(RunAs.resolve(null, java.util.Optional.of("nobody"), onlyNobody).user()).as("an existing cluster's owner").isEqualTo("nobody");
        assertThatThrownBy(() -> RunAs.resolve("root", java.util.Optional.empty(), u -> java.util.Optional.of(new RunAs.Ids(0, 0))))
                .hasMessageContaining("unprivileged");
    }

    @Test
    void wrongPasswordIsRefused() {
        LocalPostgres.Endpoint endpoint = pg.ensureRunning();
        var wrong = new LocalPostgres.Endpoint(endpoint.jdbcUrl(), endpoint.user(), "not-the-password");
        org.assertj.core.api.Assertions.assertThatThrownBy(wrong::connect).hasMessageContaining("password authentication failed");
    }

    @Test
    void noPasswordIsAskedOfTheServerNotRefusedLocally() {
        // --db-url without --db-password (a server with trust authentication): the server decides.
        LocalPostgres.Endpoint endpoint = pg.ensureRunning();
        var none = new LocalPostgres.Endpoint(endpoint.jdbcUrl(), endpoint.user(), null);
        org.assertj.core.api.Assertions.assertThatThrownBy(none::connect)
                .isInstanceOf(java.sql.SQLException.class)
                .hasMessageContaining("password");
    }
}
