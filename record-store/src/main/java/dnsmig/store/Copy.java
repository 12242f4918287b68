package dnsmig.store;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import org.jooq.DSLContext;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/** Bulk-writes records with PostgreSQL's COPY, in the caller's transaction. */
final class Copy {

    private static final int BUFFER = 1 << 16;

    private Copy() {}

    /** Writes the rows of several zones, keyed by zone id, in one COPY. */
    static void records(DSLContext tx, Map<Long, ? extends Collection<Rows.Rr>> rowsByZone) {
        if (rowsByZone.values().stream().allMatch(Collection::isEmpty)) {
            return;
        }
        tx.connection(c -> {
            CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY rr (zone_id, name, type, ttl, rdata) FROM STDIN");
            try {
                StringBuilder sb = new StringBuilder(BUFFER + 1024);
                for (var zone : rowsByZone.entrySet()) {
                    String zid = Long.toString(zone.getKey());
                    for (Rows.Rr r : zone.getValue()) {
                        sb.append(zid).append('\t');
                        escape(sb, r.name());
                        sb.append('\t');
                        escape(sb, r.type());
                        sb.append('\t').append(r.ttl()).append('\t');
                        escape(sb, r.rdata());
                        sb.append('\n');
                        if (sb.length() >= BUFFER) {
                            write(copy, sb);
                        }
                    }
                }
                write(copy, sb);
                copy.endCopy();
            } finally {
                if (copy.isActive()) {
                    copy.cancelCopy();
                }
            }
        });
    }

    private static void write(CopyIn copy, StringBuilder sb) throws java.sql.SQLException {
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(bytes, 0, bytes.length);
        sb.setLength(0);
    }

    /** COPY's text format: backslash, tab, newline and carriage return are escaped. */
    static void escape(StringBuilder sb, String value) {
        if (value.indexOf('\\') < 0 && value.indexOf('\t') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            sb.append(value); // the usual case, and much faster than char by char
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> sb.append(ch);
            }
        }
    }

    static String escape(String value) {
        StringBuilder sb = new StringBuilder(value.length() + 8);
        escape(sb, value);
        return sb.toString();
    }

}
