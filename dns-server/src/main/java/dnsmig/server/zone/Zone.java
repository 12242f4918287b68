package dnsmig.server.zone;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNAMERecord;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * One zone in memory, immutable once built: every owner name with its RRsets, the empty
 * non-terminals between them, and the lookup of RFC 1034 §4.3.2 with wildcards (RFC 4592) and
 * DNAME (RFC 6672). A change to the zone builds a new {@code Zone}; readers never lock.
 *
 * <p>Compact, because a provider's million records live here: no object per name or record.
 * Owner names are kept relative to the origin, lower-case, in wire form, one after another in
 * one array, found through an open-addressing table of node numbers; each node's RRsets are its
 * slice of one byte array (type, TTL, count, then each record's uncompressed wire rdata with the
 * letter case it was stored with). {@link RRset}s and dnsjava {@link Record}s are made from
 * those bytes when a lookup needs them, which, with rendered answers cached, is once per distinct
 * question. About 40 bytes per record instead of about 500 as objects.
 */
public final class Zone {

    /** How many CNAME/DNAME steps one answer holds at most: BIND restarts a query 11 times, then gives up (SERVFAIL). */
    static final int MAX_CHAIN = 12;

    private static final Name WILD = Name.fromConstantString("*");
    /** An RRset's record count, and the flag saying each record carries its own TTL (RRSIGs: each has its covered RRset's). */
    private static final int COUNT = 0x7FFFFFFF;
    private static final int OWN_TTLS = 0x80000000;
    /** An RRset's header: type (16 bits), TTL (32), flag and count (32). */
    private static final int HEADER = 10;

    private final Name origin;
    /** The origin in wire form, lower case. */
    private final byte[] originWire;
    private final int originLabels;
    private final long serial;
    private final RRset soa;
    private final RRset negativeSoa;
    private final RRset apexNs;
    private final boolean hasWildcards;
    private final boolean hasDnames;
    private final long generation;
    private final int recordCount;
    /** NSEC3 RRsets (and their signatures), outside the name tree. */
    private final List<RRset> nsec3;

    /** Node i's owner name relative to the origin: {@code keys[keyStart[i], keyStart[i + 1])}, wire labels, lower case. Node 0 is the apex. */
    private final byte[] keys;
    private final int[] keyStart;
    /** Open addressing (linear probing) on the relative name: node number + 1, 0 for a free slot. */
    private final int[] slots;
    /** Node i's RRsets: {@code data[dataStart[i], dataStart[i + 1])}; none for an empty non-terminal. */
    private final byte[] data;
    private final int[] dataStart;

    private Zone(Name origin, long serial, boolean hasWildcards, boolean hasDnames, long generation, int recordCount, List<RRset> nsec3, byte[] keys,
            int[] keyStart, int[] slots, byte[] data, int[] dataStart) {
        this.origin = origin;
        this.originWire = origin.toWireCanonical();
        this.originLabels = origin.labels();
        this.serial = serial;
        this.hasWildcards = hasWildcards;
        this.hasDnames = hasDnames;
        this.generation = generation;
        this.recordCount = recordCount;
        this.nsec3 = nsec3;
        this.keys = keys;
        this.keyStart = keyStart;
        this.slots = slots;
        this.data = data;
        this.dataStart = dataStart;
        this.soa = rrsetAt(0, Type.SOA, origin);
        this.apexNs = rrsetAt(0, Type.NS, origin);
        SOARecord s = (SOARecord) soa.first();
        // RFC 2308 §3: the SOA in a negative answer carries min(SOA TTL, SOA MINIMUM).
        long negTtl = Math.min(soa.ttl(), s.getMinimum());
        this.negativeSoa = negTtl == soa.ttl() ? soa
                : new RRset(origin, Type.SOA, negTtl, List.of(new SOARecord(origin, s.getDClass(), negTtl, s.getHost(), s.getAdmin(), s.getSerial(),
                        s.getRefresh(), s.getRetry(), s.getExpire(), s.getMinimum())));
    }

    public Name origin() {
        return origin;
    }

    public long serial() {
        return serial;
    }

    public RRset soa() {
        return soa;
    }

    /** Apex NS RRset (a servable zone has one). */
    public RRset apexNs() {
        return apexNs;
    }

    /** Changes every time the zone is rebuilt: keys rendered-answer caches. */
    public long generation() {
        return generation;
    }

    public int recordCount() {
        return recordCount;
    }

    /** Names in the zone, empty non-terminals included. */
    public int nameCount() {
        return dataStart.length - 1;
    }

    /** Bytes the zone's names and records take (the arrays, not the few objects around them). */
    public long footprint() {
        return keys.length + 4L * keyStart.length + 4L * slots.length + data.length + 4L * dataStart.length;
    }

    /**
     * Every RRset of the zone, apex first (for zone transfers). The other names follow in no
     * particular order (the order they were loaded in): RFC 5936 §2.2 asks for none, and sorting
     * a large zone for every transfer costs time for nothing.
     */
    public List<RRset> allRRsets() {
        List<RRset> out = new ArrayList<>(recordCount);
        allAt(0, origin, out);
        for (int i = 1, n = nameCount(); i < n; i++) {
            if (dataStart[i] != dataStart[i + 1]) {
                allAt(i, nameOf(i), out);
            }
        }
        out.addAll(nsec3);
        return out;
    }

    /** The RRset at exactly this name, authoritative data or glue alike (for additional-section processing). */
    public RRset rrset(Name name, int type) {
        Labels l = labels(name);
        if (l == null) {
            return null;
        }
        int node = find(l.wire, 0, l.relEnd);
        return node < 0 ? null : rrsetAt(node, type, null);
    }

    /**
     * Whether {@code name} lies at or below a zone cut of this zone, or below a DNAME (data there
     * is occluded, RFC 6672 §2.4): glue, not authoritative data.
     */
    public boolean belowCut(Name name) {
        Labels l = labels(name);
        if (l == null) {
            return false;
        }
        for (int strip = l.rel - 1; strip >= 0; strip--) {
            int node = find(l.wire, l.offsets[strip], l.relEnd);
            if (node < 0) {
                return false;
            }
            if (has(node, Type.NS) || (strip > 0 && has(node, Type.DNAME))) {
                return true;
            }
        }
        return false;
    }

    /** Looks {@code qname} (a name at or below the origin) up for {@code qtype}, following chains within this zone only. */
    public LookupResult lookup(Name qname, int qtype) {
        return lookup(qname, qtype, name -> name.subdomain(origin) ? this : null);
    }

    /**
     * Looks {@code qname} (at or below the origin) up for {@code qtype}. A CNAME or DNAME chain is
     * followed while its target belongs to this zone, that is while {@code zones} (the server's
     * zone for a name) gives this zone: a target in a child zone we also serve, another zone or
     * none ends the answer with the chain, as BIND does.
     */
    public LookupResult lookup(Name qname, int qtype, java.util.function.Function<Name, Zone> zones) {
        List<RRset> chain = new ArrayList<>(0);
        Set<Name> seen = new HashSet<>();
        Name name = qname;
        Zone zone = this;
        for (int step = 0; ; step++) {
            Step s = zone.lookupOnce(name, qtype, chain);
            if (s.result() != null) {
                return s.result();
            }
            Name target = s.follow();
            if (zones.apply(target) != zone) {
                return new LookupResult.Answer(List.copyOf(chain), List.of(), false, zone); // the chain leaves the zone
            }
            if (!seen.add(target) || target.equals(qname)) {
                return new LookupResult.Broken(List.copyOf(chain), "CNAME loop at " + target, zone);
            }
            if (step + 1 >= MAX_CHAIN) {
                return new LookupResult.Broken(List.copyOf(chain), "CNAME chain longer than " + MAX_CHAIN, zone);
            }
            name = target;
        }
    }

    /** One step of a lookup: a result, or a CNAME/DNAME target to continue at (the chain grew). */
    private record Step(LookupResult result, Name follow) {
        static Step of(LookupResult r) {
            return new Step(r, null);
        }

        static Step follow(Name target) {
            return new Step(null, target);
        }
    }

    private Step lookupOnce(Name qname, int qtype, List<RRset> chain) {
        Labels l = labels(qname);
        if (l == null) {
            // Not below the origin: the callers never ask; answer as for a name that is not here.
            return Step.of(new LookupResult.NxDomain(List.copyOf(chain), negativeSoa, this));
        }
        if (hasDnames && l.rel > 0) {
            RRset apexDname = rrsetAt(0, Type.DNAME, null);
            if (apexDname != null) {
                return dname(qname, apexDname, chain); // a DNAME at the apex redirects every name below it (RFC 6672 §2.3)
            }
        }
        int closest = 0; // the apex
        int closestStrip = l.rel;
        // Walk down from the apex, one label at a time (RFC 1034 §4.3.2 step 3).
        for (int strip = l.rel - 1; strip >= 0; strip--) {
            int node = find(l.wire, l.offsets[strip], l.relEnd);
            if (node < 0) {
                return wildcardOrNxdomain(qname, qtype, l, closestStrip, chain);
            }
            boolean atName = strip == 0;
            // A zone cut: a referral, except that DS and NSEC at the cut are the parent's data
            // (RFC 4035 §2.4, §3.1.4.1), answered with authority.
            if (has(node, Type.NS) && !(atName && (qtype == Type.DS || qtype == Type.NSEC))) {
                return Step.of(delegation(node, chain));
            }
            if (!atName && hasDnames) {
                RRset dname = rrsetAt(node, Type.DNAME, null);
                if (dname != null) {
                    return dname(qname, dname, chain);
                }
            }
            closest = node;
            closestStrip = strip;
        }
        return answerAt(qname, closest, qtype, chain, false);
    }

    private Step answerAt(Name qname, int node, int qtype, List<RRset> chain, boolean wildcard) {
        Name owner = wildcard ? qname : null;
        if (qtype == Type.ANY) {
            if (dataStart[node] == dataStart[node + 1]) {
                return Step.of(new LookupResult.NoData(List.copyOf(chain), negativeSoa, this));
            }
            List<RRset> all = new ArrayList<>(4);
            allAt(node, owner == null ? nameOf(node) : owner, all);
            return Step.of(new LookupResult.Answer(List.copyOf(chain), all, wildcard, this));
        }
        RRset exact = rrsetAt(node, qtype, owner);
        if (exact != null) {
            return Step.of(new LookupResult.Answer(List.copyOf(chain), List.of(exact), wildcard, this));
        }
        RRset cname = qtype != Type.CNAME ? rrsetAt(node, Type.CNAME, owner) : null;
        if (cname != null) {
            chain.add(cname);
            return Step.follow(((CNAMERecord) cname.first()).getTarget());
        }
        return Step.of(new LookupResult.NoData(List.copyOf(chain), negativeSoa, this));
    }

    private Step wildcardOrNxdomain(Name qname, int qtype, Labels l, int closestStrip, List<RRset> chain) {
        if (hasWildcards) {
            // The source of synthesis: "*" under the closest encloser (RFC 4592 §3.3.1).
            int from = l.offsets[closestStrip];
            byte[] wild = new byte[2 + l.relEnd - from];
            wild[0] = 1;
            wild[1] = '*';
            System.arraycopy(l.wire, from, wild, 2, l.relEnd - from);
            int source = find(wild, 0, wild.length);
            if (source >= 0) {
                return answerAt(qname, source, qtype, chain, true);
            }
        }
        return Step.of(new LookupResult.NxDomain(List.copyOf(chain), negativeSoa, this));
    }

    private LookupResult delegation(int node, List<RRset> chain) {
        RRset ns = rrsetAt(node, Type.NS, null);
        List<RRset> glue = new ArrayList<>();
        for (Record r : ns.records()) {
            // Glue: addresses of NS targets that lie below a cut of this zone, this one's or
            // another's (sibling glue), as BIND sends them; not authoritative addresses.
            Name target = r.getAdditionalName();
            if (target != null && target.subdomain(origin) && belowCut(target)) {
                addIfPresent(glue, target, Type.A);
                addIfPresent(glue, target, Type.AAAA);
            }
        }
        return new LookupResult.Delegation(List.copyOf(chain), ns, List.copyOf(glue), this);
    }

    private void addIfPresent(List<RRset> out, Name name, int type) {
        RRset r = rrset(name, type);
        if (r != null && !out.contains(r)) {
            out.add(r);
        }
    }

    private Step dname(Name qname, RRset dname, List<RRset> chain) {
        DNAMERecord d = (DNAMERecord) dname.first();
        chain.add(dname);
        Name target;
        try {
            target = qname.fromDNAME(d);
        } catch (NameTooLongException e) {
            return Step.of(new LookupResult.NameTooLong(List.copyOf(chain), this));
        }
        // The synthesized CNAME carries the DNAME's TTL (RFC 6672 §3.1).
        chain.add(new RRset(qname, Type.CNAME, dname.ttl(), List.of(new CNAMERecord(qname, d.getDClass(), dname.ttl(), target))));
        return Step.follow(target);
    }

    // ------------------------------------------------------------------ the compact form

    /** A name's wire form (lower case), where its labels start, and how many lie below the origin. */
    private record Labels(byte[] wire, int[] offsets, int rel, int relEnd) {}

    /** The labels of {@code name}, or null when it is not at or below the origin. */
    private Labels labels(Name name) {
        int rel = name.labels() - originLabels;
        if (rel < 0) {
            return null;
        }
        byte[] w = name.toWireCanonical();
        int relEnd = w.length - originWire.length;
        if (relEnd < 0 || !Arrays.equals(w, relEnd, w.length, originWire, 0, originWire.length)) {
            return null;
        }
        int[] offsets = new int[rel + 1];
        int pos = 0;
        for (int i = 0; i < rel; i++) {
            offsets[i] = pos;
            pos += (w[pos] & 0xFF) + 1;
        }
        offsets[rel] = pos;
        if (pos != relEnd) {
            return null; // the origin's bytes, but not on a label boundary
        }
        return new Labels(w, offsets, rel, relEnd);
    }

    /** The node whose relative name is {@code w[from, to)}, or -1. */
    private int find(byte[] w, int from, int to) {
        int mask = slots.length - 1;
        for (int i = hash(w, from, to) & mask; ; i = (i + 1) & mask) {
            int s = slots[i];
            if (s == 0) {
                return -1;
            }
            int node = s - 1;
            int ks = keyStart[node];
            if (keyStart[node + 1] - ks == to - from && Arrays.equals(keys, ks, keyStart[node + 1], w, from, to)) {
                return node;
            }
        }
    }

    private static int hash(byte[] b, int from, int to) {
        int h = 0x811C9DC5;
        for (int i = from; i < to; i++) {
            h = (h ^ b[i]) * 0x01000193;
        }
        return h ^ (h >>> 15);
    }

    /** The node's owner name, as stored (lower case). */
    private Name nameOf(int node) {
        if (node == 0) {
            return origin;
        }
        int ks = keyStart[node];
        int len = keyStart[node + 1] - ks;
        byte[] wire = new byte[len + originWire.length];
        System.arraycopy(keys, ks, wire, 0, len);
        System.arraycopy(originWire, 0, wire, len, originWire.length);
        try {
            return new Name(wire);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a stored name does not read back", e);
        }
    }

    private boolean has(int node, int type) {
        int end = dataStart[node + 1];
        for (int p = dataStart[node]; p < end; p = skip(p)) {
            if (u16(p) == type) {
                return true;
            }
        }
        return false;
    }

    /** The offset after the RRset at {@code p}. */
    private int skip(int p) {
        int count = i32(p + 6) & COUNT;
        int ttls = (i32(p + 6) & OWN_TTLS) != 0 ? 4 : 0;
        int q = p + HEADER;
        for (int i = 0; i < count; i++) {
            q += ttls + 2 + u16(q + ttls);
        }
        return q;
    }

    /** The node's RRset of {@code type}, with {@code owner} as its name (null: the node's own), or null. */
    private RRset rrsetAt(int node, int type, Name owner) {
        int end = dataStart[node + 1];
        for (int p = dataStart[node]; p < end; p = skip(p)) {
            if (u16(p) == type) {
                return decode(p, owner != null ? owner : nameOf(node));
            }
        }
        return null;
    }

    private void allAt(int node, Name owner, List<RRset> out) {
        int end = dataStart[node + 1];
        for (int p = dataStart[node]; p < end; p = skip(p)) {
            out.add(decode(p, owner));
        }
    }

    private RRset decode(int p, Name owner) {
        int type = u16(p);
        long ttl = u32(p + 2);
        int count = i32(p + 6) & COUNT;
        boolean ownTtls = (i32(p + 6) & OWN_TTLS) != 0;
        Record[] records = new Record[count];
        int q = p + HEADER;
        for (int i = 0; i < count; i++) {
            long recordTtl = ttl;
            if (ownTtls) {
                recordTtl = u32(q);
                q += 4;
            }
            int len = u16(q);
            records[i] = Record.newRecord(owner, type, DClass.IN, recordTtl, len, Arrays.copyOfRange(data, q + 2, q + 2 + len));
            q += 2 + len;
        }
        return new RRset(owner, type, ttl, Arrays.asList(records));
    }

    private int u16(int at) {
        return (data[at] & 0xFF) << 8 | (data[at + 1] & 0xFF);
    }

    private int i32(int at) {
        return u16(at) << 16 | u16(at + 2);
    }

    private long u32(int at) {
        return Integer.toUnsignedLong(i32(at));
    }

    /** Builds a zone from its records. */
    public static Builder builder(Name origin, long serial, long generation) {
        return new Builder(origin, serial, generation);
    }

    /** Collects records (any order), then makes the immutable zone. */
    public static final class Builder {

        private final Name origin;
        private final long serial;
        private final long generation;
        private final Map<Name, Map<Integer, List<Record>>> byName = new LinkedHashMap<>();
        private final List<Record> nsec3 = new ArrayList<>();

        private Builder(Name origin, long serial, long generation) {
            this.origin = origin;
            this.serial = serial;
            this.generation = generation;
        }

        /** Adds one record; records outside the zone are ignored (the store never holds them). */
        public Builder add(Record r) {
            Name owner = r.getName();
            if (!owner.subdomain(origin)) {
                return this;
            }
            if (r.getType() == Type.NSEC3 || r instanceof org.xbill.DNS.RRSIGRecord sig && sig.getTypeCovered() == Type.NSEC3) {
                // NSEC3 records live beside the zone's names, not among them (RFC 5155 §7.2.9):
                // their hashed owners do not exist for lookups. Kept for zone transfers.
                nsec3.add(r);
                return this;
            }
            byName.computeIfAbsent(owner, k -> new LinkedHashMap<>()).computeIfAbsent(r.getType(), k -> new ArrayList<>(2)).add(r);
            return this;
        }

        /** The zone, or null when it has no SOA at its apex (such a zone cannot be served). */
        public Zone build() {
            Map<Integer, List<Record>> apex = byName.get(origin);
            List<Record> soas = apex == null ? null : apex.get(Type.SOA);
            if (soas == null) {
                return null;
            }
            SOARecord s = (SOARecord) soas.get(0);
            if (s.getSerial() != serial) {
                // The store's serial is the one served (it moves on every change).
                soas.set(0, new SOARecord(origin, s.getDClass(), s.getTTL(), s.getHost(), s.getAdmin(), serial, s.getRefresh(), s.getRetry(),
                        s.getExpire(), s.getMinimum()));
            }
            // Nodes: the apex first, then every owner and every name between it and the apex
            // (empty non-terminals: they exist because names below them do).
            byte[] originWire = origin.toWireCanonical();
            Map<Name, Integer> index = new HashMap<>(byName.size() * 2);
            List<Name> nodes = new ArrayList<>(byName.size() + 1);
            index.put(origin, 0);
            nodes.add(origin);
            boolean wildcards = false;
            boolean dnames = false;
            for (Name name : byName.keySet()) {
                for (int strip = name.labels() - origin.labels() - 1; strip >= 0; strip--) {
                    Name n = strip == 0 ? name : new Name(name, strip);
                    if (index.putIfAbsent(n, nodes.size()) == null) {
                        nodes.add(n);
                    }
                }
                wildcards |= name.isWild();
                dnames |= byName.get(name).containsKey(Type.DNAME);
            }
            int n = nodes.size();
            DNSOutput keys = new DNSOutput(n * 12);
            DNSOutput data = new DNSOutput(byName.size() * 40);
            int[] keyStart = new int[n + 1];
            int[] dataStart = new int[n + 1];
            int count = 0;
            for (int i = 0; i < n; i++) {
                Name name = nodes.get(i);
                keyStart[i] = keys.current();
                byte[] w = name.toWireCanonical();
                keys.writeByteArray(w, 0, w.length - originWire.length);
                dataStart[i] = data.current();
                Map<Integer, List<Record>> types = byName.get(name);
                if (types == null) {
                    continue;
                }
                for (var t : types.entrySet()) {
                    List<Record> rs = t.getValue();
                    count += rs.size();
                    // One TTL per RRset (RFC 2181 §5.2): the store keeps it so, and the RRset's is
                    // the first record's. RRSIGs differ: each has the TTL of the RRset it covers.
                    long ttl = rs.get(0).getTTL();
                    boolean ownTtls = rs.stream().anyMatch(r -> r.getTTL() != ttl);
                    data.writeU16(t.getKey());
                    data.writeU32(ttl);
                    data.writeU32(Integer.toUnsignedLong(rs.size() | (ownTtls ? OWN_TTLS : 0)));
                    for (Record r : rs) {
                        if (ownTtls) {
                            data.writeU32(r.getTTL());
                        }
                        byte[] full = r.toWire(Section.ANSWER); // owner, type, class, TTL, RDLENGTH, then the rdata, uncompressed
                        int at = r.getName().length() + 8;
                        data.writeByteArray(full, at, full.length - at); // RDLENGTH and rdata
                    }
                }
            }
            keyStart[n] = keys.current();
            dataStart[n] = data.current();
            byte[] keyBytes = keys.toByteArray();
            int[] slots = new int[Math.max(4, Integer.highestOneBit(Math.max(1, n) * 2) * 2)];
            int mask = slots.length - 1;
            for (int i = 0; i < n; i++) {
                int j = hash(keyBytes, keyStart[i], keyStart[i + 1]) & mask;
                while (slots[j] != 0) {
                    j = (j + 1) & mask;
                }
                slots[j] = i + 1;
            }
            Map<String, List<Record>> hidden = new LinkedHashMap<>();
            for (Record r : nsec3) {
                hidden.computeIfAbsent(r.getName() + "/" + r.getType(), k -> new ArrayList<>()).add(r);
            }
            List<RRset> hiddenSets = hidden.values().stream().map(rs -> new RRset(rs.get(0).getName(), rs.get(0).getType(), rs.get(0).getTTL(), rs)).toList();
            return new Zone(origin, serial, wildcards, dnames, generation, count + nsec3.size(), hiddenSets, keyBytes, keyStart, slots,
                    data.toByteArray(), dataStart);
        }
    }
}
