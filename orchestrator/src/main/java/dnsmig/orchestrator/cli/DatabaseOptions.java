package dnsmig.orchestrator.cli;

import dnsmig.localpg.LocalPostgres;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
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

    /** Accepts JDBC URLs and libpq-style postgres:// URIs (credentials in the URI or given separately). */
    static LocalPostgres.Endpoint parse(String url, String user, String password) {
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
                uriUser = decode(colon < 0 ? info : info.substring(0, colon));
                uriPassword = colon < 0 ? null : decode(info.substring(colon + 1));
            }
            String host = uri.getHost() == null ? "127.0.0.1" : uri.getHost();
            String port = uri.getPort() < 0 ? "5432" : Integer.toString(uri.getPort());
            String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
            String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
            return new LocalPostgres.Endpoint("jdbc:postgresql://" + host + ":" + port + "/" + db + query, user != null ? user : uriUser,
                    password != null ? password : uriPassword);
        }
        throw new IllegalArgumentException("--db-url must start with jdbc:postgresql:, postgres:// or postgresql:// (got " + redact(u) + ")");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** The URL with any password replaced, for messages. */
    static String redact(String url) {
        return url.replaceAll("(://[^:/@]+:)[^@]*@", "$1***@").replaceAll("(?i)(password=)[^&]*", "$1***");
    }
}
