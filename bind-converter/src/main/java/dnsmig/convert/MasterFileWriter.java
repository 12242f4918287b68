package dnsmig.convert;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Tokenizer;
import org.xbill.DNS.Type;

/**
 * Writes records as a master file BIND reads back unchanged: one record per line, {@code owner TTL
 * IN TYPE rdata}, absolute names, canonical order. Types whose presentation form dnsjava and BIND
 * may disagree on are written in RFC 3597 generic form ({@code TYPEnnn \# len hex}).
 */
public final class MasterFileWriter {
  private MasterFileWriter() {}

  static {
    dnsmig.convert.types.ExtraTypes.registerAll();
  }

  public static void write(List<Record> records, Appendable out) throws IOException {
    List<Record> sorted = new ArrayList<>(records);
    sorted.sort(ZoneValidator.CANONICAL);
    StringBuilder line = new StringBuilder(128);
    for (Record r : sorted) {
      line.setLength(0);
      line.append(r.getName()).append(' ').append(r.getTTL()).append(' ');
      line.append(DClass.string(r.getDClass())).append(' ');
      if (generic(r.getType())) {
        line.append("TYPE").append(r.getType()).append(' ').append(rdataText(r));
      } else {
        line.append(Type.string(r.getType())).append(' ').append(r.rdataToString());
      }
      line.append('\n');
      out.append(line);
    }
  }

  /**
   * The rdata of {@code r} as text that dnsjava (with the extra types registered) and BIND both
   * read back to the same record: the presentation form, or for the types below the RFC 3597
   * generic form {@code \# len hex}. What the record store keeps.
   */
  public static String rdataText(Record r) {
    if (!generic(r.getType())) {
      return r.rdataToString();
    }
    byte[] rd = RdataParser.wireRdata(r);
    return rd.length == 0 ? "\\# 0" : "\\# " + rd.length + " " + java.util.HexFormat.of().formatHex(rd);
  }

  /**
   * Reads back what {@link #rdataText} wrote (the record store's rdata column; absolute names).
   * Over the text itself: dnsjava's {@code Record.fromString(..., String, ...)} gives every record
   * its own 8 KB read buffer, gigabytes of garbage when a server loads a million rows.
   *
   * @throws IOException naming what does not parse
   */
  public static Record record(Name owner, int type, long ttl, String rdataText) throws IOException {
    return Record.fromString(owner, type, DClass.IN, ttl, new Tokenizer(new RdataParser.Latin1Stream(rdataText)), Name.root);
  }

  /**
   * Unknown types, and SVCB/HTTPS: dnsjava names parameters BIND 9.18 does not know yet (ohttp,
   * key7 as docpath) and prints v4-mapped ipv6hints as IPv4, so those are written generically.
   * LOC too: dnsjava prints altitudes and precisions rounded, which reads back as another record.
   */
  private static boolean generic(int type) {
    return type == Type.SVCB || type == Type.HTTPS || type == Type.LOC || Type.string(type).startsWith("TYPE");
  }
}
