package dnsmig.orchestrator.reconcile;

import dnsmig.convert.MasterFileWriter;
import dnsmig.convert.types.ExtraTypes;
import dnsmig.store.Rows;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Compares a zone as the legacy server transfers it with the zone as the record store holds it,
 * RRset by RRset, canonically: owner names case-insensitive, rdata in canonical wire form (RFC
 * 4034 section 6.2: so {@code MX 10 Mail.Example.} equals {@code MX 10 mail.example.} and
 * {@code 2001:db8::1} equals {@code 2001:0db8:0:0::1}), TTL, type. The store keeps rdata in
 * presentation form; it is parsed back with dnsjava (and the converter's extra types).
 *
 * <p>The SOA serial is left out of the comparison: each side numbers its own versions, and
 * reconcile reads the legacy serial separately (for drift).
 */
final class RRsetComparison {

    static {
        ExtraTypes.registerAll();
    }

    private RRsetComparison() {}

    enum Kind { missing, extra, rdata, ttl }

    /** One RRset that differs; a side that lacks it has an empty list. */
    record Difference(String name, int type, Kind kind, List<Record> legacy, List<Record> store) {

        String typeName() {
            return Type.string(type);
        }

        static String text(List<Record> records) {
            if (records.isEmpty()) {
                return null;
            }
            List<String> parts = new ArrayList<>();
            for (Record r : records) {
                parts.add(r.getTTL() + " " + r.rdataToString());
            }
            parts.sort(null);
            return String.join(" | ", parts);
        }
    }

    /**
     * The RRsets that differ, in (name, type) order. Fast path: an RRset whose records have the
     * same TTL and rdata text on both sides is equal (the store keeps dnsjava's own presentation
     * form, which is what the backfill wrote); only the others are parsed and compared in canonical
     * wire form.
     */
    static List<Difference> compare(List<Record> legacy, List<Rows.Rr> store) {
        Map<String, List<Record>> l = group(legacy);
        Map<String, List<Rows.Rr>> s = new TreeMap<>();
        for (Rows.Rr r : store) {
            s.computeIfAbsent(r.name().toLowerCase(Locale.ROOT) + "\t" + Type.value(r.type(), true), k -> new ArrayList<>()).add(r);
        }
        Set<String> keys = new TreeSet<>(l.keySet());
        keys.addAll(s.keySet());
        List<Difference> out = new ArrayList<>();
        for (String key : keys) {
            List<Record> a = l.getOrDefault(key, List.of());
            List<Rows.Rr> rows = s.getOrDefault(key, List.of());
            if (!a.isEmpty() && sameText(a, rows)) {
                continue;
            }
            List<Record> b = parse(rows);
            Record any = a.isEmpty() ? b.get(0) : a.get(0);
            String name = owner(any.getName());
            Kind kind;
            if (b.isEmpty()) {
                kind = Kind.missing;
            } else if (a.isEmpty()) {
                kind = Kind.extra;
            } else if (!rdata(a).equals(rdata(b))) {
                kind = Kind.rdata;
            } else if (!ttls(a).equals(ttls(b))) {
                kind = Kind.ttl;
            } else {
                continue;
            }
            out.add(new Difference(name, any.getType(), kind, a, b));
        }
        return out;
    }

    private static boolean sameText(List<Record> a, List<Rows.Rr> rows) {
        if (a.size() != rows.size() || a.get(0).getType() == Type.SOA) {
            return false;
        }
        List<String> x = new ArrayList<>(a.size());
        for (Record r : a) {
            x.add(r.getTTL() + " " + MasterFileWriter.rdataText(r));
        }
        List<String> y = new ArrayList<>(rows.size());
        for (Rows.Rr r : rows) {
            y.add(r.ttl() + " " + r.rdata());
        }
        x.sort(null);
        y.sort(null);
        return x.equals(y);
    }

    /** The store's rows as dnsjava records. */
    static List<Record> parse(List<Rows.Rr> rows) {
        List<Record> out = new ArrayList<>(rows.size());
        for (Rows.Rr r : rows) {
            try {
                out.add(MasterFileWriter.record(Name.fromString(r.name()), Type.value(r.type(), true), r.ttl(), r.rdata()));
            } catch (java.io.IOException | IllegalArgumentException e) {
                throw new IllegalStateException("the store holds a record dnsjava cannot read back: " + r.toMasterLine() + " (" + e.getMessage() + ")", e);
            }
        }
        return out;
    }

    /**
     * A record as the store keeps it (as the backfill writes it): owner lower-case absolute, type
     * mnemonic, rdata as text that reads back to the same record (RFC 3597 form for SVCB/HTTPS and
     * unknown types).
     */
    static Rows.Rr row(Record r) {
        return new Rows.Rr(owner(r.getName()), Type.string(r.getType()), (int) Math.min(Integer.MAX_VALUE, r.getTTL()), MasterFileWriter.rdataText(r));
    }

    static String owner(Name n) {
        return n.toString().toLowerCase(Locale.ROOT);
    }

    private static Map<String, List<Record>> group(List<Record> records) {
        Map<String, List<Record>> out = new TreeMap<>();
        for (Record r : records) {
            out.computeIfAbsent(owner(r.getName()) + "\t" + r.getType(), k -> new ArrayList<>()).add(r);
        }
        return out;
    }

    private static Set<String> rdata(List<Record> records) {
        Set<String> out = new TreeSet<>();
        for (Record r : records) {
            Record c = r instanceof SOARecord soa ? new SOARecord(soa.getName(), soa.getDClass(), soa.getTTL(), soa.getHost(), soa.getAdmin(), 0,
                    soa.getRefresh(), soa.getRetry(), soa.getExpire(), soa.getMinimum()) : r;
            out.add(HexFormat.of().formatHex(c.rdataToWireCanonical()));
        }
        return out;
    }

    private static Set<Long> ttls(List<Record> records) {
        Set<Long> out = new TreeSet<>();
        records.forEach(r -> out.add(r.getTTL()));
        return out;
    }

    static Name name(String s) {
        try {
            return Name.fromString(s);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a domain name: " + s, e);
        }
    }
}
