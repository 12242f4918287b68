package dnsmig.convert;

import java.util.List;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * What the converter made of one zone.
 *
 * @param origin the zone's origin
 * @param records the accepted records: one per RR, class IN, absolute names, duplicates removed,
 *     in canonical order (RFC 4034 §6)
 * @param findings everything worth telling, in file order (zone-level findings last)
 */
public record Conversion(Name origin, List<Record> records, List<Finding> findings) {

  public Conversion {
    records = List.copyOf(records);
    findings = List.copyOf(findings);
  }

  public boolean hasErrors() {
    return errorCount() > 0;
  }

  public long errorCount() {
    return findings.stream().filter(f -> f.severity() == Severity.ERROR).count();
  }

  public long warningCount() {
    return findings.stream().filter(f -> f.severity() == Severity.WARNING).count();
  }

  /**
   * False when a zone-level error means BIND would refuse to load the zone (no SOA, no NS at the
   * apex, an in-zone NS name without address records, an unreadable file...). The good records
   * are still in {@link #records()}; the zone is held back from serving until it is fixed.
   */
  public boolean servable() {
    return findings.stream().noneMatch(f -> f.code().zoneLevel());
  }
}
