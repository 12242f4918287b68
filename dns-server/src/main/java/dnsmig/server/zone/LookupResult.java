package dnsmig.server.zone;

import java.util.List;

/**
 * What a zone says about a name and type: a closed set, the responder switches on it (one
 * place turns it into RCODE, flags and sections). Every outcome carries the CNAME/DNAME chain
 * followed to reach it (empty when none), which goes first in the answer section. A chain is
 * followed within its zone only, as BIND does.
 */
public sealed interface LookupResult {

    List<RRset> chain();

    /** The zone that gave the outcome (for DS, the parent of the zone first found). */
    Zone zone();

    /** The data asked for (after the chain, if any). An empty {@code answer} with a chain means the chain leaves the zone. */
    record Answer(List<RRset> chain, List<RRset> answer, boolean wildcard, Zone zone) implements LookupResult {}

    /** The name exists but has no data of this type (RFC 2308 §2.2): SOA in authority. */
    record NoData(List<RRset> chain, RRset soa, Zone zone) implements LookupResult {}

    /** The name does not exist (RFC 2308 §2.1): NXDOMAIN, SOA in authority. */
    record NxDomain(List<RRset> chain, RRset soa, Zone zone) implements LookupResult {}

    /** The name is at or below a zone cut: a referral (RFC 1034 §4.3.2 step 3b), not authoritative. */
    record Delegation(List<RRset> chain, RRset ns, List<RRset> glue, Zone zone) implements LookupResult {}

    /** A DNAME substitution made a name longer than 255 octets (RFC 6672 §2.2): YXDOMAIN. */
    record NameTooLong(List<RRset> chain, Zone zone) implements LookupResult {}

    /** The zone's data cannot answer: a CNAME/DNAME loop, or a chain longer than we follow (RFC 1034 §3.6.2). SERVFAIL with the chain, as BIND. */
    record Broken(List<RRset> chain, String reason, Zone zone) implements LookupResult {}
}
