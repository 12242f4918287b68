package dnsmig.server.query;

import java.io.IOException;
import java.util.Arrays;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The guards a packet passes before any lookup, each with a fixed fate (NSD's query_process,
 * miekg/dns's acceptfunc), in this order:
 *
 * <ol>
 *   <li>shorter than a header, or a response (QR=1): dropped, never answered (RFC 1035 §4.1.1);
 *   <li>opcode other than QUERY: NOTIMP (RFC 1035 §4.1.1; RFC 1996 §3.2 for NOTIFY);
 *   <li>QDCOUNT other than 1, or a question that does not parse: FORMERR;
 *   <li>a meta type asked as data (OPT, TSIG, TKEY): FORMERR; MAILA/MAILB: NOTIMP;
 *   <li>class ANY or NONE: FORMERR; a class other than IN: REFUSED (we hold only IN data);
 *   <li>more than one OPT, or an OPT not owned by the root: FORMERR (RFC 6891 §6.1.1);
 *   <li>an EDNS version above 0: BADVERS (RFC 6891 §6.1.3).
 * </ol>
 *
 * Bytes after the records the header announces are ignored, as BIND does. The common query
 * (one question, at most one OPT) is read directly from the bytes; anything else goes through
 * dnsjava's full parser.
 */
public final class QueryParser {

    private QueryParser() {}

    /** What to do with a packet. */
    public sealed interface Acceptance {}

    /** Answer this query. {@code message} is the fully parsed packet when it had more than the common parts (e.g. TSIG). */
    public record Accept(Query query, Message message) implements Acceptance {}

    /** Send this error response. */
    public record Reject(byte[] response, int rcode) implements Acceptance {}

    /** Do not answer at all. */
    public record Drop(String reason) implements Acceptance {}

    private static final int OPT = Type.OPT;

    public static Acceptance parse(byte[] p, int len, boolean tcp) {
        if (len < 12) {
            return new Drop("shorter than a DNS header");
        }
        int id = u16(p, 0);
        int flags = u16(p, 2);
        if ((flags & 0x8000) != 0) {
            return new Drop("a response, not a query");
        }
        int opcode = (flags >>> 11) & 0xF;
        if (opcode != Opcode.QUERY) {
            return new Reject(header(id, flags, Rcode.NOTIMP), Rcode.NOTIMP);
        }
        int qd = u16(p, 4);
        int an = u16(p, 6);
        int ns = u16(p, 8);
        int ar = u16(p, 10);
        if (qd != 1) {
            return new Reject(header(id, flags, Rcode.FORMERR), Rcode.FORMERR);
        }
        // The question name, labels only (a compression pointer here goes the slow way).
        int pos = 12;
        int nameLen = 0;
        boolean pointer = false;
        while (true) {
            if (pos >= len) {
                return formerr(id, flags);
            }
            int l = p[pos] & 0xFF;
            if (l == 0) {
                pos++;
                nameLen++;
                break;
            }
            if ((l & 0xC0) == 0xC0) {
                pointer = true;
                break;
            }
            if ((l & 0xC0) != 0) {
                return formerr(id, flags); // extended label types (RFC 6891 §5)
            }
            nameLen += l + 1;
            if (nameLen > 254) {
                return formerr(id, flags);
            }
            pos += l + 1;
        }
        if (pointer || an != 0 || ns != 0 || ar > 1) {
            return slow(p, len, tcp, id, flags);
        }
        if (pos + 4 > len) {
            return formerr(id, flags);
        }
        byte[] qnameWire = Arrays.copyOfRange(p, 12, pos);
        int qtype = u16(p, pos);
        int qclass = u16(p, pos + 2);
        int questionEnd = pos + 4;
        boolean edns = false;
        int udpSize = 512;
        int version = 0;
        boolean dnssecOk = false;
        if (ar == 1) {
            int o = questionEnd;
            // OPT: root owner (one zero octet), TYPE 41, CLASS = UDP size, TTL = ext-rcode/version/flags, RDLENGTH, options.
            if (o + 11 > len || p[o] != 0 || u16(p, o + 1) != OPT) {
                return slow(p, len, tcp, id, flags);
            }
            udpSize = u16(p, o + 3);
            version = p[o + 6] & 0xFF;
            dnssecOk = (p[o + 7] & 0x80) != 0;
            int rdlen = u16(p, o + 9);
            if (o + 11 + rdlen > len || !optionsWellFormed(p, o + 11, rdlen)) {
                return formerr(id, flags);
            }
            edns = true;
        }
        // The label walk above checked the name (label lengths, 255 octets); its Name is made
        // only if the answer is not cached.
        Query q = new Query(id, flags, qnameWire, null, qtype, qclass, edns, udpSize, version, dnssecOk, tcp);
        return guard(q, null);
    }

    /** The guards that need the question; shared by both paths. */
    private static Acceptance guard(Query q, Message message) {
        int t = q.qtype();
        if (t == Type.OPT || t == Type.TSIG || t == Type.TKEY) {
            return reject(q, Rcode.FORMERR);
        }
        if (t == Type.MAILA || t == Type.MAILB) {
            return reject(q, Rcode.NOTIMP);
        }
        if (q.qclass() == DClass.ANY || q.qclass() == DClass.NONE) {
            return reject(q, Rcode.FORMERR);
        }
        if (q.qclass() != DClass.IN) {
            return reject(q, Rcode.REFUSED);
        }
        if (q.edns() && q.ednsVersion() > 0) {
            return reject(q, Rcode.BADVERS);
        }
        return new Accept(q, message);
    }

    /** Everything that is not the common query: dnsjava parses it all (or it is malformed). */
    private static Acceptance slow(byte[] p, int len, boolean tcp, int id, int flags) {
        Message m;
        try {
            m = new Message(Arrays.copyOf(p, len));
        } catch (IOException | RuntimeException e) {
            return formerr(id, flags);
        }
        Record question = m.getQuestion();
        if (question == null) {
            return formerr(id, flags);
        }
        OPTRecord opt = null;
        for (Record r : m.getSection(Section.ADDITIONAL)) {
            if (r.getType() == OPT) {
                if (opt != null || !r.getName().equals(Name.root)) {
                    return formerr(id, flags);
                }
                opt = (OPTRecord) r;
            }
        }
        Name qname = question.getName();
        Query q = new Query(id, flags, qname.toWire(), qname, question.getType(), question.getDClass(), opt != null,
                opt == null ? 512 : opt.getPayloadSize(), opt == null ? 0 : opt.getVersion(), opt != null && (opt.getFlags() & 0x8000) != 0, tcp);
        return guard(q, m);
    }

    private static boolean optionsWellFormed(byte[] p, int at, int rdlen) {
        int end = at + rdlen;
        int o = at;
        while (o < end) {
            if (o + 4 > end) {
                return false;
            }
            o += 4 + u16(p, o + 2);
        }
        return o == end;
    }

    private static Acceptance formerr(int id, int flags) {
        return new Reject(header(id, flags, Rcode.FORMERR), Rcode.FORMERR);
    }

    private static Acceptance reject(Query q, int rcode) {
        return new Reject(Responder.errorResponse(q, rcode), rcode);
    }

    /** A bare response header: ID, opcode and RD echoed, QR set, no sections. */
    static byte[] header(int id, int queryFlags, int rcode) {
        byte[] h = new byte[12];
        int flags = 0x8000 | (queryFlags & 0x7800) | (queryFlags & Query.FLAG_RD) | (rcode & 0xF);
        h[0] = (byte) (id >>> 8);
        h[1] = (byte) id;
        h[2] = (byte) (flags >>> 8);
        h[3] = (byte) flags;
        return h;
    }

    static int u16(byte[] p, int at) {
        return (p[at] & 0xFF) << 8 | (p[at + 1] & 0xFF);
    }

    /** For tests and tools: parse a whole datagram. */
    public static Acceptance parse(byte[] p, boolean tcp) {
        return parse(p, p.length, tcp);
    }
}
