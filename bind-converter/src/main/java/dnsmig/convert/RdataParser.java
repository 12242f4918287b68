package dnsmig.convert;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import dnsmig.convert.types.BindRdata;
import java.util.Locale;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Tokenizer;
import org.xbill.DNS.Type;

/**
 * Turns rdata text into a dnsjava {@link Record}: a few hot types directly, everything else
 * through dnsjava's own parsers fed with the bytes exactly as they were in the file.
 */
final class RdataParser {
  private RdataParser() {}

  /** The outcome of parsing one rdata: a record, or why not. */
  sealed interface Result permits Parsed, Failed {}

  record Parsed(Record record) implements Result {}

  record Failed(FindingCode code, String reason) implements Result {}

  /**
   * Parses rdata given as the list of its tokens' texts ({@code quoted[i]} tells which were
   * quoted in the file).
   */
  static Result parse(Name owner, int type, long ttl, String[] tokens, boolean[] quoted, Name origin) {
    try {
      if (type == Type.TXT
          && tokens.length > 0
          && !quoted[0]
          && tokens[0].equals("\\#")
          && (tokens.length < 2 || !isUint16(tokens[1]))) {
        quoted[0] = true; // BIND: "\#" not followed by a length is the text "#"
      }
      if (TXT_LIKE.contains(type) && !(tokens.length > 0 && tokens[0].equals("\\#") && !quoted[0])) {
        for (String t : tokens) {
          if (decodedLength(t) > 255) {
            return new Failed(FindingCode.TXT_STRING_TOO_LONG, "the string '" + (t.length() > 40 ? t.substring(0, 40) + "..." : t) + "' is " + decodedLength(t) + " octets; one string holds at most 255, so split it into several quoted strings");
          }
        }
      }
      if ((type == Type.KEY || type == Type.DNSKEY || type == Type.CDNSKEY || type == 57)
          && tokens.length > 0
          && !quoted[0]
          && !tokens[0].isEmpty()
          && !Character.isDigit(tokens[0].charAt(0))
          && !tokens[0].equals("\\#")) {
        int flags = BindRdata.keyFlags(tokens[0]);
        if (flags < 0) {
          return new Failed(FindingCode.BAD_RDATA, "unknown key flag in '" + tokens[0] + "'");
        }
        tokens[0] = Integer.toString(flags);
      }
      String refusal = BindRdata.refusal(type, java.util.Arrays.asList(tokens), quoted);
      if (refusal != null) {
        return new Failed(FindingCode.BAD_RDATA, refusal);
      }
      Record fast = fastPath(owner, type, ttl, tokens, quoted, origin);
      if (fast != null) {
        return new Parsed(fast);
      }
      StringBuilder sb = new StringBuilder(64);
      for (int i = 0; i < tokens.length; i++) {
        if (i > 0) {
          sb.append(' ');
        }
        if (quoted[i]) {
          sb.append('"').append(tokens[i]).append('"');
        } else {
          sb.append(tokens[i]);
        }
      }
      return parseText(owner, type, ttl, sb.toString(), origin);
    } catch (IOException | RuntimeException e) {
      return failure(e);
    }
  }

  /** Parses rdata from presentation text (used by $GENERATE). */
  static Result parseText(Name owner, int type, long ttl, String text, Name origin) {
    try {
      Tokenizer st = new Tokenizer(new Latin1Stream(text));
      Record rec;
      if (BindRdata.builds(type) && !text.startsWith("\\#")) {
        byte[] wire = BindRdata.toWire(type, st, origin);
        Tokenizer.Token t = st.get();
        if (t.isString()) {
          throw st.exception("extra text at the end of the record: " + t.value());
        }
        rec = Record.newRecord(owner, type, DClass.IN, ttl, wire);
        if (rec == null) {
          return new Failed(FindingCode.BAD_RDATA, "this " + Type.string(type) + " rdata cannot be represented by the record library");
        }
      } else {
        rec = Record.fromString(owner, type, DClass.IN, ttl, st, origin);
      }
      return checked(rec);
    } catch (IOException | RuntimeException e) {
      return failure(e);
    }
  }

  /** The largest rdata BIND reads from a master file (a message minus header, root owner, fixed fields). */
  static final int MAX_RDATA = 65_535 - 12 - 1 - 2 - 2 - 4 - 2;

  /**
   * Re-reads the record from its wire form, which catches rdata dnsjava accepted as text but
   * cannot encode, and checks the sizes BIND enforces.
   */
  private static Result checked(Record rec) throws IOException {
    byte[] wire = wireRdata(rec);
    int type = rec.getType();
    if ((type == Type.TXT || type == Type.SPF) && wire.length == 0) {
      return new Failed(FindingCode.BAD_RDATA, "a " + Type.string(type) + " record needs at least one string");
    }
    if (type == Type.LOC && BindRdata.locWireProblem(wire) != null) {
      return new Failed(FindingCode.BAD_RDATA, BindRdata.locWireProblem(wire));
    }
    if (wire.length > MAX_RDATA) {
      return new Failed(FindingCode.BAD_RDATA, "the rdata is " + wire.length + " octets, more than the " + MAX_RDATA + " BIND accepts");
    }
    int size = 12 + rec.getName().length() + 10 + wire.length;
    if (size > 65_535) {
      return new Failed(FindingCode.BAD_RDATA, "the record is too large to fit in a DNS message");
    }
    Record again = Record.newRecord(rec.getName(), rec.getType(), rec.getDClass(), rec.getTTL(), wire);
    if (again == null) {
      return new Failed(FindingCode.BAD_RDATA, "this " + Type.string(type) + " rdata cannot be represented by the record library");
    }
    return new Parsed(again);
  }

  /** The rdata in wire form, names uncompressed and in their original case. */
  static byte[] wireRdata(Record rec) {
    byte[] whole = rec.toWire(org.xbill.DNS.Section.ANSWER);
    int rdlenPos = rec.getName().length() + 8;
    int rdlen = ((whole[rdlenPos] & 0xFF) << 8) | (whole[rdlenPos + 1] & 0xFF);
    byte[] out = new byte[rdlen];
    System.arraycopy(whole, rdlenPos + 2, out, 0, rdlen);
    return out;
  }

  private static Record fastPath(
      Name owner, int type, long ttl, String[] tokens, boolean[] quoted, Name origin)
      throws IOException {
    if (tokens.length == 0 || tokens[0].startsWith("\\#")) {
      return null;
    }
    switch (type) {
      case Type.A -> {
        if (tokens.length != 1 || quoted[0]) {
          return null;
        }
        byte[] b = Address.toByteArray(tokens[0], Address.IPv4);
        if (b == null) {
          throw new TextParseException("'" + tokens[0] + "' is not an IPv4 address");
        }
        return new ARecord(owner, DClass.IN, ttl, InetAddress.getByAddress(b));
      }
      case Type.AAAA -> {
        if (tokens.length != 1 || quoted[0]) {
          return null;
        }
        byte[] b = Address.toByteArray(tokens[0], Address.IPv6);
        if (b == null) {
          throw new TextParseException("'" + tokens[0] + "' is not an IPv6 address");
        }
        return new AAAARecord(owner, DClass.IN, ttl, InetAddress.getByAddress(b));
      }
      case Type.NS, Type.CNAME, Type.PTR -> {
        if (tokens.length != 1 || quoted[0]) {
          return null;
        }
        Name target = Name.fromString(tokens[0], origin);
        return switch (type) {
          case Type.NS -> new NSRecord(owner, DClass.IN, ttl, target);
          case Type.CNAME -> new CNAMERecord(owner, DClass.IN, ttl, target);
          default -> new PTRRecord(owner, DClass.IN, ttl, target);
        };
      }
      case Type.MX -> {
        if (tokens.length != 2 || quoted[0] || quoted[1] || !isUint16(tokens[0])) {
          return null;
        }
        return new MXRecord(
            owner, DClass.IN, ttl, Integer.parseInt(tokens[0]), Name.fromString(tokens[1], origin));
      }
      default -> {
        return null;
      }
    }
  }

  /** Types whose rdata is character-strings of at most 255 octets each. */
  private static final java.util.Set<Integer> TXT_LIKE =
      java.util.Set.of(Type.TXT, Type.SPF, Type.HINFO, Type.X25, Type.ISDN, 56, 258, 261, 262);

  /** Octets of a character-string token after \DDD and \X escapes. */
  static int decodedLength(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '\\' && i + 1 < s.length()) {
        if (i + 3 < s.length() && Character.isDigit(s.charAt(i + 1)) && Character.isDigit(s.charAt(i + 2)) && Character.isDigit(s.charAt(i + 3))) {
          i += 3;
        } else {
          i++;
        }
      }
      n++;
    }
    return n;
  }

  private static boolean isUint16(String s) {
    if (s.isEmpty() || s.length() > 5) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return Integer.parseInt(s) <= 0xFFFF;
  }

  static Failed failure(Exception e) {
    String m = reason(e);
    String lower = m.toLowerCase(Locale.ROOT);
    FindingCode code;
    if (lower.contains("label") && lower.contains("long")) {
      code = FindingCode.LABEL_TOO_LONG;
    } else if (lower.contains("name") && lower.contains("too long")) {
      code = FindingCode.NAME_TOO_LONG;
    } else if (lower.contains("text string too long") || lower.contains("string too long")) {
      code = FindingCode.TXT_STRING_TOO_LONG;
    } else {
      code = FindingCode.BAD_RDATA;
    }
    return new Failed(code, m);
  }

  /** dnsjava's message without its "'<none>' line 1:" prefix. */
  static String reason(Exception e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      return e.getClass().getSimpleName();
    }
    int p = m.indexOf("<none>");
    if (p >= 0) {
      int colon = m.indexOf(": ", p);
      if (colon >= 0) {
        m = m.substring(colon + 2);
      }
    }
    return m.strip();
  }

  /**
   * Feeds dnsjava's tokenizer one byte per char of an ISO-8859-1 string. Being a {@link
   * BufferedInputStream} already, it stops the tokenizer from wrapping it in another 8 KiB buffer.
   */
  static final class Latin1Stream extends BufferedInputStream {
    private final String s;
    private int p;

    Latin1Stream(String s) {
      super(InputStream.nullInputStream(), 1);
      this.s = s;
    }

    @Override
    public int read() {
      return p < s.length() ? s.charAt(p++) & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (p >= s.length()) {
        return -1;
      }
      int n = Math.min(len, s.length() - p);
      for (int i = 0; i < n; i++) {
        b[off + i] = (byte) s.charAt(p++);
      }
      return n;
    }

    @Override
    public int available() {
      return s.length() - p;
    }

    @Override
    public void close() {}
  }
}
