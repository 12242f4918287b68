package dnsmig.server.zone;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.xbill.DNS.Name;

/**
 * Every zone the server answers for, by name. Readers (the query path) never lock: zones are
 * immutable and replaced whole when they change.
 */
public final class ZoneIndex {

    private final ConcurrentHashMap<Name, Zone> zones = new ConcurrentHashMap<>();
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong version = new AtomicLong();

    /** The zone that holds {@code qname}: the one with the longest origin that is a suffix of it. */
    public Zone find(Name qname) {
        if (zones.isEmpty()) {
            return null;
        }
        for (int strip = 0; strip < qname.labels(); strip++) {
            Zone z = zones.get(strip == 0 ? qname : new Name(qname, strip));
            if (z != null) {
                return z;
            }
        }
        return null;
    }

    public Zone get(Name origin) {
        return zones.get(origin);
    }

    /** Adds or replaces a zone. */
    public void put(Zone zone) {
        Zone old = zones.put(zone.origin(), zone);
        records.addAndGet(zone.recordCount() - (old == null ? 0 : old.recordCount()));
        version.incrementAndGet();
    }

    /** Stops answering for a zone (deleted, or no longer servable). */
    public void remove(Name origin) {
        Zone old = zones.remove(origin);
        if (old != null) {
            records.addAndGet(-old.recordCount());
            version.incrementAndGet();
        }
    }

    public Collection<Zone> zones() {
        return zones.values();
    }

    public int zoneCount() {
        return zones.size();
    }

    public long recordCount() {
        return records.get();
    }

    /** Moves whenever a zone is added, replaced or removed. */
    public long version() {
        return version.get();
    }
}
