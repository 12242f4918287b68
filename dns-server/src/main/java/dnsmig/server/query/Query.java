package dnsmig.server.query;

import java.io.IOException;
import java.util.Arrays;
import org.xbill.DNS.Name;

/**
 * A query that passed the guards: what the responder needs, read straight from the wire.
 *
 * <p>The question name as a dnsjava {@link Name} is made only when asked for: a query answered
 * from the response cache never needs it (the cache keys on the wire form).
 *
 * @param id the query's ID, echoed
 * @param flags the query's flags word (RD and CD are echoed)
 * @param qnameWire the question name as sent (letter case kept: the response echoes it)
 * @param qname the question name (null: made from {@code qnameWire} when first asked for)
 * @param edns whether the query had an OPT record (RFC 6891)
 * @param udpSize the requester's UDP payload size (512 without EDNS)
 * @param ednsVersion the EDNS version asked for (0 without EDNS)
 * @param dnssecOk the DO bit (RFC 3225), echoed
 * @param tcp whether it came over TCP (no size limit but 65535; ANY answered in full)
 */
public final class Query {

    static final int FLAG_RD = 0x0100;
    static final int FLAG_CD = 0x0010;

    private final int id;
    private final int flags;
    private final byte[] qnameWire;
    private Name qname;
    private final int qtype;
    private final int qclass;
    private final boolean edns;
    private final int udpSize;
    private final int ednsVersion;
    private final boolean dnssecOk;
    private final boolean tcp;

    public Query(int id, int flags, byte[] qnameWire, Name qname, int qtype, int qclass, boolean edns, int udpSize, int ednsVersion, boolean dnssecOk,
            boolean tcp) {
        this.id = id;
        this.flags = flags;
        this.qnameWire = qnameWire;
        this.qname = qname;
        this.qtype = qtype;
        this.qclass = qclass;
        this.edns = edns;
        this.udpSize = udpSize;
        this.ednsVersion = ednsVersion;
        this.dnssecOk = dnssecOk;
        this.tcp = tcp;
    }

    public int id() {
        return id;
    }

    public int flags() {
        return flags;
    }

    public byte[] qnameWire() {
        return qnameWire;
    }

    /** The question name (made from the wire form on first use; the parser has checked that form). */
    public Name qname() {
        Name n = qname;
        if (n == null) {
            try {
                n = new Name(qnameWire);
            } catch (IOException e) {
                throw new IllegalStateException("a question name the parser accepted does not read: " + Arrays.toString(qnameWire), e);
            }
            qname = n;
        }
        return n;
    }

    public int qtype() {
        return qtype;
    }

    public int qclass() {
        return qclass;
    }

    public boolean edns() {
        return edns;
    }

    public int udpSize() {
        return udpSize;
    }

    public int ednsVersion() {
        return ednsVersion;
    }

    public boolean dnssecOk() {
        return dnssecOk;
    }

    public boolean tcp() {
        return tcp;
    }

    public boolean recursionDesired() {
        return (flags & FLAG_RD) != 0;
    }

    public boolean checkingDisabled() {
        return (flags & FLAG_CD) != 0;
    }

    /** The largest response this requester takes: RFC 1035 512 octets, its EDNS size up to our 1232, or 65535 over TCP. */
    public int maxResponseSize() {
        if (tcp) {
            return 65535;
        }
        return edns ? Math.max(512, Math.min(udpSize, Responder.MAX_UDP_PAYLOAD)) : 512;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Query q && id == q.id && flags == q.flags && Arrays.equals(qnameWire, q.qnameWire) && qtype == q.qtype
                && qclass == q.qclass && edns == q.edns && udpSize == q.udpSize && ednsVersion == q.ednsVersion && dnssecOk == q.dnssecOk
                && tcp == q.tcp;
    }

    @Override
    public int hashCode() {
        return id * 31 + Arrays.hashCode(qnameWire);
    }

    @Override
    public String toString() {
        return "Query[" + qname() + " " + org.xbill.DNS.Type.string(qtype) + " " + org.xbill.DNS.DClass.string(qclass)
                + (edns ? " edns" + ednsVersion + "/" + udpSize : "") + (tcp ? " tcp" : "") + "]";
    }
}
