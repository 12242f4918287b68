package dnsmig.legacy;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * Changes to the RRsets of one zone, applied together or not at all (one RFC 2136 UPDATE, or one
 * rewrite of the zone file).
 *
 * @param zone    the zone, any case, with or without the final dot
 * @param changes at most one change per RRset
 * @param origin  who asks, recorded in the write journal ({@code "reconcile"}, {@code "api"}, ...)
 */
public record ChangeSet(String zone, List<RRsetChange> changes, String origin) {

    public ChangeSet {
        String z = zone.strip().toLowerCase(Locale.ROOT);
        zone = z.endsWith(".") ? z : z + ".";
        changes = List.copyOf(changes);
        if (changes.isEmpty()) {
            throw new IllegalArgumentException("empty change set for " + zone);
        }
        Name apex = name(zone);
        Set<String> seen = new HashSet<>();
        for (RRsetChange c : changes) {
            if (!c.name().subdomain(apex)) {
                throw new IllegalArgumentException(c.name() + " is not in zone " + zone);
            }
            if (!seen.add(c.rrset().toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("two changes to " + c.rrset() + " in one change set");
            }
        }
    }

    public Name apex() {
        return name(zone);
    }

    private static Name name(String zone) {
        try {
            return Name.fromString(zone);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a zone name: " + zone, e);
        }
    }

    @Override
    public String toString() {
        return zone + " " + changes + " (" + origin + ")";
    }
}
