package dnsmig.convert;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/** Record sets compared the way the oracle needs: owner case-insensitive, rdata in canonical wire form. */
final class RecordSets {
  private RecordSets() {}

  static {
    dnsmig.convert.types.ExtraTypes.registerAll();
  }

  static String key(Record r) {
    return r.getName().toString().toLowerCase(Locale.ROOT)
        + " " + r.getTTL()
        + " " + DClass.string(r.getDClass())
        + " " + Type.string(r.getType())
        + " " + HexFormat.of().formatHex(r.rdataToWireCanonical());
  }

  static TreeSet<String> keys(Collection<Record> records) {
    TreeSet<String> out = new TreeSet<>();
    for (Record r : records) {
      out.add(key(r));
    }
    return out;
  }

  /** Parses named-compilezone's "-s full" output (one absolute record per line). */
  static List<Record> parseBindOutput(String text) throws IOException {
    List<Record> out = new ArrayList<>();
    try (Master m = new Master(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)), Name.root)) {
      for (Record r = m.nextRecord(); r != null; r = m.nextRecord()) {
        out.add(r);
      }
    }
    return out;
  }

  /** A readable difference of two key sets, at most {@code max} lines each way. */
  static String diff(TreeSet<String> expected, TreeSet<String> actual, int max) {
    StringBuilder sb = new StringBuilder();
    int n = 0;
    for (String e : expected) {
      if (!actual.contains(e) && n++ < max) {
        sb.append("\n  missing (BIND has, we lack): ").append(e);
      }
    }
    n = 0;
    for (String a : actual) {
      if (!expected.contains(a) && n++ < max) {
        sb.append("\n  extra   (we have, BIND lacks): ").append(a);
      }
    }
    return sb.toString();
  }
}
