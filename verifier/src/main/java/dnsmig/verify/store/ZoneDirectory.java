package dnsmig.verify.store;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.xbill.DNS.Name;
import dnsmig.store.VerifyStore.ZoneRef;

/** The record store's zones by name: which zone (and owner) a query name belongs to, by longest suffix. */
public final class ZoneDirectory {

    private final Map<String, ZoneRef> byName = new HashMap<>();

    /** The store's zones now. */
    public static ZoneDirectory of(dnsmig.store.VerifyStore store) {
        return new ZoneDirectory(store.zones());
    }

    public ZoneDirectory(List<ZoneRef> zones) {
        for (ZoneRef z : zones) {
            byName.put(z.name(), z);
        }
    }

    /** The zone holding {@code qname} (the closest enclosing one), or null. */
    public ZoneRef find(Name qname) {
        String s = qname.toString().toLowerCase(Locale.ROOT);
        if (!s.endsWith(".")) {
            s = s + ".";
        }
        int i = 0;
        while (true) {
            ZoneRef z = byName.get(i == 0 ? s : s.substring(i));
            if (z != null) {
                return z;
            }
            int dot = nextLabel(s, i);
            if (dot < 0) {
                return byName.get(".");
            }
            i = dot;
        }
    }

    /** Index just past the next unescaped dot at or after {@code from}, or -1 at the end. */
    private static int nextLabel(String s, int from) {
        for (int i = from; i < s.length() - 1; i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '.') {
                return i + 1;
            }
        }
        return -1;
    }

    public java.util.Collection<ZoneRef> zones() {
        return byName.values();
    }

    public int size() {
        return byName.size();
    }
}
