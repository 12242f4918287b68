package dnsmig.server.query;

import dnsmig.server.zone.Zone;
import dnsmig.server.zone.ZoneIndex;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Rendered responses, so the common query costs a hash, a compare and a copy: the key is what
 * shapes the response (question in lower case, type, class, EDNS, DO, RD, CD, transport, size
 * limit), the value the response without its ID and question, which are the asker's. A hit is
 * served only while its zone is the one in the index (a changed zone is a new object), so a
 * change is never answered from stale bytes; REFUSED answers hold only while no zone was added
 * or removed.
 *
 * <p>A fixed table, four-way set-associative: a question has four neighbouring slots, and a new
 * response takes a free one, else one not asked for since the last time it was passed over
 * (a clock in each set). Nothing to evict and no per-entry bookkeeping: memory is one reference
 * per slot plus the entries, and a lookup never allocates. Readers and writers do not lock: a
 * slot holds an immutable entry, so a reader sees the old one or the new one.
 *
 * <p>Why four: with two ways, a set that three of the questions asked hash to keeps missing one
 * of them for ever. At the bench's load (190,000 distinct questions in the default 1M slots) that
 * was ~3 % of all queries rendered anew, each leaving 1–3 KB of garbage, and each of those puts
 * dirtied the table for the next young collection to scan. With four ways about a tenth as many
 * questions are left out (~300 instead of ~3,400 expected there; ResponseCacheTest: 6 against 39).
 */
public final class ResponseCache {

    private static final int WAYS = 4;

    private final ZoneIndex index;
    private final Entry[] slots;
    private final int mask;
    private final AtomicInteger used = new AtomicInteger();

    /** @param maxEntries responses kept at most (rounded up to a power of two) */
    public ResponseCache(ZoneIndex index, int maxEntries) {
        this.index = index;
        int n = Integer.highestOneBit(Math.max(WAYS, maxEntries - 1)) << 1;
        this.slots = new Entry[n];
        this.mask = n - WAYS; // the first slot of a set
    }

    /**
     * One cached response: the key (question in lower case, type and class, shape) and the
     * response bytes without the question, which starts at offset 12 and is the asker's.
     */
    private static final class Entry {
        final int hash;
        final int typeAndClass;
        final int shape;
        final int qnameLength;
        final int rcode;
        /** The question name in lower case, then the response's header and everything after its question. */
        final byte[] bytes;
        final Zone zone;
        final long indexVersion;
        volatile boolean recent;

        Entry(int hash, int typeAndClass, int shape, int qnameLength, int rcode, byte[] bytes, Zone zone, long indexVersion) {
            this.hash = hash;
            this.typeAndClass = typeAndClass;
            this.shape = shape;
            this.qnameLength = qnameLength;
            this.rcode = rcode;
            this.bytes = bytes;
            this.zone = zone;
            this.indexVersion = indexVersion;
        }

        boolean matches(int hash, int typeAndClass, int shape, byte[] qname) {
            if (this.hash != hash || this.typeAndClass != typeAndClass || this.shape != shape || qnameLength != qname.length) {
                return false;
            }
            for (int i = 0; i < qnameLength; i++) {
                if (bytes[i] != lower(qname[i])) {
                    return false;
                }
            }
            return true;
        }
    }

    private static int shape(Query q) {
        return (q.edns() ? 1 : 0) | (q.dnssecOk() ? 2 : 0) | (q.recursionDesired() ? 4 : 0) | (q.checkingDisabled() ? 8 : 0) | (q.tcp() ? 16 : 0)
                | q.maxResponseSize() << 5;
    }

    private static int hash(byte[] qname, int typeAndClass, int shape) {
        int h = 0x811C9DC5;
        for (byte b : qname) {
            h = (h ^ lower(b)) * 0x01000193;
        }
        h = (h ^ typeAndClass) * 0x01000193;
        h = (h ^ shape) * 0x01000193;
        return h ^ (h >>> 16);
    }

    /**
     * ASCII lower case of one octet of a wire-form name. Length octets are below 64, so they
     * never change; label octets compare as names do (RFC 4343).
     */
    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }

    /** The cached response for {@code q}, with its ID and its question as asked, or null. */
    byte[] get(Query q) {
        byte[] qname = q.qnameWire();
        int tc = q.qtype() << 16 | q.qclass();
        int shape = shape(q);
        int h = hash(qname, tc, shape);
        int at = h & mask;
        Entry e = null;
        for (int i = at; i < at + WAYS; i++) {
            Entry candidate = slots[i];
            if (candidate != null && candidate.matches(h, tc, shape, qname)) {
                e = candidate;
                break;
            }
        }
        if (e == null) {
            return null;
        }
        boolean valid = e.zone != null ? index.get(e.zone.origin()) == e.zone : index.version() == e.indexVersion;
        if (!valid) {
            return null; // a changed zone: the caller renders anew and the new response takes the slot
        }
        if (!e.recent) {
            e.recent = true;
        }
        int ql = e.qnameLength;
        byte[] b = e.bytes;
        int tail = b.length - ql - 12;
        byte[] out = new byte[12 + ql + 4 + tail];
        System.arraycopy(b, ql, out, 0, 12);
        out[0] = (byte) (q.id() >>> 8);
        out[1] = (byte) q.id();
        System.arraycopy(qname, 0, out, 12, ql);
        out[12 + ql] = (byte) (q.qtype() >>> 8);
        out[13 + ql] = (byte) q.qtype();
        out[14 + ql] = (byte) (q.qclass() >>> 8);
        out[15 + ql] = (byte) q.qclass();
        System.arraycopy(b, ql + 12, out, 16 + ql, tail);
        return out;
    }

    void put(Query q, Responder.Rendered r, long indexVersion) {
        byte[] qname = q.qnameWire();
        byte[] wire = r.wire();
        int ql = qname.length;
        if (wire.length < 16 + ql || QueryParser.u16(wire, 4) != 1) {
            return; // not one question as asked: not cached
        }
        int tc = q.qtype() << 16 | q.qclass();
        int shape = shape(q);
        int h = hash(qname, tc, shape);
        byte[] bytes = new byte[ql + wire.length - 4 - ql];
        for (int i = 0; i < ql; i++) {
            bytes[i] = lower(qname[i]);
        }
        System.arraycopy(wire, 0, bytes, ql, 12);
        bytes[ql] = 0; // the ID is the asker's
        bytes[ql + 1] = 0;
        System.arraycopy(wire, 16 + ql, bytes, ql + 12, wire.length - 16 - ql);
        Entry fresh = new Entry(h, tc, shape, ql, r.rcode(), bytes, r.zone(), indexVersion);
        int at = h & mask;
        int into = slotFor(at, h, tc, shape, qname);
        if (slots[into] == null) {
            used.incrementAndGet();
        }
        slots[into] = fresh;
    }

    /**
     * Where a new response for this question goes in the set starting at {@code at}: the slot of
     * the same question if there is one; else an empty one; else the first not asked for since
     * it was last passed over, clearing the flag of those passed over on the way (so each goes
     * next time unless asked for meanwhile); else, all asked for, the first.
     */
    private int slotFor(int at, int h, int tc, int shape, byte[] qname) {
        int free = -1;
        for (int i = at; i < at + WAYS; i++) {
            Entry e = slots[i];
            if (e == null) {
                if (free < 0) {
                    free = i;
                }
            } else if (e.matches(h, tc, shape, qname)) {
                return i;
            }
        }
        if (free >= 0) {
            return free;
        }
        for (int i = at; i < at + WAYS; i++) {
            Entry e = slots[i];
            if (!e.recent) {
                return i;
            }
            e.recent = false;
        }
        return at;
    }

    /** Responses held (slots in use; a response of a zone that changed since holds its slot until it is replaced). */
    public int size() {
        return used.get();
    }

    /** Responses held at most. */
    public int capacity() {
        return slots.length;
    }

    @Override
    public String toString() {
        return "ResponseCache[" + size() + " of " + slots.length + "]";
    }
}
