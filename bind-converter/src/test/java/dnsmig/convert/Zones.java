package dnsmig.convert;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/** Helpers for tests that write small zones inline. */
final class Zones {
  private Zones() {}

  static final Name ORIGIN = Name.fromConstantString("example.com.");

  /** A valid apex: four lines, so a case's first own line is line 5. */
  static final String HEAD =
      """
      $TTL 300
      @ SOA ns hostmaster 1 7200 3600 1209600 300
      @ NS ns
      ns A 192.0.2.53
      """;

  static final int HEAD_LINES = 4;

  static Conversion convert(String text) {
    return convert(text, ConverterOptions.defaults());
  }

  static Conversion convert(String text, ConverterOptions options) {
    return new ZoneFileConverter(options).convert("zone.db", text.getBytes(StandardCharsets.ISO_8859_1), ORIGIN);
  }

  static Conversion convert(Path baseDir, String text) {
    return convert(text, ConverterOptions.defaults().withBaseDir(baseDir));
  }

  /** "owner TTL TYPE rdata", the form expectations are written in. */
  static String show(Record r) {
    return r.getName() + " " + r.getTTL() + " " + Type.string(r.getType()) + " " + r.rdataToString();
  }

  /** The records of a conversion without the ones {@link #HEAD} makes. */
  static List<String> ownRecords(Conversion c) {
    return c.records().stream()
        .map(Zones::show)
        .filter(s -> !s.equals("example.com. 300 SOA ns.example.com. hostmaster.example.com. 1 7200 3600 1209600 300"))
        .filter(s -> !s.equals("example.com. 300 NS ns.example.com."))
        .filter(s -> !s.equals("ns.example.com. 300 A 192.0.2.53"))
        .sorted()
        .toList();
  }

  /** "line:code" of each finding. */
  static List<String> findings(Conversion c) {
    return c.findings().stream().map(f -> f.line() + ":" + f.code().id()).toList();
  }
}
