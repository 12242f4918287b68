package dnsmig.orchestrator.cli;

import dnsmig.localpg.LocalPostgres;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Which PostgreSQL a command uses: a server given by URL, or by default the local PostgreSQL
 * that dnsmig runs itself in its data directory (started on first use, shared by every
 * dnsmig command on the machine).
 */
final class DatabaseOptions {

    @Option(names = "--db-url", paramLabel = "URL", defaultValue = "${env:DNSMIG_DB_URL}",
            description = "PostgreSQL server to use instead of the local one: jdbc:postgresql://HOST:PORT/DB or postgres://USER:PASSWORD@HOST:PORT/DB"
                    + " (env DNSMIG_DB_URL).")
    String url;

    @Option(names = "--db-user", paramLabel = "USER", defaultValue = "${env:DNSMIG_DB_USER}", description = "User for --db-url (env DNSMIG_DB_USER).")
    String user;

    @Option(names = "--db-password", paramLabel = "PASSWORD", defaultValue = "${env:DNSMIG_DB_PASSWORD}",
            description = "Password for --db-url (env DNSMIG_DB_PASSWORD; prefer the variable: arguments are visible to other users).")
    String password;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:DNSMIG_DATA_DIR}",
            description = "Data directory of the local PostgreSQL used when no --db-url is given (env DNSMIG_DATA_DIR; default /var/lib/dnsmig"
                    + " as root, else ~/.local/share/dnsmig).")
    Path dataDir;

    boolean local() {
        return url == null || url.isBlank();
    }

    LocalPostgres localPostgres() {
        return LocalPostgres.at(dataDir != null ? dataDir : LocalPostgres.defaultDataDir());
    }

    /** Resolves the database, starting the local PostgreSQL if that is the one. */
    LocalPostgres.Endpoint endpoint() {
        if (local()) {
            return localPostgres().ensureRunning();
        }
        return parse(url, user, password);
    }

    /**
     * {@link #endpoint()}, having logged in once: a wrong password, a missing database or a
     * server that does not answer is one clear line ({@link Unusable}) before anything starts,
     * not a stack trace from deep inside the application.
     */
    LocalPostgres.Endpoint checkedEndpoint() {
        LocalPostgres.Endpoint endpoint = endpoint();
        if (!local()) {
            check(endpoint, redact(url.strip()));
        }
        return endpoint;
    }

    static void check(LocalPostgres.Endpoint endpoint, String shown) {
        try (var c = endpoint.connect()) {
            c.isValid(5);
        } catch (java.sql.SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            String why = e.getMessage() == null ? state : e.getMessage().lines().findFirst().orElse(state).replaceFirst("^FATAL: ", "");
            String who = shown + (endpoint.user() == null ? "" : " as " + endpoint.user());
            if (state.equals("28P01") || state.equals("28000")) {
                throw new Unusable(ExitCode.USAGE, "cannot log in to " + who + ": " + why + ". Check --db-user and --db-password (or DNSMIG_DB_USER and"
                        + " DNSMIG_DB_PASSWORD); nothing was changed");
            }
            if (state.equals("3D000")) {
                throw new Unusable(ExitCode.USAGE, "cannot use " + who + ": " + why + ". Create it or fix the URL; nothing was changed");
            }
            throw new Unusable(ExitCode.FAILED, "cannot reach the database " + who + ": " + why + ". Is the server up and the URL right? Nothing was changed");
        }
    }

    /** The database cannot be used at all; the message says why and what to do. Exit with {@link #exitCode}. */
    static final class Unusable extends RuntimeException {
        final int exitCode;

        Unusable(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    /** Accepts JDBC URLs and libpq-style postgres:// URIs (credentials in the URI or given separately). */
    static LocalPostgres.Endpoint parse(String url, String user, String password) {
        return LocalPostgres.Endpoint.parse(url, user, password);
    }

    /** The URL with any password replaced, for messages. */
    static String redact(String url) {
        return LocalPostgres.Endpoint.redact(url);
    }
}
