package dnsmig.server.mode;

import dnsmig.server.query.QueryParser;
import java.util.Locale;
import org.xbill.DNS.Name;

/**
 * The nameserver's serving mode, held in memory and read by every query: which queries go to the
 * legacy server. Changed by the mode follower (from the database) or the rollback watcher; a
 * change is one volatile write, seen by the next query.
 *
 * <p>The canary split is by query name, so a name is answered by the same side on every
 * nameserver at the same percentage, and raising the percentage only moves names from legacy to
 * new: a name goes to the new index when its {@linkplain #bucket bucket} (0..99) is below the
 * percentage.
 */
public final class ModeSwitch {

    private volatile ServingMode mode;

    public ModeSwitch(ServingMode initial) {
        this.mode = initial;
    }

    public ServingMode mode() {
        return mode;
    }

    public void set(ServingMode m) {
        this.mode = m;
    }

    /**
     * Whether this packet is answered by the legacy server: a query that passes the guards
     * ({@link QueryParser}) and, in canary mode, whose name's bucket is at or above the
     * percentage. What fails the guards (a malformed packet, an opcode other than QUERY, ...) is
     * answered here as the guards say, never forwarded: garbage would hold a slot of the bounded
     * forwarding until its timeout. Zone transfers (AXFR/IXFR) are always served here, under the
     * transfer policy.
     */
    public boolean toLegacy(byte[] packet, int length, boolean tcp) {
        ServingMode m = mode;
        if (m.kind() == ServingMode.Kind.NEW || length < 12 || (packet[2] & 0x80) != 0) {
            return false;
        }
        int end = questionNameEnd(packet, length);
        if (end < 0 || end + 2 > length) {
            return false;
        }
        int qtype = (packet[end] & 0xFF) << 8 | packet[end + 1] & 0xFF;
        if (qtype == 252 || qtype == 251) { // AXFR, IXFR
            return false;
        }
        if (m.kind() == ServingMode.Kind.CANARY && bucket(packet, 12, end) < m.percent()) {
            return false;
        }
        return QueryParser.parse(packet, length, tcp) instanceof QueryParser.Accept;
    }

    /** The offset just past the question's name, or -1 when there is no readable name (no question, a pointer, past the end). */
    static int questionNameEnd(byte[] p, int length) {
        if (((p[4] & 0xFF) << 8 | p[5] & 0xFF) == 0) {
            return -1;
        }
        int i = 12;
        while (i < length) {
            int l = p[i] & 0xFF;
            if (l == 0) {
                return i + 1;
            }
            if (l > 63) {
                return -1;
            }
            i += l + 1;
        }
        return -1;
    }

    /**
     * The name's bucket, 0..99: FNV-1a (32 bit) over the name in wire form, letters lowered,
     * modulo 100. Fixed forever: changing it would move names between sides mid-canary.
     */
    static int bucket(byte[] wire, int from, int to) {
        int h = 0x811C9DC5;
        for (int i = from; i < to; i++) {
            int b = wire[i] & 0xFF;
            if (b >= 'A' && b <= 'Z') {
                b += 32;
            }
            h ^= b;
            h *= 0x01000193;
        }
        return Integer.remainderUnsigned(h, 100);
    }

    /** The bucket of a name (0..99), as the switch computes it from a query. */
    public static int bucket(Name name) {
        byte[] w = name.toWire();
        return bucket(w, 0, w.length);
    }

    /** The bucket of a name in presentation form ("www.example.com."). */
    public static int bucket(String name) {
        try {
            return bucket(Name.fromString(name.toLowerCase(Locale.ROOT), Name.root));
        } catch (org.xbill.DNS.TextParseException e) {
            throw new IllegalArgumentException("not a domain name: " + name, e);
        }
    }
}
