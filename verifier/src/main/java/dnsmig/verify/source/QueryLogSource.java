package dnsmig.verify.source;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * BIND's query log ({@code querylog yes;}, category queries), read from the start or followed
 * as it grows (like {@code tail -F}: a rotated or truncated file is opened again from its start).
 * A line is {@code ... client @0x... 192.0.2.9#53412 (name): query: NAME CLASS TYPE FLAGS (SERVER)};
 * FLAGS: {@code +} recursion desired, {@code E(n)} EDNS, {@code D} DO, {@code C} CD, {@code T}
 * TCP. The nameserver is {@code --nameserver}, else the server address in the last parentheses.
 * Lines that are not queries are counted as skipped.
 */
public final class QueryLogSource implements QuerySource {

    static final Pattern LINE = Pattern.compile("client (?:@\\S+ )?(\\S+)#(\\d+)(?: \\([^)]*\\))?: (?:view \\S+: )?query: (\\S+) (\\S+) (\\S+) (\\S*) \\(([^)]*)\\)");

    private final Path file;
    private final boolean follow;
    private final String nameserver;
    private final AtomicLong skipped = new AtomicLong();
    private volatile boolean stopped;

    /** @param follow keep reading as the file grows, until {@link #stop()} */
    public QueryLogSource(Path file, boolean follow, String nameserver) {
        this.file = file;
        this.follow = follow;
        this.nameserver = nameserver;
    }

    @Override
    public void run(Sink sink) throws IOException, InterruptedException {
        if (!follow && !Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such query log");
        }
        long position = 0;
        Object fileKey = null;
        StringBuilder partial = new StringBuilder();
        while (!stopped) {
            if (!Files.exists(file)) {
                Thread.sleep(200);
                continue;
            }
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            if (fileKey != null && (!attrs.fileKey().equals(fileKey) || attrs.size() < position)) {
                position = 0; // rotated or truncated: the new file from its start
                partial.setLength(0);
            }
            fileKey = attrs.fileKey();
            if (attrs.size() > position) {
                try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
                    raf.seek(position);
                    byte[] buf = new byte[1 << 16];
                    int n;
                    while (!stopped && (n = raf.read(buf)) > 0) {
                        position += n;
                        String chunk = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
                        int start = 0;
                        int nl;
                        while ((nl = chunk.indexOf('\n', start)) >= 0) {
                            partial.append(chunk, start, nl);
                            line(partial.toString(), sink);
                            partial.setLength(0);
                            start = nl + 1;
                        }
                        partial.append(chunk, start, chunk.length());
                    }
                }
            } else if (!follow) {
                break;
            } else {
                Thread.sleep(100);
            }
        }
        if (!follow && !partial.isEmpty()) {
            line(partial.toString(), sink);
        }
    }

    void line(String line, Sink sink) throws InterruptedException {
        Query q = parse(line, nameserver);
        if (q == null) {
            skipped.incrementAndGet();
            return;
        }
        Matcher m = LINE.matcher(line);
        m.find();
        sink.accept(q, Integer.parseInt(m.group(2)));
    }

    /** The query in one log line, or null when the line is not one. */
    static Query parse(String line, String nameserver) {
        Matcher m = LINE.matcher(line);
        if (!m.find()) {
            return null;
        }
        int dclass = DClass.value(m.group(4));
        int type = Type.value(m.group(5));
        if (dclass < 0 || type < 0 || type == Type.AXFR || type == Type.IXFR) {
            return null;
        }
        Name name;
        try {
            name = Name.fromString(m.group(3), Name.root);
        } catch (TextParseException e) {
            return null;
        }
        String flags = m.group(6);
        boolean edns = flags.contains("E(");
        String ns = nameserver != null ? nameserver : m.group(7);
        return new Query(name, type, dclass, flags.startsWith("+"), flags.contains("C"), edns ? 1232 : -1, flags.contains("D"), ns, Instant.now());
    }

    @Override
    public long skipped() {
        return skipped.get();
    }

    @Override
    public void stop() {
        stopped = true;
    }

    @Override
    public String describe() {
        return "query log " + file + (follow ? " (followed)" : "");
    }
}
