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
import org.xbill.DNS.Section;
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

    /** The message to send (ID 0: the asker sets it). */
    public byte[] toWire() {
        Message m = new Message(0);
        m.getHeader().setOpcode(Opcode.QUERY);
        if (rd) {
            m.getHeader().setFlag(Flags.RD);
        }
        if (cd) {
            m.getHeader().setFlag(Flags.CD);
        }
        m.addRecord(Record.newRecord(name, type, dclass), Section.QUESTION);
        if (ednsPayload >= 0) {
            m.addRecord(new OPTRecord(ednsPayload, 0, 0, dnssecOk ? org.xbill.DNS.ExtendedFlags.DO : 0), Section.ADDITIONAL);
        }
        return m.toWire();
    }

    /** "www.example.com./A" for logs and findings. */
    public String describe() {
        return name + "/" + Type.string(type);
    }
}
