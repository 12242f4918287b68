package dnsmig.convert;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.xbill.DNS.CDNSKEYRecord;
import org.xbill.DNS.CDSRecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNAMERecord;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Type;

/**
 * The zone rules, over a set of records: what BIND enforces when it loads a zone (CNAME and other
 * data, singleton types, SOA/NS at the apex, NS addresses, CDS/CDNSKEY consistency, ...) plus
 * warnings a hosting customer wants (missing glue, targets that are CNAMEs, a forgotten trailing
 * dot). The converter runs it over what it read; the REST API runs it over a zone plus a change,
 * with the same codes and messages.
 */
public final class ZoneValidator {
  private ZoneValidator() {}

  static {
    dnsmig.convert.types.ExtraTypes.registerAll();
  }

  /** A record with where it came from. */
  record Located(Record record, Place place) {}

  /** A finding with its position in reading order. */
  record Ordered(Finding finding, long seq) {}

  /** What the rules made of the records. */
  record Result(List<Record> accepted, List<Ordered> findings) {}

  /**
   * Checks records that did not come from a file (for example an API write) by the same rules and
   * codes as the converter. A finding's line is the record's 1-based position in {@code records},
   * its text the record in presentation form.
   */
  public static Conversion validate(Name origin, List<Record> records) {
    return validate(origin, records, "records");
  }

  /** As {@link #validate(Name, List)}, naming the source {@code label} in findings. */
  public static Conversion validate(Name origin, List<Record> records, String label) {
    List<Located> in = new ArrayList<>(records.size());
    for (int i = 0; i < records.size(); i++) {
      Record r = records.get(i);
      in.add(new Located(r, new Place(label, i + 1, r::toString, i)));
    }
    Result result = check(origin, in);
    return new Conversion(
        origin, result.accepted(), result.findings().stream().map(Ordered::finding).toList());
  }

  // Types BIND lets live beside a CNAME (NSEC3 lives in its own tree in BIND).
  private static boolean atCname(int type) {
    return type == Type.RRSIG
        || type == Type.NSEC
        || type == Type.KEY
        || type == Type.SIG
        || type == Type.NSEC3
        || type == Type.CNAME;
  }

  private static final class RSet {
    final List<Located> members = new ArrayList<>(2);
    final List<byte[]> rdatas = new ArrayList<>(2);
    final Set<ByteBuffer> keys = new HashSet<>(4);
    long lastTtl;
    boolean mismatchReported;
  }

  private static final class Node {
    final Map<Integer, RSet> sets = new LinkedHashMap<>(4);

    RSet get(int type) {
      return sets.get(type);
    }

    boolean has(int type) {
      RSet s = sets.get(type);
      return s != null && !s.members.isEmpty();
    }
  }

  static Result check(Name origin, List<Located> in) {
    List<Ordered> findings = new ArrayList<>();
    Map<Name, Node> nodes = new HashMap<>(Math.max(16, in.size()));
    for (Located l : in) {
      Record rec = l.record();
      Name name = rec.getName();
      int type = rec.getType();
      Place p = l.place();
      if (rec.getDClass() != DClass.IN) {
        add(findings, p, FindingCode.BAD_CLASS, "The class " + DClass.string(rec.getDClass()) + " of " + describe(rec) + " is not IN; it was not imported.");
        continue;
      }
      if (!name.subdomain(origin)) {
        add(findings, p, FindingCode.OUT_OF_ZONE, "The name " + name + " is outside the zone " + origin + "; " + describe(rec) + " was not imported.");
        continue;
      }
      if (TypeRules.isMeta(type)) {
        add(findings, p, FindingCode.META_TYPE, Type.string(type) + " is a meta type and cannot be a record; it was not imported.");
        continue;
      }
      if (TypeRules.isObsolete(type)) {
        add(findings, p, FindingCode.OBSOLETE_TYPE, Type.string(type) + " is obsolete (RFC 1123); use MX. The record was not imported.");
        continue;
      }
      boolean apex = name.equals(origin);
      if (type == Type.SOA && !apex) {
        add(findings, p, FindingCode.SOA_NOT_AT_APEX, "An SOA record must be at the zone apex " + origin + ", not at " + name + "; it was not imported.");
        continue;
      }
      if (type == Type.DS && apex) {
        add(findings, p, FindingCode.DS_AT_APEX, "A DS record at the apex " + origin + " belongs in the parent zone, not here; it was not imported.");
        continue;
      }
      if (type == Type.NS && name.isWild()) {
        add(findings, p, FindingCode.WILDCARD_NS, "NS records cannot have a wildcard owner (" + name + "); the record was not imported.");
        continue;
      }
      Node node = nodes.computeIfAbsent(name, k -> new Node());
      int key = MasterFileReader.rrsetKey(rec);
      RSet set = node.get(key);
      ByteBuffer rdata = ByteBuffer.wrap(rec.rdataToWireCanonical());
      boolean duplicate = set != null && set.keys.contains(rdata);
      if (!duplicate) {
        if (type == Type.CNAME) {
          if (apex) {
            add(findings, p, FindingCode.CNAME_AT_APEX, "A CNAME cannot be at the zone apex " + origin + ", where the SOA and NS records are (RFC 1034 §3.6.2); " + describe(rec) + " was not imported. Use an A/AAAA record, or your provider's ALIAS feature.");
            continue;
          }
          if (node.has(Type.CNAME)) {
            add(findings, p, FindingCode.MULTIPLE_CNAME, name + " already has a CNAME (" + node.get(Type.CNAME).members.get(0).record().rdataToString() + "); a name can have only one, so " + describe(rec) + " was not imported.");
            continue;
          }
          Integer other = otherThanCname(node);
          if (other != null) {
            add(findings, p, FindingCode.CNAME_AND_OTHER_DATA, name + " already has " + Type.string(other) + " data, and a CNAME cannot share its name with other records (RFC 1034 §3.6.2); " + describe(rec) + " was not imported.");
            continue;
          }
        } else if (!atCname(type) && node.has(Type.CNAME)) {
          add(findings, p, FindingCode.CNAME_AND_OTHER_DATA, name + " is a CNAME (to " + node.get(Type.CNAME).members.get(0).record().rdataToString() + "), and a CNAME cannot share its name with other records (RFC 1034 §3.6.2); " + describe(rec) + " was not imported.");
          continue;
        }
        if (type == Type.DNAME && node.has(Type.DNAME)) {
          add(findings, p, FindingCode.MULTIPLE_DNAME, name + " already has a DNAME; a name can have only one, so " + describe(rec) + " was not imported.");
          continue;
        }
        if (type == Type.SOA && node.has(Type.SOA)) {
          add(findings, p, FindingCode.MULTIPLE_SOA, "The zone already has an SOA record; a zone has exactly one, so this second SOA (" + rec.rdataToString() + ") was not imported.");
          continue;
        }
      }
      if (set == null) {
        set = new RSet();
        set.lastTtl = rec.getTTL();
        node.sets.put(key, set);
      }
      if (rec.getTTL() != set.lastTtl) {
        if (!set.mismatchReported) {
          set.mismatchReported = true;
          add(findings, p, FindingCode.RRSET_TTL_MISMATCH, "The " + Type.string(type) + " records of " + name + " have different TTLs (" + set.lastTtl + " and " + rec.getTTL() + "); a set shares one TTL (RFC 2181 §5.2), and as BIND does the set takes the TTL of its last record in the file.");
        }
        set.lastTtl = rec.getTTL();
      }
      if (duplicate) {
        add(findings, p, FindingCode.DUPLICATE_RECORD, describe(rec) + " appears more than once; it was imported once.");
        continue;
      }
      set.keys.add(rdata);
      set.members.add(l);
      set.rdatas.add(rdata.array());
    }

    Set<Located> rejected = new HashSet<>();
    cdsCheck(origin, nodes.get(origin), findings, rejected);
    nsec3paramCheck(nodes.get(origin), findings, rejected);
    zoneChecks(origin, nodes, findings, in);

    List<Keyed> keyed = new ArrayList<>(in.size());
    for (Map.Entry<Name, Node> ne : nodes.entrySet()) {
      for (RSet s : ne.getValue().sets.values()) {
        for (int i = 0; i < s.members.size(); i++) {
          Located l = s.members.get(i);
          if (rejected.isEmpty() || !rejected.contains(l)) {
            keyed.add(new Keyed(MasterFileReader.withTtl(l.record(), s.lastTtl), s.rdatas.get(i)));
          }
        }
      }
    }
    keyed.sort(Keyed.ORDER);
    List<Record> accepted = new ArrayList<>(keyed.size());
    for (Keyed k : keyed) {
      accepted.add(k.record());
    }
    findings.sort(Comparator.comparingLong(Ordered::seq));
    return new Result(accepted, findings);
  }

  private static Integer otherThanCname(Node node) {
    for (Map.Entry<Integer, RSet> e : node.sets.entrySet()) {
      int type = e.getKey() >>> 16 != 0 ? e.getKey() >>> 16 : e.getKey();
      if (!atCname(type) && !e.getValue().members.isEmpty()) {
        return type;
      }
    }
    return null;
  }

  static String describe(Record rec) {
    return rec.getName() + " " + Type.string(rec.getType()) + " " + clip(rec.rdataToString());
  }

  private static String clip(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  private static void add(List<Ordered> out, Place p, FindingCode code, String message) {
    out.add(new Ordered(Finding.of(p, code, message), p.seq()));
  }

  // ------------------------------------------------------------------ zone-level

  private static void zoneChecks(Name origin, Map<Name, Node> nodes, List<Ordered> findings, List<Located> in) {
    Node apex = nodes.get(origin);
    Place first = in.isEmpty() ? Place.NOWHERE : in.get(0).place();
    long zoneSeq = Long.MAX_VALUE;
    boolean hasSoa = apex != null && apex.has(Type.SOA);
    boolean hasNs = apex != null && apex.has(Type.NS);
    if (!hasSoa) {
      findings.add(new Ordered(Finding.of(first, FindingCode.NO_SOA, "The zone " + origin + " has no SOA record at its apex, so it cannot be served; add one."), zoneSeq));
    }
    if (!hasNs) {
      Place at = hasSoa ? apex.get(Type.SOA).members.get(0).place() : first;
      findings.add(new Ordered(Finding.of(at, FindingCode.NO_NS, "The zone " + origin + " has no NS records at its apex, so it cannot be served; add the name servers."), zoneSeq));
    } else {
      for (Located l : apex.get(Type.NS).members) {
        Name target = ((NSRecord) l.record()).getTarget();
        if (!target.subdomain(origin)) {
          continue;
        }
        Name dname = dnameAbove(target, origin, nodes);
        if (dname != null) {
          findings.add(new Ordered(Finding.of(l.place(), FindingCode.NS_BELOW_DNAME, "The name server " + target + " of the zone lies below the DNAME at " + dname + ", so it cannot be found; the zone cannot be served until it is fixed."), zoneSeq));
          continue;
        }
        if (belowDelegation(target, origin, nodes)) {
          continue; // BIND does not look for addresses below a zone cut here
        }
        Node t = nodes.get(target);
        if (t == null) {
          t = wildcardFor(target, origin, nodes);
        }
        if (t == null || (!t.has(Type.A) && !t.has(Type.AAAA))) {
          String why = t != null && t.has(Type.CNAME) ? " is a CNAME, which a name server name may not be" : " has no A or AAAA record in the zone";
          findings.add(new Ordered(Finding.of(l.place(), FindingCode.NS_WITHOUT_ADDRESS, "The name server " + target + why + ", so the zone cannot be served; add its address records."), zoneSeq));
        }
      }
    }
    // Record-level warnings over targets and names.
    for (Map.Entry<Name, Node> ne : nodes.entrySet()) {
      Name owner = ne.getKey();
      boolean ownerWarned = false;
      for (RSet s : ne.getValue().sets.values()) {
        for (Located l : s.members) {
          Record rec = l.record();
          if (!ownerWarned && doubledOrigin(owner, origin)) {
            ownerWarned = true;
            add(findings, l.place(), FindingCode.PROBABLE_MISSING_TRAILING_DOT, "The name " + owner + " repeats the zone name; it was probably written without its final dot. Imported as written.");
          }
          Name target = target(rec);
          if (target == null) {
            continue;
          }
          if (doubledOrigin(target, origin)) {
            add(findings, l.place(), FindingCode.PROBABLE_MISSING_TRAILING_DOT, "The target " + target + " of " + owner + " " + Type.string(rec.getType()) + " repeats the zone name; it was probably written without its final dot. Imported as written.");
          }
          int type = rec.getType();
          boolean apexNs = type == Type.NS && owner.equals(origin);
          if ((type == Type.MX || type == Type.SRV || (type == Type.NS && !apexNs)) && target.subdomain(origin)) {
            Node tn = nodes.get(target);
            if (tn != null && tn.has(Type.CNAME)) {
              add(findings, l.place(), FindingCode.MX_OR_NS_TARGET_IS_CNAME, "The " + Type.string(type) + " target " + target + " of " + owner + " is a CNAME, which RFC 2181 §10.3 forbids; point it at the canonical name instead.");
            }
          }
          if (type == Type.NS && !apexNs && target.subdomain(owner)) {
            Node tn = nodes.get(target);
            if (tn == null || (!tn.has(Type.A) && !tn.has(Type.AAAA))) {
              add(findings, l.place(), FindingCode.MISSING_GLUE, "The delegation " + owner + " names the server " + target + " inside the delegated zone, but there is no A or AAAA glue for it; resolvers cannot reach the delegated zone until glue is added.");
            }
          }
        }
      }
    }
  }

  /** The wildcard node that would answer for a name with no node of its own, if any. */
  private static Node wildcardFor(Name target, Name origin, Map<Name, Node> nodes) {
    for (int drop = 1; target.labels() - drop >= origin.labels(); drop++) {
      Name ancestor = new Name(target, drop);
      try {
        Node w = nodes.get(Name.concatenate(Name.fromConstantString("*"), ancestor));
        if (w != null) {
          return w;
        }
      } catch (org.xbill.DNS.NameTooLongException e) {
        return null;
      }
      if (nodes.containsKey(ancestor)) {
        return null; // the closest encloser has no wildcard
      }
    }
    return null;
  }

  private static boolean belowDelegation(Name target, Name origin, Map<Name, Node> nodes) {
    int labels = target.labels();
    for (int drop = 0; labels - drop > origin.labels(); drop++) {
      Node n = nodes.get(drop == 0 ? target : new Name(target, drop));
      if (n != null && n.has(Type.NS)) {
        return true;
      }
    }
    return false;
  }

  private static Name dnameAbove(Name target, Name origin, Map<Name, Node> nodes) {
    int labels = target.labels();
    for (int drop = 1; labels - drop >= origin.labels(); drop++) {
      Name ancestor = new Name(target, drop);
      Node n = nodes.get(ancestor);
      if (n != null && n.has(Type.DNAME)) {
        return ancestor;
      }
    }
    return null;
  }

  private static Name target(Record rec) {
    return switch (rec) {
      case CNAMERecord c -> c.getTarget();
      case DNAMERecord d -> d.getTarget();
      case PTRRecord p -> p.getTarget();
      case NSRecord n -> n.getTarget();
      case MXRecord m -> m.getTarget();
      case SRVRecord s -> s.getTarget();
      default -> null;
    };
  }

  /** True for names like mail.example.com.example.com. in the zone example.com. */
  static boolean doubledOrigin(Name name, Name origin) {
    int originLabels = origin.labels() - 1; // without the root label
    if (originLabels < 1 || name.labels() - 1 < 2 * originLabels || !name.subdomain(origin)) {
      return false;
    }
    int n = name.labels() - 1; // without the root label
    // labels n-k .. n-1 are the origin; the k labels before them must spell it again
    for (int i = 0; i < originLabels; i++) {
      if (!name.getLabelString(n - 2 * originLabels + i).equalsIgnoreCase(origin.getLabelString(i))) {
        return false;
      }
    }
    return true;
  }

  // ------------------------------------------------------------------ CDS / CDNSKEY

  private static final byte[] CDS_DELETE = {0, 0, 0, 0, 0};
  private static final byte[] CDNSKEY_DELETE = {0, 0, 3, 0, 0};

  private static void cdsCheck(Name origin, Node apex, List<Ordered> findings, Set<Located> rejected) {
    if (apex == null) {
      return;
    }
    RSet cds = apex.get(Type.CDS);
    RSet cdnskey = apex.get(Type.CDNSKEY);
    boolean hasCds = cds != null && !cds.members.isEmpty();
    boolean hasCdnskey = cdnskey != null && !cdnskey.members.isEmpty();
    if (!hasCds && !hasCdnskey) {
      return;
    }
    List<DNSKEYRecord> keys = new ArrayList<>();
    RSet dnskey = apex.get(Type.DNSKEY);
    if (dnskey != null) {
      for (Located l : dnskey.members) {
        keys.add((DNSKEYRecord) l.record());
      }
    }
    if (hasCds && !consistent(cds, keys, CDS_DELETE, true)) {
      reject(cds, findings, rejected, "has an algorithm no DNSKEY of the zone has (or mixes a delete record with others)");
    }
    if (hasCdnskey && !consistent(cdnskey, keys, CDNSKEY_DELETE, false)) {
      reject(cdnskey, findings, rejected, "has an algorithm no DNSKEY of the zone has (or mixes a delete record with others)");
    }
  }

  /** BIND refuses a zone whose apex NSEC3PARAM set has no supported hash algorithm. */
  private static void nsec3paramCheck(Node apex, List<Ordered> findings, Set<Located> rejected) {
    RSet set = apex == null ? null : apex.get(Type.NSEC3PARAM);
    if (set == null || set.members.isEmpty()) {
      return;
    }
    for (Located l : set.members) {
      if (((org.xbill.DNS.NSEC3PARAMRecord) l.record()).getHashAlgorithm() == 1) {
        return;
      }
    }
    for (Located l : set.members) {
      rejected.add(l);
      add(findings, l.place(), FindingCode.UNSUPPORTED_NSEC3_HASH, describe(l.record()) + " uses a hash algorithm other than SHA-1 (1), the only one defined; BIND refuses such a zone, so it was not imported.");
    }
  }

  private static void reject(RSet set, List<Ordered> findings, Set<Located> rejected, String why) {
    for (Located l : set.members) {
      rejected.add(l);
      add(findings, l.place(), FindingCode.CDS_WITHOUT_DNSKEY, describe(l.record()) + " " + why + "; BIND refuses such a zone, so the " + Type.string(l.record().getType()) + " set was not imported. Publish the matching DNSKEY first.");
    }
  }

  /**
   * BIND 9.18's rule: a delete record stands alone; otherwise every CDS or CDNSKEY algorithm must
   * be the algorithm of some DNSKEY of the zone.
   */
  private static boolean consistent(RSet set, List<DNSKEYRecord> keys, byte[] deleteRdata, boolean cds) {
    boolean delete = false;
    Set<Integer> algorithms = new HashSet<>();
    for (Located l : set.members) {
      byte[] rd = l.record().rdataToWireCanonical();
      if (Arrays.equals(rd, deleteRdata)) {
        delete = true;
        continue;
      }
      algorithms.add(cds ? ((CDSRecord) l.record()).getAlgorithm() : ((CDNSKEYRecord) l.record()).getAlgorithm());
    }
    if (delete) {
      return algorithms.isEmpty();
    }
    for (int alg : algorithms) {
      if (keys.stream().noneMatch(k -> k.getAlgorithm() == alg)) {
        return false;
      }
    }
    return true;
  }

  // ------------------------------------------------------------------ canonical order

  /** A record with its canonical rdata computed once, for sorting. */
  private record Keyed(Record record, byte[] rdata) {
    static final Comparator<Keyed> ORDER =
        (a, b) -> {
          int c = a.record.getName().compareTo(b.record.getName());
          if (c != 0) {
            return c;
          }
          c = Integer.compare(a.record.getType(), b.record.getType());
          if (c != 0) {
            return c;
          }
          return Arrays.compareUnsigned(a.rdata, b.rdata);
        };
  }

  /** RFC 4034 §6: owner in canonical order, then type, then rdata in canonical wire form. */
  static final Comparator<Record> CANONICAL =
      (a, b) -> {
        int c = a.getName().compareTo(b.getName());
        if (c != 0) {
          return c;
        }
        c = Integer.compare(a.getType(), b.getType());
        if (c != 0) {
          return c;
        }
        return Arrays.compareUnsigned(a.rdataToWireCanonical(), b.rdataToWireCanonical());
      };
}
