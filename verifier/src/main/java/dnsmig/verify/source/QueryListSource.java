package dnsmig.verify.source;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A dnsperf query file: one query per line, "NAME TYPE" ({@code www.example.com A}); blank
 * lines and lines starting with '#' or ';' are skipped. A bad line fails the run naming the
 * file, the line number and the problem (nothing half-replayed goes unnoticed).
 */
public final class QueryListSource implements QuerySource {

    private final Path file;
    private final String nameserver;
    private volatile boolean stopped;

    public QueryListSource(Path file, String nameserver) {
        this.file = file;
        this.nameserver = nameserver;
    }

    @Override
    public void run(Sink sink) throws IOException, InterruptedException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while (!stopped && (line = r.readLine()) != null) {
                n++;
                Query q = parse(line, n);
                if (q != null) {
                    sink.accept(q, -1);
                }
            }
        }
    }

    Query parse(String line, int n) throws IOException {
        String s = line.strip();
        if (s.isEmpty() || s.startsWith("#") || s.startsWith(";")) {
            return null;
        }
        String[] parts = fields(s);
        if (parts == null) {
            throw new IOException(file + ":" + n + ": expected 'NAME TYPE' (dnsperf format), got '" + s + "'");
        }
        int type = Type.value(parts[1]);
        if (type < 0) {
            throw new IOException(file + ":" + n + ": unknown query type '" + parts[1] + "'");
        }
        try {
            return Query.of(Name.fromString(parts[0], Name.root), type, nameserver, Instant.now());
        } catch (TextParseException e) {
            throw new IOException(file + ":" + n + ": '" + parts[0] + "' is not a domain name (" + e.getMessage() + ")");
        }
    }

    /** The two whitespace-separated fields of a stripped line, or null when there are not exactly two (no regex: this runs per query). */
    private static String[] fields(String s) {
        int i = 0;
        while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        int j = i;
        while (j < s.length() && Character.isWhitespace(s.charAt(j))) {
            j++;
        }
        int k = j;
        while (k < s.length() && !Character.isWhitespace(s.charAt(k))) {
            k++;
        }
        return i == s.length() || k != s.length() ? null : new String[] {s.substring(0, i), s.substring(j)};
    }

    @Override
    public void stop() {
        stopped = true;
    }

    @Override
    public String describe() {
        return "query list " + file;
    }
}
