package dnsmig.verify.source;

import java.io.IOException;
import java.time.Instant;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * One live query to replay: what was asked (name, type, class, the RD and CD flags, EDNS with
 * its payload size and DO bit), which nameserver was asked, and when.
 *
 * @param nameserver the nameserver the query was sent to (dnstap identity, capture address, or --nameserver)
 * @param ednsPayload the EDNS UDP payload size, or -1 without EDNS
 */
public record Query(Name name, int type, int dclass, boolean rd, boolean cd, int ednsPayload, boolean dnssecOk, String nameserver, Instant at) {

    /** A plain question (no RD, EDNS 1232 without DO), as probes and query lists ask. */
    public static Query of(Name name, int type, String nameserver, Instant at) {
        return new Query(name, type, DClass.IN, false, false, 1232, false, nameserver, at);
    }

    /**
     * The query in a DNS message as a client sent it; null for what is not a replayable query
     * (a response, an opcode other than QUERY, no question, zone transfers and updates).
     *
     * @throws IOException when the bytes are not a DNS message
     */
    public static Query fromWire(byte[] wire, String nameserver, Instant at) throws IOException {
        Message m = new Message(wire);
        if (m.getHeader().getFlag(Flags.QR) || m.getHeader().getOpcode() != Opcode.QUERY) {
            return null;
        }
        Record q = m.getQuestion();
        if (q == null || q.getType() == Type.AXFR || q.getType() == Type.IXFR) {
            return null;
        }
        OPTRecord opt = m.getOPT();
        return new Query(q.getName(), q.getType(), q.getDClass(), m.getHeader().getFlag(Flags.RD), m.getHeader().getFlag(Flags.CD),
                opt == null ? -1 : Math.max(512, opt.getPayloadSize()), opt != null && (opt.getFlags() & org.xbill.DNS.ExtendedFlags.DO) != 0, nameserver, at);
    }

    /**
     * The message to send (ID 0: the asker sets it): the header (opcode QUERY, RD and CD as asked), the
     * question with the name in its letter case, and an OPT record when the query had EDNS. Written
     * directly (this runs per replayed query); the same bytes as dnsjava's {@code Message.toWire()}.
     */
    public byte[] toWire() {
        byte[] qname = name.toWire();
        byte[] m = new byte[12 + qname.length + 4 + (ednsPayload >= 0 ? 11 : 0)];
        m[2] = (byte) (rd ? 0x01 : 0); // QR 0, opcode QUERY, RD
        m[3] = (byte) (cd ? 0x10 : 0); // CD
        m[5] = 1; // QDCOUNT
        m[11] = (byte) (ednsPayload >= 0 ? 1 : 0); // ARCOUNT
        System.arraycopy(qname, 0, m, 12, qname.length);
        int p = 12 + qname.length;
        m[p] = (byte) (type >> 8);
        m[p + 1] = (byte) type;
        m[p + 2] = (byte) (dclass >> 8);
        m[p + 3] = (byte) dclass;
        if (ednsPayload >= 0) {
            p += 4;
            // root owner, type OPT, class = payload size, TTL = extended rcode 0, version 0, DO; no options
            m[p + 2] = (byte) (Type.OPT);
            m[p + 3] = (byte) (ednsPayload >> 8);
            m[p + 4] = (byte) ednsPayload;
            m[p + 7] = (byte) (dnssecOk ? 0x80 : 0);
        }
        return m;
    }

    /** "www.example.com./A" for logs and findings. */
    public String describe() {
        return name + "/" + Type.string(type);
    }
}
