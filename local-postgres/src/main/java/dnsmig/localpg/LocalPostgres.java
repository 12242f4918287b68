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
 * unprivileged user (the existing cluster's owner, else {@code DNSMIG_PG_USER}, else {@code
 * dnsmig}; never silently {@code nobody}) through {@code setpriv}; the data directory must then
 * be reachable by that user.
 *
 * <p>What is never done: deleting a directory that may hold a cluster (a half-made one is moved
 * aside), initialising over an existing cluster (a lost {@code credentials} file is an error
 * that {@link #resetCredentials()} recovers from), starting a server that already runs, or
 * moving the port of a running server.
 */
public final class LocalPostgres {

    private static final Logger log = LoggerFactory.getLogger(LocalPostgres.class);
    static final String DATABASE = "dnsmig";
    static final String USER = "dnsmig";

    private static final java.util.concurrent.ConcurrentMap<Path, Object> MONITORS = new java.util.concurrent.ConcurrentHashMap<>();

    private final Path dataDir;
    private final PgBinaries binaries;
    private final RunAs runAs;
    /** How long to wait for a running server that does not accept connections yet. */
    private final Duration patience;

    private LocalPostgres(Path dataDir, PgBinaries binaries, RunAs runAs, Duration patience) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.binaries = binaries;
        this.runAs = runAs;
        this.patience = patience;
    }

    /** The cluster kept in {@code dataDir}; binaries are unpacked into {@code cacheDir}. */
    public static LocalPostgres at(Path dataDir, Path cacheDir) {
        return at(dataDir, cacheDir, Duration.ofSeconds(120));
    }

    static LocalPostgres at(Path dataDir, Path cacheDir, Duration patience) {
        RunAs runAs = RunAs.forCluster(dataDir.toAbsolutePath().normalize().resolve("pg"));
        return new LocalPostgres(dataDir, new PgBinaries(cacheDir.toAbsolutePath().normalize(), runAs), runAs, patience);
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
     *
     * <p>A cluster is initialised only when its directory holds no cluster ({@code
     * pg/PG_VERSION} absent) and no server runs there; it is started only when no server
     * process runs there. A running server that does not accept connections yet (starting
     * up, too many clients, slow) is waited for, never restarted, and its port is never moved.
     */
    public Endpoint ensureRunning() {
        return locked(() -> {
            Credentials credentials = clusterCredentials();
            credentials = ensureStarted(credentials);
            createDatabaseIfMissing(credentials);
            return credentials.endpoint();
        });
    }

    /**
     * Gives the cluster a new password and writes a new {@code credentials} file, keeping its
     * data: for when that file was lost. Stops the server while it does so (commands using it
     * lose their connections) and starts it again.
     */
    public Endpoint resetCredentials() {
        return locked(() -> {
            if (!Files.exists(clusterDir().resolve("PG_VERSION"))) {
                throw new IllegalStateException("there is no local PostgreSQL cluster in " + clusterDir()
                        + " to reset; the first command that needs one creates it");
            }
            binaries.ensureUnpacked();
            if (status() instanceof Status.Running) {
                log.warn("stopping the local PostgreSQL in {} to give it a new password", clusterDir());
                stopServer();
            }
            String password = newPassword();
            Path sql = Files.createTempFile(dataDir, "reset", ".sql");
            try {
                Files.writeString(sql, "ALTER ROLE " + USER + " PASSWORD '" + password + "'\n");
                runAs.chown(sql);
                Processes.run(runAs.wrap(List.of(binaries.bin("postgres").toString(), "--single", "-D", clusterDir().toString(), "postgres")), sql,
                        Duration.ofMinutes(2), "postgres --single (setting a new password)");
            } finally {
                Files.deleteIfExists(sql);
            }
            int port = configuredPort().orElseGet(LocalPostgres::freePortUnchecked);
            Credentials credentials = new Credentials(port, DATABASE, USER, password);
            credentials.write(dataDir);
            credentials = ensureStarted(credentials);
            createDatabaseIfMissing(credentials);
            return credentials.endpoint();
        });
    }

    private interface LockedWork<T> {
        T run() throws IOException;
    }

    private <T> T locked(LockedWork<T> work) {
        // The file lock keeps other processes out; the monitor keeps other threads of this one
        // out (a JVM may not hold two locks on one file).
        synchronized (MONITORS.computeIfAbsent(dataDir, d -> new Object())) {
            try {
                Files.createDirectories(dataDir);
                try (FileChannel channel = FileChannel.open(dataDir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        FileLock ignored = channel.lock()) {
                    return work.run();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("local PostgreSQL in " + dataDir + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * The credentials of the cluster, initialising one when none exists. Never touches an
     * existing cluster: a cluster without its credentials file is an error to recover from.
     */
    private Credentials clusterCredentials() throws IOException {
        Path cluster = clusterDir();
        if (Files.exists(cluster.resolve("PG_VERSION"))) {
            Optional<Credentials> credentials = Credentials.read(dataDir);
            if (credentials.isEmpty()) {
                throw new IllegalStateException("the local PostgreSQL cluster in " + cluster + " exists but its credentials file "
                        + dataDir.resolve("credentials") + " is missing, so dnsmig cannot log in to it. Its data is untouched."
                        + " Restore the file from a backup, or give the cluster a new password with `dnsmig db reset-credentials --data-dir "
                        + dataDir + "` (it restarts the server and writes a new credentials file)");
            }
            return credentials.get();
        }
        if (Files.exists(cluster)) {
            Optional<Long> pid = pidFileProcess(cluster);
            if (pid.isPresent()) {
                throw new IllegalStateException("a process (PID " + pid.get() + ") named in " + cluster.resolve("postmaster.pid")
                        + " runs although " + cluster + " holds no cluster (no PG_VERSION); stop it before dnsmig can use this data directory");
            }
            try (var entries = Files.list(cluster)) {
                if (entries.findAny().isEmpty()) {
                    Files.delete(cluster);
                    return initialise();
                }
            }
            // Not a cluster dnsmig made (its clusters appear whole, by a rename after initdb):
            // keep it, out of the way, for whoever wants to look.
            Path aside = dataDir.resolve("pg.incomplete-" + java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            log.warn("{} holds no complete PostgreSQL cluster (no PG_VERSION); moved it to {} and initialising a new one", cluster, aside);
            Files.move(cluster, aside);
        }
        return initialise();
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

    /** True when a server process runs on the cluster (whether or not it accepts connections yet). */
    public boolean isRunning() {
        return status() instanceof Status.Running;
    }

    /** Whether a server runs on the cluster, from its {@code postmaster.pid} and {@code pg_ctl status}. */
    public Status status() {
        Path pidFile = clusterDir().resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return new Status.Stopped();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(pidFile);
        } catch (IOException e) {
            // As root the pid file belongs to the database user; pg_ctl reads it as that user.
            lines = List.of();
        }
        Processes.Result r = Processes.execute(runAs.wrap(List.of(binaries.bin("pg_ctl").toString(), "status", "-D", clusterDir().toString())),
                Path.of("/dev/null"), Duration.ofSeconds(30), "pg_ctl status");
        if (r.exit() != 0) {
            return new Status.Stopped(); // 3: no server running (a stale pid file); 4: no cluster
        }
        long pid = lines.isEmpty() ? parsePid(r.output()) : Long.parseLong(lines.get(0).strip());
        int port = lines.size() > 3 && lines.get(3).strip().matches("\\d+") ? Integer.parseInt(lines.get(3).strip()) : -1;
        return new Status.Running(pid, port);
    }

    /** The live process a {@code postmaster.pid} in {@code dir} names, if any. */
    private static Optional<Long> pidFileProcess(Path dir) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("postmaster.pid"));
            long pid = Long.parseLong(lines.get(0).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(ProcessHandle::pid);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static long parsePid(String pgCtlOutput) {
        var m = java.util.regex.Pattern.compile("PID: (\\d+)").matcher(pgCtlOutput);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** Whether a server process runs on a cluster. */
    public sealed interface Status {
        /** No server process: {@code postmaster.pid} is absent, or its process is gone. */
        record Stopped() implements Status {}

        /** A postmaster runs, listening on {@code port} (-1 when unknown), accepting connections or not. */
        record Running(long pid, int port) implements Status {}
    }

    /** Stops the cluster (fast shutdown: open transactions roll back). No-op if not running. */
    public void stop() {
        if (!(status() instanceof Status.Running)) {
            return;
        }
        stopServer();
    }

    private void stopServer() {
        Processes.run(runAs.wrap(List.of(binaries.bin("pg_ctl").toString(), "-D", clusterDir().toString(), "-m", "fast", "-w", "-t", "60", "stop")),
                Duration.ofSeconds(90), "pg_ctl stop");
    }

    Path clusterDir() {
        return dataDir.resolve("pg");
    }

    /**
     * Runs initdb into a fresh directory beside {@code pg/} and renames it into place once it
     * is complete and its credentials are written, so {@code pg/PG_VERSION} is only ever seen
     * on a whole cluster whose credentials were written.
     */
    private Credentials initialise() throws IOException {
        binaries.ensureUnpacked();
        Path building = Files.createTempDirectory(dataDir, "pg.init-");
        Files.setPosixFilePermissions(building, PosixFilePermissions.fromString("rwx------"));
        runAs.chown(building);
        runAs.checkCanWrite(building);

        String password = newPassword();
        Path pwfile = Files.createTempFile(dataDir, "pw", ".tmp");
        try {
            Files.writeString(pwfile, password + "\n");
            runAs.chown(pwfile);
            log.info("initialising a PostgreSQL cluster in {} (first use of this data directory)", clusterDir());
            Processes.run(runAs.wrap(List.of(binaries.bin("initdb").toString(), "-D", building.toString(), "-U", USER,
                    "--pwfile=" + pwfile, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C")), Duration.ofMinutes(3), "initdb");
        } finally {
            Files.deleteIfExists(pwfile);
        }
        int port = freePort();
        writeSettings(building, port);
        Credentials credentials = new Credentials(port, DATABASE, USER, password);
        credentials.write(dataDir);
        Files.move(building, clusterDir(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return credentials;
    }

    private static String newPassword() {
        return HexFormat.of().formatHex(new SecureRandom().generateSeed(24));
    }

    private static void writeSettings(Path cluster, int port) throws IOException {
        Path conf = cluster.resolve("postgresql.conf");
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

    /** The port postgresql.conf gives the server (the last {@code port =} line), if any. */
    private Optional<Integer> configuredPort() throws IOException {
        Integer port = null;
        for (String line : Files.readAllLines(clusterDir().resolve("postgresql.conf"))) {
            var m = java.util.regex.Pattern.compile("^\\s*port\\s*=\\s*(\\d+)").matcher(line);
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
            }
        }
        return Optional.ofNullable(port);
    }

    /**
     * Makes sure the server runs and answers: starts it only when no server process runs on the
     * cluster; waits (up to {@link #patience}) for one that runs but does not answer yet.
     */
    private Credentials ensureStarted(Credentials credentials) throws IOException {
        Credentials current = credentials;
        long deadline = System.nanoTime() + patience.toNanos();
        long nextNote = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        boolean started = false;
        while (true) {
            Probe probe = probe(current.endpoint().withDatabase("postgres"));
            switch (probe) {
                case Probe.Answers a -> {
                    return current;
                }
                case Probe.LoginRefused refused -> throw new IllegalStateException("the local PostgreSQL in " + clusterDir()
                        + " refuses the password in " + dataDir.resolve("credentials") + " (" + refused.message()
                        + "); give it a new one with `dnsmig db reset-credentials --data-dir " + dataDir + "`");
                case Probe.Refused r -> { }
                case Probe.NotReady r -> { }
            }
            Status status = status();
            if (status instanceof Status.Stopped) {
                if (started) {
                    throw new IllegalStateException("the local PostgreSQL stopped right after it was started; see " + dataDir.resolve("postgres.log"));
                }
                current = start(current);
                started = true;
                continue;
            }
            Status.Running running = (Status.Running) status;
            if (running.port() > 0 && running.port() != current.port()) {
                // The files disagree with the server that runs: believe the server, never move it.
                log.warn("the local PostgreSQL runs on port {} but {} says {}; correcting the file", running.port(), dataDir.resolve("credentials"),
                        current.port());
                writeSettings(clusterDir(), running.port());
                current = new Credentials(running.port(), current.database(), current.user(), current.password());
                current.write(dataDir);
                continue;
            }
            String why = probe instanceof Probe.NotReady n ? n.message() : "connection refused";
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the local PostgreSQL in " + clusterDir() + " runs (PID " + running.pid()
                        + ") but has not accepted a connection for " + patience.toSeconds() + " s: " + why
                        + ". It was left running; see " + dataDir.resolve("postgres.log") + " and try again");
            }
            if (System.nanoTime() > nextNote) {
                log.info("waiting for the local PostgreSQL (PID {}) to accept connections: {}", running.pid(), why);
                nextNote = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the local PostgreSQL", e);
            }
        }
    }

    /** Starts the server; only called when no server process runs on the cluster. */
    private Credentials start(Credentials credentials) throws IOException {
        binaries.ensureUnpacked();
        Credentials current = credentials;
        if (!portFree(current.port())) {
            // The cluster is down, and another program took its port since it last ran: move to a free one.
            int port = freePort();
            log.warn("port {} of the local PostgreSQL is taken by another program; moving to port {}", current.port(), port);
            writeSettings(clusterDir(), port);
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

    /** What one connection attempt said about the server. */
    sealed interface Probe {
        record Answers() implements Probe {}

        /** Nothing listens: the server is down (or not listening yet). */
        record Refused() implements Probe {}

        /** The server answered but refused our password. */
        record LoginRefused(String message) implements Probe {}

        /** Something answered but no session came of it: starting up, too many clients, slow, ... */
        record NotReady(String sqlState, String message) implements Probe {}

        static Probe of(SQLException e) {
            String state = e.getSQLState();
            if ("28P01".equals(state) || "28000".equals(state)) {
                return new LoginRefused(e.getMessage());
            }
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof java.net.ConnectException) {
                    return new Refused();
                }
            }
            return new NotReady(state, e.getMessage());
        }
    }

    private static Probe probe(Endpoint endpoint) {
        try (var c = endpoint.connect(); var s = c.createStatement()) {
            s.execute("select 1");
            return new Probe.Answers();
        } catch (SQLException e) {
            return Probe.of(e);
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

    private static int freePortUnchecked() {
        try {
            return freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How to reach a database: JDBC URL and credentials. The password never appears in {@link #toString()}. */
    public record Endpoint(String jdbcUrl, String user, String password) {
        public java.sql.Connection connect() throws SQLException {
            Properties p = new Properties();
            // A server with trust or peer authentication needs no password (--db-url without --db-password).
            if (user != null) {
                p.setProperty("user", user);
            }
            if (password != null) {
                p.setProperty("password", password);
            }
            p.setProperty("connectTimeout", "5");
            return DriverManager.getConnection(jdbcUrl, p);
        }

        /**
         * A server given by URL, as {@code --db-url} takes it: a JDBC URL ({@code
         * jdbc:postgresql://HOST:PORT/DB}) or a libpq-style URI ({@code
         * postgres://USER:PASSWORD@HOST:PORT/DB?...}, percent-encoded). {@code user} and {@code
         * password}, when not null, win over the URI's. Errors never show the password.
         *
         * @throws IllegalArgumentException naming the problem, with the URL redacted
         */
        public static Endpoint parse(String url, String user, String password) {
            String u = url.strip();
            if (u.startsWith("jdbc:postgresql:")) {
                return new Endpoint(u, user, password);
            }
            if (u.startsWith("postgres://") || u.startsWith("postgresql://")) {
                java.net.URI uri;
                try {
                    uri = new java.net.URI(u);
                } catch (java.net.URISyntaxException e) {
                    // The exception's message quotes the whole URL, password included: never show it.
                    throw new IllegalArgumentException("--db-url is not a valid URL (" + e.getReason() + "): " + redact(u)
                            + "; characters such as spaces, %, @ and / in the user or password must be percent-encoded (%20, %25, %40, %2F)");
                }
                String info = uri.getRawUserInfo();
                String uriUser = null;
                String uriPassword = null;
                if (info != null) {
                    int colon = info.indexOf(':');
                    uriUser = decode(colon < 0 ? info : info.substring(0, colon), u);
                    uriPassword = colon < 0 ? null : decode(info.substring(colon + 1), u);
                }
                if (uri.getHost() == null && uri.getRawAuthority() != null && !uri.getRawAuthority().isEmpty()) {
                    throw new IllegalArgumentException("--db-url has no host name dnsmig can read: " + redact(u));
                }
                String host = uri.getHost() == null ? "127.0.0.1" : uri.getHost();
                String port = uri.getPort() < 0 ? "5432" : Integer.toString(uri.getPort());
                String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
                String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
                return new Endpoint("jdbc:postgresql://" + host + ":" + port + "/" + db + query, user != null ? user : uriUser,
                        password != null ? password : uriPassword);
            }
            throw new IllegalArgumentException("--db-url must start with jdbc:postgresql:, postgres:// or postgresql:// (got " + redact(u) + ")");
        }

        private static String decode(String s, String url) {
            try {
                return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--db-url has a malformed %-escape in its user or password: " + redact(url));
            }
        }

        /** {@code url} with any password replaced by {@code ***}, for messages. */
        public static String redact(String url) {
            // Up to the last '@': a password may hold '@' (and anything else) when it is not encoded.
            return url.replaceAll("(://[^:/]*:).*@", "$1***@").replaceAll("(?i)(password=)[^&]*", "$1***");
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
            String port = p.getProperty("port", "");
            if (!port.strip().matches("\\d{1,5}") || p.getProperty("database") == null || p.getProperty("user") == null
                    || p.getProperty("password") == null) {
                throw new IllegalStateException(f + " is incomplete (it needs port, database, user and password lines); restore it from a backup"
                        + " or write a new one with `dnsmig db reset-credentials --data-dir " + dataDir + "`");
            }
            return Optional.of(new Credentials(Integer.parseInt(port.strip()), p.getProperty("database"), p.getProperty("user"),
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
