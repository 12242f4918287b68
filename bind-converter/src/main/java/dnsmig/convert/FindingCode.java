package dnsmig.convert;

import java.util.Locale;

/**
 * The rules a master file and a zone are checked against. Each code has one severity: ERROR on a
 * record means the record was not imported; ERROR on a zone-level code means the zone cannot be
 * served (its good records are still returned); WARNING means imported and flagged.
 */
public enum FindingCode {
  // ---- entry-level: the entry (record or directive) was not used
  /** Lexical or structural error: unbalanced parentheses or quotes, missing fields. */
  SYNTAX(Severity.ERROR, false),
  /** The rdata does not parse for its type (bad address, number, base64, ...). */
  BAD_RDATA(Severity.ERROR, false),
  /** The type mnemonic is unknown to BIND (unknown types must be written TYPEnnn \# ...). */
  UNKNOWN_TYPE(Severity.ERROR, false),
  /** A meta or query type (ANY, TKEY, OPT, TYPE0, TYPE128-255) used as a record. */
  META_TYPE(Severity.ERROR, false),
  /** MD or MF, which RFC 1123 forbids in master files. */
  OBSOLETE_TYPE(Severity.ERROR, false),
  /** A class other than IN. */
  BAD_CLASS(Severity.ERROR, false),
  /** A line starting with blanks before any owner name was set. */
  NO_OWNER(Severity.ERROR, false),
  /** No $TTL, no earlier TTL and the record is not the SOA: BIND rejects the zone. */
  NO_TTL(Severity.ERROR, false),
  /** An unknown $ directive, or a $TTL/$ORIGIN/$INCLUDE with a bad or missing argument. */
  BAD_DIRECTIVE(Severity.ERROR, false),
  /** An $INCLUDE file that cannot be read. */
  INCLUDE_FAILED(Severity.ERROR, false),
  /** An $INCLUDE of a file that is already being read. */
  INCLUDE_LOOP(Severity.ERROR, false),
  /** $INCLUDE nested deeper than allowed. */
  INCLUDE_TOO_DEEP(Severity.ERROR, false),
  /** A $GENERATE with a bad range, modifier or template. */
  BAD_GENERATE(Severity.ERROR, false),
  /** A $GENERATE that would produce more records than allowed. */
  GENERATE_TOO_LARGE(Severity.ERROR, false),
  /** An owner name outside the zone (BIND ignores it). */
  OUT_OF_ZONE(Severity.ERROR, false),
  /** A name longer than 255 octets in wire form. */
  NAME_TOO_LONG(Severity.ERROR, false),
  /** A label longer than 63 octets. */
  LABEL_TOO_LONG(Severity.ERROR, false),
  /** A character-string longer than 255 octets (TXT, SPF, HINFO, ...). */
  TXT_STRING_TOO_LONG(Severity.ERROR, false),
  /** A CNAME beside other data at the same name (RFC 1034 §3.6.2). */
  CNAME_AND_OTHER_DATA(Severity.ERROR, false),
  /** A CNAME at the zone apex, where SOA and NS must be. */
  CNAME_AT_APEX(Severity.ERROR, false),
  /** More than one CNAME at a name. */
  MULTIPLE_CNAME(Severity.ERROR, false),
  /** More than one DNAME at a name. */
  MULTIPLE_DNAME(Severity.ERROR, false),
  /** More than one SOA. */
  MULTIPLE_SOA(Severity.ERROR, false),
  /** An SOA below the apex. */
  SOA_NOT_AT_APEX(Severity.ERROR, false),
  /** A DS at the apex: DS belongs in the parent zone. */
  DS_AT_APEX(Severity.ERROR, false),
  /** An NS record whose owner is a wildcard. */
  WILDCARD_NS(Severity.ERROR, false),
  /** A CDS/CDNSKEY at the apex that matches no DNSKEY of the zone. */
  CDS_WITHOUT_DNSKEY(Severity.ERROR, false),
  /** NSEC3PARAM at the apex with no supported hash algorithm (only SHA-1, 1, exists). */
  UNSUPPORTED_NSEC3_HASH(Severity.ERROR, false),

  // ---- zone-level: BIND would refuse to load the zone
  /** The main file could not be read. */
  UNREADABLE_FILE(Severity.ERROR, true),
  /** No SOA at the apex. */
  NO_SOA(Severity.ERROR, true),
  /** No NS at the apex. */
  NO_NS(Severity.ERROR, true),
  /** An apex NS name inside the zone that has no A or AAAA record (or is a CNAME). */
  NS_WITHOUT_ADDRESS(Severity.ERROR, true),
  /** An apex NS name inside the zone that lies below a DNAME. */
  NS_BELOW_DNAME(Severity.ERROR, true),

  // ---- warnings: imported and flagged
  /** The same record twice; kept once. */
  DUPLICATE_RECORD(Severity.WARNING, false),
  /** Records of one RRset with different TTLs; all get one TTL, as BIND does (RFC 2181 §5.2). */
  RRSET_TTL_MISMATCH(Severity.WARNING, false),
  /** An MX, NS or SRV target that is a CNAME in this zone (RFC 2181 §10.3). */
  MX_OR_NS_TARGET_IS_CNAME(Severity.WARNING, false),
  /** A delegation whose name server lies inside the delegated zone and has no glue address. */
  MISSING_GLUE(Severity.WARNING, false),
  /** A name such as mail.example.com.example.com.: a relative name that was meant absolute. */
  PROBABLE_MISSING_TRAILING_DOT(Severity.WARNING, false),
  /** No $TTL and no TTL on the SOA: the SOA minimum became the default TTL. */
  DEFAULT_TTL_FROM_SOA(Severity.WARNING, false),
  /** No $TTL: records without a TTL take the previous record's TTL (RFC 1035 rule). */
  TTL_FROM_PREVIOUS_RECORD(Severity.WARNING, false),
  /** A TTL above 2^31-1 (RFC 2181 §8), which BIND loads as 0. */
  TTL_TOO_LARGE(Severity.WARNING, false),
  /** An NS target written as an IP address, which is a host name here. */
  NS_TARGET_IS_ADDRESS(Severity.WARNING, false),
  /** A line with an inherited owner right after $ORIGIN, which is easy to misread. */
  INHERITED_OWNER_AFTER_ORIGIN(Severity.WARNING, false);

  private final Severity severity;
  private final boolean zoneLevel;

  FindingCode(Severity severity, boolean zoneLevel) {
    this.severity = severity;
    this.zoneLevel = zoneLevel;
  }

  /** The stable kebab-case identifier, e.g. {@code cname-and-other-data}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public Severity severity() {
    return severity;
  }

  /** True for codes that make the whole zone unservable (see {@link Conversion#servable()}). */
  public boolean zoneLevel() {
    return zoneLevel;
  }

  /** The code with this id, e.g. {@code fromId("no-soa")}. */
  public static FindingCode fromId(String id) {
    return valueOf(id.toUpperCase(Locale.ROOT).replace('-', '_'));
  }
}
