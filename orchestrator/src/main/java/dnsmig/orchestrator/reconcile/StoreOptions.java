package dnsmig.orchestrator.reconcile;

import dnsmig.localpg.LocalPostgres;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The database options every dnsmig command takes (same names, variables and defaults as the
 * command line's own; this feature may not depend on the cli package, so they are declared here
 * again).
 */
final class StoreOptions {

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
    LocalPostgres.Endpoint endpoint() {
        if (url == null || url.isBlank()) {
            return LocalPostgres.at(dataDir != null ? dataDir : LocalPostgres.defaultDataDir()).ensureRunning();
        }
        String u = url.strip();
        if (u.startsWith("jdbc:postgresql:")) {
            return new LocalPostgres.Endpoint(u, user, password);
        }
        if (u.startsWith("postgres://") || u.startsWith("postgresql://")) {
            URI uri = URI.create(u);
            String info = uri.getRawUserInfo();
            String uriUser = null;
            String uriPassword = null;
            if (info != null) {
                int colon = info.indexOf(':');
                uriUser = URLDecoder.decode(colon < 0 ? info : info.substring(0, colon), StandardCharsets.UTF_8);
                uriPassword = colon < 0 ? null : URLDecoder.decode(info.substring(colon + 1), StandardCharsets.UTF_8);
            }
            String host = uri.getHost() == null ? "127.0.0.1" : uri.getHost();
            int port = uri.getPort() < 0 ? 5432 : uri.getPort();
            String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
            String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
            return new LocalPostgres.Endpoint("jdbc:postgresql://" + host + ":" + port + "/" + db + query, user != null ? user : uriUser,
                    password != null ? password : uriPassword);
        }
        throw new IllegalArgumentException("--db-url must start with jdbc:postgresql:, postgres:// or postgresql:// (got "
                + u.replaceAll("(://[^:/@]+:)[^@]*@", "$1***@") + ")");
    }
}
