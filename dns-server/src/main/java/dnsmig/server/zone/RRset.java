package dnsmig.server.zone;

import java.util.List;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * The records of one owner name and type, as served: one TTL (RFC 2181 §5.2), records in the
 * order they are stored (no rotation).
 */
public record RRset(Name name, int type, long ttl, List<Record> records) {

    public RRset {
        records = List.copyOf(records);
        if (records.isEmpty()) {
            throw new IllegalArgumentException("an RRset has at least one record: " + name + " " + type);
        }
    }

    /** The same records under another owner name (wildcard synthesis). */
    RRset withName(Name owner) {
        return new RRset(owner, type, ttl, records.stream().map(r -> r.withName(owner)).toList());
    }

    public Record first() {
        return records.get(0);
    }
}
