package dnsmig.localpg;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL that dnsmig runs by itself when no database URL is given.
 *
 * <p>One cluster per data directory, shared by every dnsmig process on the machine: the first
 * command that needs it initialises and starts it, later ones (run one after another or side
 * by side) find it running and connect. It keeps running after the command that started it
 * exits, like any database server; {@link #stop()} stops it.
 *
 * <p>Layout of the data directory:
 *
 * <pre>
 *   lock            file lock taken while initialising or starting (several processes may race)
 *   credentials     database, user, password and port (0600, owned by the invoking user)
 *   pg/             the cluster (PGDATA), owned by the user PostgreSQL runs as
 *   postgres.log    the server's log
 * </pre>
 *
 * <p>PostgreSQL refuses to run as root. When dnsmig runs as root the binaries are run as an
 * unprivileged user ({@code DNSMIG_PG_USER}, else {@code dnsmig} if it exists, else {@code
 * nobody}) through {@code setpriv}; the data directory must then be reachable by that user.
 */
public final class LocalPostgres {

    private static final Logger log = LoggerFactory.getLogger(LocalPostgres.class);
    static final String DATABASE = "dnsmig";
    static final String USER = "dnsmig";

    private static final java.util.concurrent.ConcurrentMap<Path, Object> MONITORS = new java.util.concurrent.ConcurrentHashMap<>();

    private final Path dataDir;
    private final PgBinaries binaries;
    private final RunAs runAs;

    private LocalPostgres(Path dataDir, PgBinaries binaries, RunAs runAs) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.binaries = binaries;
        this.runAs = runAs;
    }

    /** The cluster kept in {@code dataDir}; binaries are unpacked into {@code cacheDir}. */
    public static LocalPostgres at(Path dataDir, Path cacheDir) {
        RunAs runAs = RunAs.forCurrentUser();
        return new LocalPostgres(dataDir, new PgBinaries(cacheDir.toAbsolutePath().normalize(), runAs), runAs);
    }

    /** The cluster kept in {@code dataDir}, with binaries in the default cache directory. */
    public static LocalPostgres at(Path dataDir) {
        return at(dataDir, defaultCacheDir());
    }

    /**
     * Default data directory: {@code $DNSMIG_DATA_DIR}; as root {@code /var/lib/dnsmig} (the
     * unprivileged database user cannot enter {@code /root}); otherwise {@code
     * $XDG_DATA_HOME/dnsmig} or {@code ~/.local/share/dnsmig}.
     */
    public static Path defaultDataDir() {
        String env = System.getenv("DNSMIG_DATA_DIR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        if (RunAs.isRoot()) {
            return Path.of("/var/lib/dnsmig");
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("dnsmig");
    }

    /** {@code $DNSMIG_CACHE_DIR}; as root {@code /var/cache/dnsmig}; else {@code ~/.cache/dnsmig}. */
    public static Path defaultCacheDir() {
        String env = System.getenv("DNSMIG_CACHE_DIR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        if (RunAs.isRoot()) {
            return Path.of("/var/cache/dnsmig");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "dnsmig");
    }

    public Path dataDir() {
        return dataDir;
    }

    /**
     * Initialises the cluster if needed, starts it if it is not running, and returns how to
     * reach it. Safe to call from several processes at once.
     */
    public Endpoint ensureRunning() {
        // The file lock keeps other processes out; the monitor keeps other threads of this one
        // out (a JVM may not hold two locks on one file).
        synchronized (MONITORS.computeIfAbsent(dataDir, d -> new Object())) {
            return ensureRunningLocked();
        }
    }

    private Endpoint ensureRunningLocked() {
        try {
            Files.createDirectories(dataDir);
            try (FileChannel channel = FileChannel.open(dataDir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = channel.lock()) {
                Credentials credentials = Credentials.read(dataDir).orElse(null);
                if (credentials == null || !Files.exists(clusterDir().resolve("PG_VERSION"))) {
                    credentials = initialise();
                }
                if (!serverAnswers(credentials)) {
                    credentials = start(credentials);
                }
                createDatabaseIfMissing(credentials);
                return credentials.endpoint();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("local PostgreSQL in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * A new, empty database of this name on the (running) cluster, replacing any database of
     * that name: for demos and scratch work that must never touch the real data.
     */
    public Endpoint freshDatabase(String name) {
        if (!name.matches("[a-z_][a-z0-9_]{0,62}") || name.equals(DATABASE)) {
            throw new IllegalArgumentException("not a scratch database name: " + name);
        }
        Endpoint main = ensureRunning();
        try (var c = main.withDatabase("postgres").connect(); var s = c.createStatement()) {
            s.execute("drop database if exists " + name + " with (force)");
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("creating database " + name + " in the local PostgreSQL: " + e.getMessage(), e);
        }
        return main.withDatabase(name);
    }

    /** How to reach the cluster, if it has been initialised (whether or not it is running). */
    public Optional<Endpoint> endpoint() {
        return Credentials.read(dataDir).map(Credentials::endpoint);
    }

    /** True when the cluster is initialised and accepts connections. */
    public boolean isRunning() {
        return Credentials.read(dataDir).map(this::serverAnswers).orElse(false);
    }

    /** Stops the cluster (fast shutdown: open transactions roll back). No-op if not running. */
    public void stop() {
        if (!Files.exists(clusterDir().resolve("postmaster.pid"))) {
            return;
        }
        Processes.run(runAs.wrap(List.of(binaries.bin("pg_ctl").toString(), "-D", clusterDir().toString(), "-m", "fast", "-w", "-t", "60", "stop")),
                Duration.ofSeconds(90), "pg_ctl stop");
    }

    Path clusterDir() {
        return dataDir.resolve("pg");
    }

    private Credentials initialise() throws IOException {
        binaries.ensureUnpacked();
        Path cluster = clusterDir();
        if (Files.exists(cluster)) {
            // A half-made cluster from an interrupted initdb: nothing in it is worth keeping.
            Processes.deleteTree(cluster);
        }
        Files.createDirectories(cluster);
        Files.setPosixFilePermissions(cluster, PosixFilePermissions.fromString("rwx------"));
        runAs.chown(cluster);
        runAs.checkCanWrite(cluster);

        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(24));
        Path pwfile = Files.createTempFile(dataDir, "pw", ".tmp");
        try {
            Files.writeString(pwfile, password + "\n");
            runAs.chown(pwfile);
            log.info("initialising a PostgreSQL cluster in {} (first use of this data directory)", cluster);
            Processes.run(runAs.wrap(List.of(binaries.bin("initdb").toString(), "-D", cluster.toString(), "-U", USER,
                    "--pwfile=" + pwfile, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C")), Duration.ofMinutes(3), "initdb");
        } finally {
            Files.deleteIfExists(pwfile);
        }
        int port = freePort();
        writeSettings(port);
        Credentials credentials = new Credentials(port, DATABASE, USER, password);
        credentials.write(dataDir);
        return credentials;
    }

    private void writeSettings(int port) throws IOException {
        Path conf = clusterDir().resolve("postgresql.conf");
        String marker = "# dnsmig settings";
        List<String> lines = new ArrayList<>(Files.readAllLines(conf));
        int at = lines.indexOf(marker);
        if (at >= 0) {
            lines = new ArrayList<>(lines.subList(0, at));
        }
        lines.add(marker);
        lines.add("listen_addresses = '127.0.0.1'");
        lines.add("port = " + port);
        lines.add("unix_socket_directories = ''");
        // Three name servers, the API, the backfill's threads and the operator's psql.
        lines.add("max_connections = 200");
        lines.add("shared_buffers = 256MB");
        // Bulk loads write a lot of WAL; fewer forced checkpoints, same durability.
        lines.add("max_wal_size = 4GB");
        lines.add("checkpoint_timeout = 15min");
        Files.write(conf, lines);
    }

    private Credentials start(Credentials credentials) throws IOException {
        binaries.ensureUnpacked();
        Credentials current = credentials;
        if (!portFree(current.port())) {
            // Someone else took the port since the cluster last ran: move to a free one.
            int port = freePort();
            log.warn("port {} of the local PostgreSQL is taken by another program; moving to port {}", current.port(), port);
            writeSettings(port);
            current = new Credentials(port, current.database(), current.user(), current.password());
            current.write(dataDir);
        }
        Path logFile = dataDir.resolve("postgres.log");
        if (!Files.exists(logFile)) {
            Files.createFile(logFile);
        }
        runAs.chown(logFile);
        log.info("starting the local PostgreSQL (data {}, port {}, log {})", clusterDir(), current.port(), logFile);
        Processes.run(runAs.wrap(List.of(binaries.bin("pg_ctl").toString(), "-D", clusterDir().toString(), "-l", logFile.toString(),
                "-w", "-t", "120", "start")), Duration.ofSeconds(150), "pg_ctl start (see " + logFile + ")");
        if (!serverAnswers(current)) {
            throw new IllegalStateException("the local PostgreSQL started but does not accept connections on 127.0.0.1:" + current.port()
                    + "; see " + logFile);
        }
        return current;
    }

    private void createDatabaseIfMissing(Credentials credentials) {
        try (var c = credentials.endpoint().withDatabase("postgres").connect(); var s = c.createStatement()) {
            var rs = s.executeQuery("select 1 from pg_database where datname = '" + credentials.database() + "'");
            if (!rs.next()) {
                s.execute("create database " + credentials.database());
            }
        } catch (SQLException e) {
            throw new IllegalStateException("creating database " + credentials.database() + " in the local PostgreSQL: " + e.getMessage(), e);
        }
    }

    /** The server accepts our credentials (on its always-present {@code postgres} database). */
    private boolean serverAnswers(Credentials credentials) {
        try (var c = credentials.endpoint().withDatabase("postgres").connect(); var s = c.createStatement()) {
            s.execute("select 1");
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    private static boolean portFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** How to reach a database: JDBC URL and credentials. The password never appears in {@link #toString()}. */
    public record Endpoint(String jdbcUrl, String user, String password) {
        public java.sql.Connection connect() throws SQLException {
            Properties p = new Properties();
            p.setProperty("user", user);
            p.setProperty("password", password);
            p.setProperty("connectTimeout", "5");
            return DriverManager.getConnection(jdbcUrl, p);
        }

        /** The same server, another database on it. */
        public Endpoint withDatabase(String database) {
            int slash = jdbcUrl.lastIndexOf('/');
            int query = jdbcUrl.indexOf('?', slash);
            return new Endpoint(jdbcUrl.substring(0, slash + 1) + database + (query < 0 ? "" : jdbcUrl.substring(query)), user, password);
        }

        @Override
        public String toString() {
            return "Endpoint[" + jdbcUrl + " as " + user + "]";
        }
    }

    record Credentials(int port, String database, String user, String password) {
        Endpoint endpoint() {
            return new Endpoint("jdbc:postgresql://127.0.0.1:" + port + "/" + database, user, password);
        }

        static Optional<Credentials> read(Path dataDir) {
            Path f = dataDir.resolve("credentials");
            if (!Files.exists(f)) {
                return Optional.empty();
            }
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(f)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + f + ": " + e.getMessage(), e);
            }
            return Optional.of(new Credentials(Integer.parseInt(p.getProperty("port")), p.getProperty("database"), p.getProperty("user"),
                    p.getProperty("password")));
        }

        void write(Path dataDir) throws IOException {
            Path tmp = dataDir.resolve("credentials.tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            String text = "# the local PostgreSQL of this dnsmig data directory\nport=" + port + "\ndatabase=" + database + "\nuser=" + user
                    + "\npassword=" + password + "\n";
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, dataDir.resolve("credentials"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }

        @Override
        public String toString() {
            return "Credentials[port=" + port + ", database=" + database + ", user=" + user + "]";
        }
    }
}
