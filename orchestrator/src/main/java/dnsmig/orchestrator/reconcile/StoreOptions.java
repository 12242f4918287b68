package dnsmig.orchestrator.reconcile;

import dnsmig.localpg.LocalPostgres;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The database options every dnsmig command takes (same names, variables and defaults as the
 * command line's own; features may not depend on the cli package, so they are declared here
 * again, once for the features: reconcile and cutover).
 */
public final class StoreOptions {

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

    /** The database: the URL given, or the local PostgreSQL (started if needed). */
    public LocalPostgres.Endpoint endpoint() {
        if (url == null || url.isBlank()) {
            return LocalPostgres.at(dataDir != null ? dataDir : LocalPostgres.defaultDataDir()).ensureRunning();
        }
        return LocalPostgres.Endpoint.parse(url, user, password); // its errors show the URL with the password masked
    }
}
