package dnsmig.server.zone;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DNAMERecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * One zone in memory, immutable once built: every owner name with its RRsets, the empty
 * non-terminals between them, and the lookup of RFC 1034 §4.3.2 with wildcards (RFC 4592) and
 * DNAME (RFC 6672). A change to the zone builds a new {@code Zone}; readers never lock.
 */
public final class Zone {

    /** How many CNAME/DNAME steps one answer holds at most: BIND restarts a query 11 times, then gives up (SERVFAIL). */
    static final int MAX_CHAIN = 12;

    private static final Name WILD = Name.fromConstantString("*");

    private final Name origin;
    private final long serial;
    private final RRset soa;
    private final RRset negativeSoa;
    private final Map<Name, Node> nodes;
    private final boolean hasWildcards;
    private final boolean hasDnames;
    private final long generation;
    private final int recordCount;
    /** NSEC3 RRsets (and their signatures), outside the name tree. */
    private final List<RRset> nsec3;

    private Zone(Name origin, long serial, RRset soa, Map<Name, Node> nodes, boolean hasWildcards, boolean hasDnames, long generation,
            int recordCount, List<RRset> nsec3) {
        this.nsec3 = nsec3;
        this.origin = origin;
        this.serial = serial;
        this.soa = soa;
        this.nodes = nodes;
        this.hasWildcards = hasWildcards;
        this.hasDnames = hasDnames;
        this.generation = generation;
        this.recordCount = recordCount;
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
        return nodes.get(origin).get(Type.NS);
    }

    /** Changes every time the zone is rebuilt: keys rendered-answer caches. */
    public long generation() {
        return generation;
    }

    public int recordCount() {
        return recordCount;
    }

    public int nameCount() {
        return nodes.size();
    }

    /** Every RRset of the zone, apex first (for zone transfers). */
    public List<RRset> allRRsets() {
        List<RRset> out = new ArrayList<>(recordCount);
        Node apex = nodes.get(origin);
        for (RRset r : apex.all()) {
            out.add(r);
        }
        nodes.entrySet().stream().filter(e -> !e.getKey().equals(origin)).sorted(Map.Entry.comparingByKey())
                .forEach(e -> {
                    for (RRset r : e.getValue().all()) {
                        out.add(r);
                    }
                });
        out.addAll(nsec3);
        return out;
    }

    /** The RRset at exactly this name, authoritative data or glue alike (for additional-section processing). */
    public RRset rrset(Name name, int type) {
        Node n = nodes.get(name);
        return n == null ? null : n.get(type);
    }

    /**
     * Whether {@code name} lies at or below a zone cut of this zone, or below a DNAME (data there
     * is occluded, RFC 6672 §2.4): glue, not authoritative data.
     */
    public boolean belowCut(Name name) {
        int zl = origin.labels();
        for (int strip = name.labels() - zl - 1; strip >= 0; strip--) {
            Node n = nodes.get(strip == 0 ? name : new Name(name, strip));
            if (n == null) {
                return false;
            }
            if (n.hasNs() || (strip > 0 && n.get(Type.DNAME) != null)) {
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
        int zl = origin.labels();
        Name closest = origin;
        if (hasDnames && !qname.equals(origin)) {
            RRset apexDname = nodes.get(origin).get(Type.DNAME);
            if (apexDname != null) {
                return dname(qname, apexDname, chain); // a DNAME at the apex redirects every name below it (RFC 6672 §2.3)
            }
        }
        // Walk down from the apex, one label at a time (RFC 1034 §4.3.2 step 3).
        for (int strip = qname.labels() - zl - 1; strip >= 0; strip--) {
            Name n = strip == 0 ? qname : new Name(qname, strip);
            Node node = nodes.get(n);
            if (node == null) {
                return wildcardOrNxdomain(qname, qtype, closest, chain);
            }
            boolean atName = strip == 0;
            // A zone cut: a referral, except that DS and NSEC at the cut are the parent's data
            // (RFC 4035 §2.4, §3.1.4.1), answered with authority.
            if (node.hasNs() && !(atName && (qtype == Type.DS || qtype == Type.NSEC))) {
                return Step.of(delegation(n, node, chain));
            }
            if (!atName && hasDnames) {
                RRset dname = node.get(Type.DNAME);
                if (dname != null) {
                    return dname(qname, dname, chain);
                }
            }
            closest = n;
        }
        return answerAt(qname, nodes.get(qname), qtype, chain, false);
    }

    private Step answerAt(Name qname, Node node, int qtype, List<RRset> chain, boolean wildcard) {
        if (qtype == Type.ANY) {
            if (node.isEmpty()) {
                return Step.of(new LookupResult.NoData(List.copyOf(chain), negativeSoa, this));
            }
            List<RRset> all = new ArrayList<>(node.all().length);
            for (RRset r : node.all()) {
                all.add(wildcard ? r.withName(qname) : r);
            }
            return Step.of(new LookupResult.Answer(List.copyOf(chain), all, wildcard, this));
        }
        RRset exact = node.get(qtype);
        if (exact != null) {
            return Step.of(new LookupResult.Answer(List.copyOf(chain), List.of(wildcard ? exact.withName(qname) : exact), wildcard, this));
        }
        RRset cname = node.get(Type.CNAME);
        if (cname != null && qtype != Type.CNAME) {
            RRset c = wildcard ? cname.withName(qname) : cname;
            chain.add(c);
            return Step.follow(((CNAMERecord) c.first()).getTarget());
        }
        return Step.of(new LookupResult.NoData(List.copyOf(chain), negativeSoa, this));
    }

    private Step wildcardOrNxdomain(Name qname, int qtype, Name closestEncloser, List<RRset> chain) {
        if (hasWildcards) {
            Node source = nodes.get(wild(closestEncloser));
            if (source != null) {
                return answerAt(qname, source, qtype, chain, true);
            }
        }
        return Step.of(new LookupResult.NxDomain(List.copyOf(chain), negativeSoa, this));
    }

    private LookupResult delegation(Name cut, Node node, List<RRset> chain) {
        RRset ns = node.get(Type.NS);
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
        Node n = nodes.get(name);
        RRset r = n == null ? null : n.get(type);
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

    private static Name wild(Name parent) {
        try {
            return Name.concatenate(WILD, parent);
        } catch (NameTooLongException e) {
            return parent; // cannot exist
        }
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
        private final Map<Name, Name> names = new HashMap<>();
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
            // One Name instance per owner: the records of a name share it.
            Name shared = names.computeIfAbsent(owner, k -> k);
            byName.computeIfAbsent(shared, k -> new LinkedHashMap<>()).computeIfAbsent(r.getType(), k -> new ArrayList<>(2))
                    .add(r.getName() == shared ? r : r.withName(shared));
            return this;
        }

        /** The zone, or null when it has no SOA at its apex (such a zone cannot be served). */
        public Zone build() {
            Map<Name, Node> nodes = new HashMap<>(byName.size() * 2);
            boolean wildcards = false;
            boolean dnames = false;
            int count = 0;
            for (var e : byName.entrySet()) {
                Name name = e.getKey();
                Node node = nodes.computeIfAbsent(name, k -> new Node());
                for (var t : e.getValue().entrySet()) {
                    List<Record> rs = t.getValue();
                    count += rs.size();
                    // One TTL per RRset (RFC 2181 §5.2): the store keeps it so; take the first.
                    node.put(new RRset(name, t.getKey(), rs.get(0).getTTL(), rs));
                    dnames |= t.getKey() == Type.DNAME;
                }
                wildcards |= name.isWild();
                // Empty non-terminals: every name between the apex and this one exists.
                for (int strip = 1; strip < name.labels() - origin.labels(); strip++) {
                    nodes.computeIfAbsent(new Name(name, strip), k -> new Node());
                }
            }
            nodes.computeIfAbsent(origin, k -> new Node());
            RRset soa = nodes.get(origin).get(Type.SOA);
            if (soa == null) {
                return null;
            }
            SOARecord s = (SOARecord) soa.first();
            if (s.getSerial() != serial) {
                // The store's serial is the one served (it moves on every change).
                SOARecord fixed = new SOARecord(origin, s.getDClass(), soa.ttl(), s.getHost(), s.getAdmin(), serial, s.getRefresh(), s.getRetry(),
                        s.getExpire(), s.getMinimum());
                soa = new RRset(origin, Type.SOA, soa.ttl(), List.of(fixed));
                nodes.get(origin).put(soa);
            }
            Map<String, List<Record>> hidden = new LinkedHashMap<>();
            for (Record r : nsec3) {
                hidden.computeIfAbsent(r.getName() + "/" + r.getType(), k -> new ArrayList<>()).add(r);
            }
            List<RRset> hiddenSets = hidden.values().stream().map(rs -> new RRset(rs.get(0).getName(), rs.get(0).getType(), rs.get(0).getTTL(), rs)).toList();
            return new Zone(origin, serial, soa, nodes, wildcards, dnames, generation, count + nsec3.size(), hiddenSets);
        }
    }
}
