package dnsmig.server.query;

import dnsmig.server.zone.Zone;
import dnsmig.server.zone.ZoneIndex;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Rendered responses, so the common query costs a hash lookup and a copy: the key is what
 * shapes the response (question in lower case, type, class, EDNS, DO, RD, CD, transport, size
 * limit), the value the response with ID 0. A hit is served only while its zone is the one in
 * the index (a changed zone is a new object), so a change is never answered from stale bytes;
 * REFUSED answers hold only while no zone was added or removed.
 */
public final class ResponseCache {

    private final ZoneIndex index;
    private final int maxEntries;
    private final ConcurrentHashMap<Key, Entry> entries;
    private final AtomicInteger evictions = new AtomicInteger();

    public ResponseCache(ZoneIndex index, int maxEntries) {
        this.index = index;
        this.maxEntries = maxEntries;
        this.entries = new ConcurrentHashMap<>(Math.min(maxEntries, 1 << 16));
    }

    record Key(byte[] qname, int qtype, int qclass, int shape, int hash) {
        static Key of(Query q) {
            byte[] lower = q.qnameWire().clone();
            lowercase(lower);
            int shape = (q.edns() ? 1 : 0) | (q.dnssecOk() ? 2 : 0) | (q.recursionDesired() ? 4 : 0) | (q.checkingDisabled() ? 8 : 0)
                    | (q.tcp() ? 16 : 0) | q.maxResponseSize() << 5;
            int h = Arrays.hashCode(lower) * 31 + q.qtype();
            h = h * 31 + shape;
            return new Key(lower, q.qtype(), q.qclass(), shape, h);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && k.qtype == qtype && k.qclass == qclass && k.shape == shape && Arrays.equals(k.qname, qname);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    record Entry(byte[] wire, int rcode, Zone zone, long indexVersion) {}

    /** The cached response for {@code q} with its ID and question letter case, or null. */
    byte[] get(Query q, Key key) {
        Entry e = entries.get(key);
        if (e == null) {
            return null;
        }
        boolean valid = e.zone() != null ? index.get(e.zone().origin()) == e.zone() : index.version() == e.indexVersion();
        if (!valid) {
            entries.remove(key, e);
            return null;
        }
        byte[] out = e.wire().clone();
        out[0] = (byte) (q.id() >>> 8);
        out[1] = (byte) q.id();
        System.arraycopy(q.qnameWire(), 0, out, 12, q.qnameWire().length);
        return out;
    }

    int rcodeOf(Key key) {
        Entry e = entries.get(key);
        return e == null ? -1 : e.rcode();
    }

    void put(Key key, Responder.Rendered r, long indexVersion) {
        if (entries.size() >= maxEntries) {
            evictSome();
        }
        byte[] wire = r.wire().clone();
        wire[0] = 0;
        wire[1] = 0;
        entries.put(key, new Entry(wire, r.rcode(), r.zone(), indexVersion));
    }

    /** Drops about a tenth of the entries (whichever the iteration meets first). */
    private void evictSome() {
        int drop = Math.max(1, maxEntries / 10);
        Iterator<Key> it = entries.keySet().iterator();
        while (drop-- > 0 && it.hasNext()) {
            it.next();
            it.remove();
        }
        evictions.incrementAndGet();
    }

    public int size() {
        return entries.size();
    }

    static void lowercase(byte[] wireName) {
        int i = 0;
        while (i < wireName.length) {
            int len = wireName[i] & 0xFF;
            if (len == 0 || (len & 0xC0) != 0) {
                return;
            }
            for (int j = i + 1; j <= i + len && j < wireName.length; j++) {
                byte b = wireName[j];
                if (b >= 'A' && b <= 'Z') {
                    wireName[j] = (byte) (b + 32);
                }
            }
            i += len + 1;
        }
    }
}
