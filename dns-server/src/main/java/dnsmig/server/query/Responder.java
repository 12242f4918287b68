package dnsmig.server.query;

import dnsmig.server.zone.LookupResult;
import dnsmig.server.zone.RRset;
import dnsmig.server.zone.Zone;
import dnsmig.server.zone.ZoneIndex;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Turns a lookup's outcome into a response: the one place that decides RCODE, flags and
 * sections (CoreDNS plugin/file/file.go). Behaviour follows BIND 9.18 as an authoritative
 * server with its defaults (the differential test holds it to that), except where an RFC asks
 * otherwise (ANY over UDP answered minimally, RFC 8482):
 *
 * <ul>
 *   <li>positive answers: AA; the zone's NS in authority only when the query did not ask for
 *       recursion (BIND's {@code minimal-responses no-auth-recursive}); addresses of in-zone
 *       targets of NS, MX, SRV, ... in additional;
 *   <li>NODATA and NXDOMAIN: AA, the zone's SOA in authority with TTL min(SOA TTL, SOA MINIMUM)
 *       (RFC 2308 §3);
 *   <li>referrals: no AA, the cut's NS in authority, glue in additional;
 *   <li>a name outside every zone: REFUSED;
 *   <li>too big for the requester: TC, only the question (and OPT) (RFC 2181 §9: the client
 *       asks again over TCP).
 * </ul>
 */
public final class Responder {

    /** Our EDNS UDP payload size: the DNS flag day 2020 value, as BIND 9.18 advertises. */
    public static final int MAX_UDP_PAYLOAD = 1232;

    private final ZoneIndex index;

    public Responder(ZoneIndex index) {
        this.index = index;
    }

    /** A rendered response and what it was. */
    public record Rendered(byte[] wire, int rcode, Zone zone, boolean truncated) {}

    public Rendered respond(Query q) {
        Zone zone = index.find(q.qname());
        Message m = base(q);
        int rcode = Rcode.NOERROR;
        if (zone == null || q.qtype() == Type.AXFR || q.qtype() == Type.IXFR) {
            // Outside our zones; or a zone transfer asked over UDP or without leave (RFC 5936 §4.2, §6).
            rcode = Rcode.REFUSED;
            m.getHeader().setRcode(rcode);
            return render(q, m, rcode, zone);
        }
        LookupResult result = zone.lookup(q.qname(), q.qtype());
        Header h = m.getHeader();
        for (RRset r : result.chain()) {
            add(m, r, Section.ANSWER);
        }
        switch (result) {
            case LookupResult.Answer a -> {
                h.setFlag(Flags.AA);
                List<RRset> answer = a.answer();
                if (q.qtype() == Type.ANY && !q.tcp() && answer.size() > 1) {
                    answer = List.of(minimalAny(answer)); // RFC 8482 §4.1
                }
                for (RRset r : answer) {
                    add(m, r, Section.ANSWER);
                }
                RRset apexNs = zone.apexNs();
                boolean nsInAnswer = answer.stream().anyMatch(r -> r.type() == Type.NS && r.name().equals(zone.origin()));
                if (!q.recursionDesired() && !nsInAnswer && apexNs != null && !answer.isEmpty()) {
                    add(m, apexNs, Section.AUTHORITY);
                }
                additional(m, zone);
            }
            case LookupResult.NoData n -> {
                h.setFlag(Flags.AA);
                add(m, n.soa(), Section.AUTHORITY);
            }
            case LookupResult.NxDomain n -> {
                h.setFlag(Flags.AA);
                rcode = Rcode.NXDOMAIN;
                add(m, n.soa(), Section.AUTHORITY);
            }
            case LookupResult.Delegation d -> {
                if (!d.chain().isEmpty()) {
                    h.setFlag(Flags.AA); // the CNAMEs before the cut are ours
                }
                add(m, d.ns(), Section.AUTHORITY);
                for (RRset g : d.glue()) {
                    add(m, g, Section.ADDITIONAL);
                }
            }
            case LookupResult.NameTooLong t -> {
                h.setFlag(Flags.AA);
                rcode = Rcode.YXDOMAIN;
            }
        }
        h.setRcode(rcode);
        return render(q, m, rcode, zone);
    }

    /** Addresses of the in-zone names that answer and authority records point at (NS, MX, SRV, ...). */
    private static void additional(Message m, Zone zone) {
        Set<Name> done = new HashSet<>();
        List<Record> sources = new ArrayList<>(m.getSection(Section.ANSWER));
        sources.addAll(m.getSection(Section.AUTHORITY));
        for (Record r : sources) {
            Name target = r.getAdditionalName();
            if (target == null || !target.subdomain(zone.origin()) || !done.add(target)) {
                continue;
            }
            boolean glue = zone.belowCut(target);
            if (glue && r.getType() != Type.NS) {
                continue; // only a referral's NS records earn glue
            }
            for (int type : new int[] {Type.A, Type.AAAA}) {
                RRset addr = zone.rrset(target, type);
                if (addr != null && !m.findRRset(target, type, Section.ANSWER)) {
                    add(m, addr, Section.ADDITIONAL);
                }
            }
        }
    }

    private static RRset minimalAny(List<RRset> all) {
        RRset best = all.get(0);
        for (RRset r : all) {
            if (r.type() != Type.RRSIG && (best.type() == Type.RRSIG || r.type() < best.type())) {
                best = r;
            }
        }
        return best;
    }

    private static void add(Message m, RRset rrset, int section) {
        for (Record r : rrset.records()) {
            m.addRecord(r, section);
        }
    }

    /** Header with ID, QR, opcode, RD and CD echoed; the question as asked (letter case kept). */
    private static Message base(Query q) {
        Message m = new Message(q.id());
        Header h = m.getHeader();
        h.setFlag(Flags.QR);
        if (q.recursionDesired()) {
            h.setFlag(Flags.RD);
        }
        if (q.checkingDisabled()) {
            h.setFlag(Flags.CD);
        }
        m.addRecord(Record.newRecord(q.qname(), q.qtype(), q.qclass()), Section.QUESTION);
        return m;
    }

    private static Rendered render(Query q, Message m, int rcode, Zone zone) {
        if (q.edns()) {
            m.addRecord(opt(q, rcode), Section.ADDITIONAL);
        }
        byte[] wire = m.toWire();
        if (wire.length <= q.maxResponseSize()) {
            return new Rendered(wire, rcode, zone, false);
        }
        // Too big: TC with the question only (and OPT), so the requester retries over TCP.
        Message tc = base(q);
        tc.getHeader().setFlag(Flags.TC);
        if (m.getHeader().getFlag(Flags.AA)) {
            tc.getHeader().setFlag(Flags.AA);
        }
        tc.getHeader().setRcode(rcode);
        if (q.edns()) {
            tc.addRecord(opt(q, rcode), Section.ADDITIONAL);
        }
        return new Rendered(tc.toWire(), rcode, zone, true);
    }

    private static OPTRecord opt(Query q, int rcode) {
        return new OPTRecord(MAX_UDP_PAYLOAD, rcode >>> 4, 0, q.dnssecOk() ? ExtendedFlags.DO : 0);
    }

    /** An error response to a query that passed parsing: question echoed, OPT when the query had one. */
    static byte[] errorResponse(Query q, int rcode) {
        Message m = base(q);
        m.getHeader().setRcode(rcode & 0xF);
        if (q.edns()) {
            m.addRecord(opt(q, rcode), Section.ADDITIONAL);
        }
        return m.toWire();
    }
}
