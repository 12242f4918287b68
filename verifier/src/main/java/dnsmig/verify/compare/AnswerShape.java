package dnsmig.verify.compare;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A response normalised for comparison: its response code (extended by EDNS), the AA and TC
 * flags, and each section as RRsets (owner name compared ignoring case, type, class) whose data
 * is a set of canonical rdata (RFC 4034 §6.2: names in rdata lower-case), with the RRset's TTL.
 * Order of records and RRsets, letter case of names, name compression, the OPT record and TSIG
 * do not matter. Presentation text is made only when a difference is shown.
 */
public record AnswerShape(int rcode, boolean aa, boolean tc, Map<Key, RRset> rrsets) {

    /** One RRset's place: section (ANSWER, AUTHORITY, ADDITIONAL), owner name (dnsjava compares names ignoring case), type, class. */
    public record Key(int section, Name name, int type, int dclass) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Integer.compare(section, o.section);
            if (c == 0) {
                c = name.compareTo(o.name);
            }
            if (c == 0) {
                c = Integer.compare(type, o.type);
            }
            return c != 0 ? c : Integer.compare(dclass, o.dclass);
        }

        @Override
        public String toString() {
            return Section.string(section).toLowerCase(Locale.ROOT) + " " + name.toString().toLowerCase(Locale.ROOT) + " " + Type.string(type);
        }
    }

    /** @param data canonical rdata → the record */
    public record RRset(long ttl, TreeMap<ByteBuffer, Record> data) {
        String text() {
            StringBuilder sb = new StringBuilder().append(ttl);
            boolean first = true;
            for (Record r : data.values()) {
                String t = r.rdataToString();
                sb.append(first ? " " : " | ").append(NAME_RDATA.contains(r.getType()) ? t.toLowerCase(Locale.ROOT) : t);
                first = false;
            }
            return sb.toString();
        }
    }

    /** Types whose rdata text is only names and numbers: shown lower-case (clients ask in mixed case, RFC 4343; compression copies it). */
    private static final java.util.Set<Integer> NAME_RDATA = java.util.Set.of(Type.NS, Type.CNAME, Type.SOA, Type.PTR, Type.MX, Type.SRV, Type.DNAME,
            Type.AFSDB, Type.RT, Type.KX, Type.MINFO, Type.RP, Type.MB, Type.MG, Type.MR, Type.MD, Type.MF);

    public static AnswerShape of(Message m, IgnoreRules rules) {
        Map<Key, RRset> sets = new TreeMap<>();
        for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
            if ((section == Section.ADDITIONAL && rules.additional()) || (section == Section.AUTHORITY && rules.authority())) {
                continue;
            }
            for (Record r : m.getSection(section)) {
                if (r.getType() == Type.OPT || r.getType() == Type.TSIG || r.getType() == Type.SIG) {
                    continue;
                }
                Record rec = r;
                if (rules.soaSerial() && r instanceof SOARecord soa) {
                    rec = new SOARecord(soa.getName(), soa.getDClass(), soa.getTTL(), soa.getHost(), soa.getAdmin(), 0, soa.getRefresh(), soa.getRetry(),
                            soa.getExpire(), soa.getMinimum());
                }
                Key k = new Key(section, r.getName(), r.getType(), r.getDClass());
                RRset s = sets.get(k);
                if (s == null) {
                    sets.put(k, s = new RRset(r.getTTL(), new TreeMap<>()));
                } else if (r.getTTL() < s.ttl()) {
                    sets.put(k, s = new RRset(r.getTTL(), s.data()));
                }
                s.data().put(ByteBuffer.wrap(rec.rdataToWireCanonical()), rec);
            }
        }
        return new AnswerShape(m.getRcode(), m.getHeader().getFlag(Flags.AA), m.getHeader().getFlag(Flags.TC), sets);
    }

    /** Short text for findings: "NOERROR aa; an www.example. A 300 192.0.2.1; ...". */
    public String text() {
        StringBuilder sb = new StringBuilder(Rcode.string(rcode));
        if (aa) {
            sb.append(" aa");
        }
        if (tc) {
            sb.append(" tc");
        }
        for (Map.Entry<Key, RRset> e : rrsets.entrySet()) {
            sb.append("; ").append(e.getKey()).append(' ').append(e.getValue().text());
        }
        return sb.toString();
    }
}
