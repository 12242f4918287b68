package dnsmig.verify.store;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import dnsmig.store.VerifyStore.ZoneRef;

/** The record store's zones by name: which zone (and owner) a query name belongs to, by longest suffix. */
public final class ZoneDirectory {

    /** By name; dnsjava's names are equal and hash alike regardless of letter case. */
    private final Map<Name, ZoneRef> byName = new HashMap<>();

    /** The store's zones now. */
    public static ZoneDirectory of(dnsmig.store.VerifyStore store) {
        return new ZoneDirectory(store.zones());
    }

    public ZoneDirectory(List<ZoneRef> zones) {
        for (ZoneRef z : zones) {
            try {
                byName.put(Name.fromString(z.name(), Name.root), z);
            } catch (TextParseException e) {
                throw new IllegalArgumentException("zone '" + z.name() + "' in the record store is not a domain name: " + e.getMessage(), e);
            }
        }
    }

    /** The zone holding {@code qname} (the closest enclosing one), or null. Runs per replayed query: no text is made. */
    public ZoneRef find(Name qname) {
        int labels = qname.labels();
        for (int i = 0; i < labels; i++) {
            ZoneRef z = byName.get(i == 0 ? qname : new Name(qname, i));
            if (z != null) {
                return z;
            }
        }
        return qname.isAbsolute() ? null : byName.get(Name.root);
    }

    public java.util.Collection<ZoneRef> zones() {
        return byName.values();
    }

    public int size() {
        return byName.size();
    }
}
