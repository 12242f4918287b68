package dnsmig.legacy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * One RRset of a zone going from what the caller last saw ({@code before}) to what it should be
 * ({@code after}). {@code before} is a precondition: the change applies only if the RRset still
 * holds exactly those records (compared by rdata, as RFC 2136 section 3.2.5 compares them), so
 * an edit made by someone else in between is a conflict, never silently overwritten.
 *
 * @param before the records the RRset must hold now; empty = the RRset must not exist
 * @param after  the records it must hold afterwards (one TTL, the first record's); empty = delete it
 */
public record RRsetChange(Name name, int type, List<Record> before, List<Record> after) {

    public RRsetChange {
        before = List.copyOf(before);
        after = List.copyOf(after);
        for (Record r : concat(before, after)) {
            if (!r.getName().equals(name) || r.getType() != type) {
                throw new IllegalArgumentException("record " + r + " is not of RRset " + name + " " + Type.string(type));
            }
        }
        if (before.isEmpty() && after.isEmpty()) {
            throw new IllegalArgumentException("an RRset change needs records before or after: " + name + " " + Type.string(type));
        }
    }

    /** Creates an RRset that must not exist yet. */
    public static RRsetChange create(List<Record> records) {
        return new RRsetChange(records.get(0).getName(), records.get(0).getType(), List.of(), records);
    }

    /** Deletes an RRset that must hold exactly {@code records}. */
    public static RRsetChange delete(List<Record> records) {
        return new RRsetChange(records.get(0).getName(), records.get(0).getType(), records, List.of());
    }

    /** Replaces an RRset that must hold exactly {@code before} by {@code after}. */
    public static RRsetChange replace(List<Record> before, List<Record> after) {
        Record first = before.isEmpty() ? after.get(0) : before.get(0);
        return new RRsetChange(first.getName(), first.getType(), before, after);
    }

    /** {@code "name TYPE"}. */
    public String rrset() {
        return name + " " + Type.string(type);
    }

    /** The rdata of some records in canonical wire form, hex, sorted: what RFC 2136 compares. */
    static Set<String> rdata(List<Record> records) {
        Set<String> out = new TreeSet<>();
        for (Record r : records) {
            out.add(java.util.HexFormat.of().formatHex(r.rdataToWireCanonical()));
        }
        return out;
    }

    private static List<Record> concat(List<Record> a, List<Record> b) {
        List<Record> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Override
    public String toString() {
        return rrset() + ": " + before.stream().map(r -> r.getTTL() + " " + r.rdataToString()).toList() + " -> "
                + after.stream().map(r -> r.getTTL() + " " + r.rdataToString()).toList();
    }
}
