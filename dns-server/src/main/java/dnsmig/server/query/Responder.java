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
        if (q.qtype() == Type.DS && zone.origin().equals(q.qname()) && q.qname().labels() > 1) {
            // DS lives in the parent (RFC 4035 §3.1.4.1): when we also serve the parent, it answers.
            Zone parent = index.find(new Name(q.qname(), 1));
            if (parent != null) {
                zone = parent;
            }
        }
        LookupResult result = zone.lookup(q.qname(), q.qtype(), index::find);
        Header h = m.getHeader();
        for (RRset r : result.chain()) {
            add(m, r, Section.ANSWER);
        }
        // BIND: nothing beyond the answer for ANY, or when a UDP requester's EDNS buffer is 512
        // octets or less (minimal responses).
        boolean minimal = q.qtype() == Type.ANY || (!q.tcp() && q.edns() && q.udpSize() <= 512);
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
                Zone answering = a.zone();
                RRset apexNs = answering.apexNs();
                boolean nsInAnswer = answer.stream().anyMatch(r -> r.type() == Type.NS && r.name().equals(answering.origin()));
                boolean noAuthority = minimal || NO_AUTHORITY_TYPES.contains(q.qtype()); // BIND: no NS with DNSSEC key material
                if (!noAuthority && !q.recursionDesired() && !nsInAnswer && apexNs != null && !answer.isEmpty()) {
                    add(m, apexNs, Section.AUTHORITY);
                }
                if (!minimal) {
                    additional(m, answering);
                }
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
            case LookupResult.Broken b -> {
                h.setFlag(Flags.AA); // as BIND: the chain is ours, the data is broken
                rcode = Rcode.SERVFAIL;
            }
        }
        h.setRcode(rcode);
        return render(q, m, rcode, zone);
    }

    /**
     * Additional-section processing as BIND does it: for each answer and authority record that
     * names another host, that name's addresses from the answering zone (glue only for NS), plus
     * type-specific data: TLSA for MX and SRV targets (RFC 7672), X25 and ISDN
     * for RT (RFC 1183), L32 and L64 for LP (RFC 6742), SRV for NAPTR with the S flag (RFC 3403).
     */
    private void additional(Message m, Zone zone) {
        List<Record> answerRecords = m.getSection(Section.ANSWER);
        List<Record> sources = new ArrayList<>(answerRecords);
        sources.addAll(m.getSection(Section.AUTHORITY));
        Set<Added> done = new HashSet<>();
        for (int i = 0; i < sources.size(); i++) {
            Record r = sources.get(i);
            boolean inAnswer = i < answerRecords.size();
            switch (r) {
                case org.xbill.DNS.MXRecord mx -> {
                    addresses(m, zone, mx.getTarget(), false, done);
                    extra(m, zone, child("_25._tcp", mx.getTarget()), Type.TLSA, false, done);
                }
                case org.xbill.DNS.SRVRecord srv -> {
                    addresses(m, zone, srv.getTarget(), false, done);
                    extra(m, zone, child("_" + srv.getPort() + "._tcp", srv.getTarget()), Type.TLSA, false, done);
                }
                // NS asked for: glue too; the zone's NS added to authority: its own addresses only (BIND).
                case org.xbill.DNS.NSRecord ns -> addresses(m, zone, ns.getTarget(), inAnswer, done);
                case org.xbill.DNS.RTRecord rt -> {
                    addresses(m, zone, rt.getIntermediateHost(), false, done);
                    extra(m, zone, rt.getIntermediateHost(), Type.X25, false, done);
                    extra(m, zone, rt.getIntermediateHost(), Type.ISDN, false, done);
                }
                case org.xbill.DNS.NAPTRRecord naptr -> {
                    Name replacement = naptr.getReplacement();
                    if (!replacement.equals(Name.root)) {
                        if (naptr.getFlags().equalsIgnoreCase("s")) {
                            extra(m, zone, replacement, Type.SRV, false, done);
                        }
                        addresses(m, zone, replacement, false, done);
                    }
                }
                case org.xbill.DNS.SVCBBase svcb -> service(m, zone, svcb, done, 0);
                default -> {
                    if (r.getType() == Type.LP) {
                        Name target = lpTarget(r);
                        extra(m, zone, target, Type.L32, false, done);
                        extra(m, zone, target, Type.L64, false, done);
                    } else {
                        Name target = r.getAdditionalName(); // KX, AFSDB, MB, ...
                        if (target != null) {
                            addresses(m, zone, target, false, done);
                        }
                    }
                }
            }
        }
    }

    /**
     * SVCB/HTTPS (RFC 9460 §4.1): an alias (priority 0) brings the RRset its target holds; a
     * service brings its target's addresses, through CNAMEs at the target. Bounded in depth.
     */
    private void service(Message m, Zone zone, org.xbill.DNS.SVCBBase svcb, Set<Added> done, int depth) {
        Name target = svcb.getTargetName();
        if (target.equals(Name.root) || depth > 8) {
            return;
        }
        for (int hop = 0; hop < 8; hop++) {
            RRset cname = zone.belowCut(target) || !target.subdomain(zone.origin()) ? null : zone.rrset(target, Type.CNAME);
            if (cname == null) {
                break;
            }
            if (!done.add(new Added(target, Type.CNAME))) {
                return;
            }
            add(m, cname, Section.ADDITIONAL);
            target = ((org.xbill.DNS.CNAMERecord) cname.first()).getTarget();
        }
        RRset alias = svcb.getSvcPriority() != 0 || !target.subdomain(zone.origin()) || zone.belowCut(target) ? null
                : zone.rrset(target, svcb.getType());
        if (alias == null) {
            addresses(m, zone, target, false, done);
        } else if (done.add(new Added(target, svcb.getType()))
                && !m.findRRset(target, svcb.getType(), Section.ANSWER)) { // an alias loop back to the answer
            add(m, alias, Section.ADDITIONAL);
            for (Record r : alias.records()) {
                service(m, zone, (org.xbill.DNS.SVCBBase) r, done, depth + 1);
            }
        }
    }

    /** LP's target (RFC 6742): the name after the 16-bit preference. */
    private static Name lpTarget(Record r) {
        try {
            org.xbill.DNS.DNSInput in = new org.xbill.DNS.DNSInput(r.rdataToWireCanonical());
            in.jump(2);
            return new Name(in);
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * An RRset already looked up for additional data. Names compare ignoring case (dnsjava's
     * {@link Name#equals}), so no lower-cased text is made per lookup: answers not in the cache
     * are rendered on the event loop, and their garbage is what makes G1 grow the heap.
     */
    private record Added(Name name, int type) {}

    private void addresses(Message m, Zone zone, Name target, boolean glueOk, Set<Added> done) {
        extra(m, zone, target, Type.A, glueOk, done);
        extra(m, zone, target, Type.AAAA, glueOk, done);
    }

    /**
     * Adds the RRset at {@code name}/{@code type} to additional when the answering zone holds it
     * (glue only when {@code glueOk}: for NS records), as BIND does.
     */
    private void extra(Message m, Zone zone, Name name, int type, boolean glueOk, Set<Added> done) {
        if (name == null || !name.subdomain(zone.origin()) || !done.add(new Added(name, type))) {
            return;
        }
        RRset rrset;
        if (zone.belowCut(name)) {
            rrset = glueOk ? zone.rrset(name, type) : null;
        } else if (zone.rrset(name, type) != null) {
            rrset = zone.rrset(name, type);
        } else if (zone.lookup(name, type) instanceof LookupResult.Answer a && a.chain().isEmpty() && a.answer().size() == 1) {
            rrset = a.answer().get(0); // from a wildcard (RFC 4592), as BIND adds it
        } else {
            rrset = null;
        }
        if (rrset != null && !m.findRRset(name, type, Section.ANSWER)) {
            add(m, rrset, Section.ADDITIONAL);
        }
    }

    private static Name child(String labels, Name parent) {
        try {
            return new Name(labels, parent);
        } catch (org.xbill.DNS.TextParseException e) {
            return null; // too long: there is no such name
        }
    }

    /** Types whose answers BIND sends without the zone's NS in authority. */
    private static final Set<Integer> NO_AUTHORITY_TYPES = Set.of(Type.DNSKEY, Type.DS, Type.CDS, Type.CDNSKEY);

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
        // Too big. Extra data goes first (RFC 2181 §9: TC is for data the answer needs): the
        // additional section's RRsets, from the last.
        List<Record> extra = new ArrayList<>(m.getSection(Section.ADDITIONAL));
        extra.removeIf(r -> r.getType() == Type.OPT);
        while (!extra.isEmpty()) {
            Record last = extra.get(extra.size() - 1);
            extra.removeIf(r -> r.getType() == last.getType() && r.getName().equals(last.getName()));
            m.removeAllRecords(Section.ADDITIONAL);
            for (Record r : extra) {
                m.addRecord(r, Section.ADDITIONAL);
            }
            if (q.edns()) {
                m.addRecord(opt(q, rcode), Section.ADDITIONAL);
            }
            wire = m.toWire();
            if (wire.length <= q.maxResponseSize()) {
                return new Rendered(wire, rcode, zone, false);
            }
        }
        // Still too big (the authority section is kept or the whole is truncated, as BIND does):
        // TC with the question only (and OPT), so the requester retries over TCP.
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
