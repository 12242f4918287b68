package dnsmig.server.zone;

import org.xbill.DNS.Type;

/**
 * One owner name of a zone: its RRsets, or none at all for an empty non-terminal (a name that
 * exists only because names below it do, RFC 4592 §2.2.2).
 */
final class Node {

    private static final RRset[] NONE = {};

    private RRset[] rrsets = NONE;

    RRset get(int type) {
        for (RRset r : rrsets) {
            if (r.type() == type) {
                return r;
            }
        }
        return null;
    }

    RRset[] all() {
        return rrsets;
    }

    boolean isEmpty() {
        return rrsets.length == 0;
    }

    void put(RRset rrset) {
        for (int i = 0; i < rrsets.length; i++) {
            if (rrsets[i].type() == rrset.type()) {
                rrsets[i] = rrset;
                return;
            }
        }
        RRset[] grown = java.util.Arrays.copyOf(rrsets, rrsets.length + 1);
        grown[rrsets.length] = rrset;
        rrsets = grown;
    }

    /** NS here makes a zone cut, unless this is the apex. */
    boolean hasNs() {
        return get(Type.NS) != null;
    }
}
