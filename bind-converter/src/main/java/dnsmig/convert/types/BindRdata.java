package dnsmig.convert.types;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.xbill.DNS.Address;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Tokenizer;
import org.xbill.DNS.Type;

/**
 * Rdata text rules where BIND 9.18 and dnsjava 3.7.1 disagree. For some types the wire form is
 * built here from the text exactly as BIND builds it (RRSIG/SIG times, LOC, WKS, NSAP); for
 * others the text is only checked for what BIND refuses and dnsjava lets through (SVCB/HTTPS
 * keys, NSEC3 hashes, IPSECKEY without key).
 */
public final class BindRdata {
  private BindRdata() {}

  /** True when {@link #toWire} builds this type's rdata. */
  public static boolean builds(int type) {
    return type == Type.RRSIG
        || type == Type.SIG
        || type == Type.LOC
        || type == Type.WKS
        || type == Type.NSAP
        || type == Type.SVCB
        || type == Type.HTTPS;
  }

  /** The wire rdata of a type {@link #builds} handles. */
  public static byte[] toWire(int type, Tokenizer st, Name origin) throws IOException {
    return switch (type) {
      case Type.RRSIG, Type.SIG -> sig(st, origin);
      case Type.LOC -> loc(st);
      case Type.WKS -> wks(st);
      case Type.NSAP -> nsap(st);
      case Type.SVCB, Type.HTTPS -> Svcb.fromText(st, origin);
      default -> throw new IllegalArgumentException("not built here: " + type);
    };
  }

  /**
   * Checks rdata tokens against rules BIND enforces and dnsjava does not; returns a reason, or
   * null when BIND would accept what dnsjava accepts.
   */
  public static String refusal(int type, List<String> tokens, boolean[] quoted) {
    return switch (type) {
      case Type.NSEC3 -> nsec3(tokens);
      case Type.CAA -> isGeneric(tokens) ? null
          : tokens.size() < 3 ? "a CAA record needs flags, a tag and a value"
          : quoted[1] ? "the CAA tag must not be quoted" : null;
      case Type.IPSECKEY -> tokens.size() < 5 && !isGeneric(tokens) ? "the public key is missing" : null;
      case Type.DNSKEY, Type.CDNSKEY -> tokens.size() < 4 && !isGeneric(tokens) ? "the public key is missing" : null;
      default -> null;
    };
  }

  private static boolean isGeneric(List<String> tokens) {
    return !tokens.isEmpty() && tokens.get(0).equals("\\#");
  }

  // ---------------------------------------------------------------- KEY flag names

  private static final String[] FLAG_NAMES = {
    "NOCONF", "NOAUTH", "NOKEY", "FLAG2", "EXTEND", "FLAG4", "FLAG5", "USER", "ZONE", "HOST", "NTYP3",
    "FLAG8", "FLAG9", "FLAG10", "FLAG11", "SIG0", "SIG1", "SIG2", "SIG3", "SIG4", "SIG5", "SIG6", "SIG7",
    "SIG8", "SIG9", "SIG10", "SIG11", "SIG12", "SIG13", "SIG14", "SIG15", "KSK", "REVOKE"
  };

  private static final int[] FLAG_VALUES = {
    0x4000, 0x8000, 0xC000, 0x2000, 0x1000, 0x0800, 0x0400, 0x0000, 0x0100, 0x0200, 0x0300,
    0x0080, 0x0040, 0x0020, 0x0010, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0x0001, 0x0080
  };

  /** BIND's KEY/DNSKEY flag mnemonics ("ZONE|SIG15"), or -1 for an unknown name. */
  public static int keyFlags(String text) {
    int value = 0;
    for (String part : text.split("\\|", -1)) {
      int v = -1;
      for (int i = 0; i < FLAG_NAMES.length && v < 0; i++) {
        if (FLAG_NAMES[i].equalsIgnoreCase(part)) {
          v = FLAG_VALUES[i];
        }
      }
      if (v < 0) {
        return -1;
      }
      value |= v;
    }
    return value;
  }

  // ---------------------------------------------------------------- RRSIG / SIG

  private static byte[] sig(Tokenizer st, Name origin) throws IOException {
    DNSOutput out = new DNSOutput();
    String covered = st.getString();
    int t = Type.value(covered, true);
    if (t < 0) {
      throw st.exception("unknown type covered: " + covered);
    }
    out.writeU16(t);
    out.writeU8(Codecs.algorithm(st));
    out.writeU8(Codecs.uint(st, 255));
    out.writeU32(Codecs.uintOf(st.getString(), 0xFFFFFFFFL, st));
    out.writeU32(time(st.getString(), st));
    out.writeU32(time(st.getString(), st));
    out.writeU16(Codecs.uint(st, 0xFFFF));
    st.getName(origin).toWire(out, null, false);
    String sig = Codecs.joinRest(st);
    if (sig.isEmpty()) {
      throw st.exception("the signature is missing");
    }
    out.writeByteArray(Codecs.base64Of(sig, st));
    return out.toByteArray();
  }

  /** BIND's signature time: up to 10 digits as seconds, else YYYYMMDDHHMMSS modulo 2^32. */
  static long time(String s, Tokenizer st) throws TextParseException {
    if (s.length() <= 10 && !s.startsWith("-") && !s.startsWith("+")) {
      return Codecs.uintOf(s, 0xFFFFFFFFL, st);
    }
    if (s.length() != 14 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw st.exception("bad time: " + s);
    }
    int year = Integer.parseInt(s.substring(0, 4));
    int month = Integer.parseInt(s.substring(4, 6));
    int day = Integer.parseInt(s.substring(6, 8));
    int hour = Integer.parseInt(s.substring(8, 10));
    int minute = Integer.parseInt(s.substring(10, 12));
    int second = Integer.parseInt(s.substring(12, 14));
    if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 60 || day < 1 || day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
      throw st.exception("time out of range: " + s);
    }
    long seconds =
        LocalDateTime.of(year, month, day, hour, minute, 0).toEpochSecond(ZoneOffset.UTC) + second;
    return seconds & 0xFFFFFFFFL;
  }

  // ---------------------------------------------------------------- LOC (RFC 1876, as BIND reads it)

  private static byte[] loc(Tokenizer st) throws IOException {
    long lat = angle(st, 'N', 'S', 90);
    long lon = angle(st, 'E', 'W', 180);
    long alt = centimetres(st.getString(), true, st);
    if (alt < -10000000L || alt > 4284967295L) {
      throw st.exception("altitude out of range");
    }
    int size = 0x12;
    int hp = 0x16;
    int vp = 0x13;
    String[] rest = Codecs.rest(st).toArray(String[]::new);
    if (rest.length > 3) {
      throw st.exception("extra text after LOC precisions");
    }
    if (rest.length > 0) {
      size = precision(rest[0], st);
    }
    if (rest.length > 1) {
      hp = precision(rest[1], st);
    }
    if (rest.length > 2) {
      vp = precision(rest[2], st);
    }
    DNSOutput out = new DNSOutput();
    out.writeU8(0);
    out.writeU8(size);
    out.writeU8(hp);
    out.writeU8(vp);
    out.writeU32((1L << 31) + lat);
    out.writeU32((1L << 31) + lon);
    out.writeU32(alt + 10000000L);
    return out.toByteArray();
  }

  /** d [m [s.fff]] hemisphere → signed thousandths of arc seconds. */
  private static long angle(Tokenizer st, char pos, char neg, int maxDegrees) throws IOException {
    String d = st.getString();
    long degrees = Codecs.uintOf(d, maxDegrees, st);
    long minutes = 0;
    long millis = 0;
    String s = st.getString();
    if (isHemisphere(s, pos, neg) == 0) {
      minutes = Codecs.uintOf(s, 59, st);
      s = st.getString();
      if (isHemisphere(s, pos, neg) == 0) {
        millis = secondsMillis(s, st);
        s = st.getString();
      }
    }
    int h = isHemisphere(s, pos, neg);
    if (h == 0) {
      throw st.exception("expected " + pos + " or " + neg + ", got " + s);
    }
    if (degrees == maxDegrees && (minutes != 0 || millis != 0)) {
      throw st.exception("angle out of range");
    }
    long value = ((degrees * 60 + minutes) * 60) * 1000 + millis;
    return h * value;
  }

  private static int isHemisphere(String s, char pos, char neg) {
    if (s.length() != 1) {
      return 0;
    }
    char c = Character.toUpperCase(s.charAt(0));
    return c == pos ? 1 : c == neg ? -1 : 0;
  }

  private static long secondsMillis(String s, Tokenizer st) throws TextParseException {
    int dot = s.indexOf('.');
    String whole = dot < 0 ? s : s.substring(0, dot);
    String frac = dot < 0 ? "" : s.substring(dot + 1);
    if (frac.length() > 3) {
      throw st.exception("too many decimals in seconds: " + s);
    }
    long sec = Codecs.uintOf(whole, 59, st);
    long ms = frac.isEmpty() ? 0 : Codecs.uintOf(frac, 999, st) * (long) Math.pow(10, 3 - frac.length());
    return sec * 1000 + ms;
  }

  /**
   * Why a LOC rdata in wire form is one BIND refuses (RFC 3597 input), or null: precisions must
   * be mantissa 1-9 and exponent 0-9 (or zero), latitude and longitude within range.
   */
  public static String locWireProblem(byte[] w) {
    if (w.length != 16 || w[0] != 0) {
      return "a LOC rdata is 16 octets of version 0";
    }
    for (int i = 1; i <= 3; i++) {
      int c = w[i] & 0xFF;
      if (c != 0 && ((c & 0xF) > 9 || (c >> 4) > 9 || (c >> 4) == 0)) {
        return "a LOC precision is not a valid mantissa and exponent";
      }
    }
    long lat = ((w[4] & 0xFFL) << 24) | ((w[5] & 0xFFL) << 16) | ((w[6] & 0xFFL) << 8) | (w[7] & 0xFFL);
    long lon = ((w[8] & 0xFFL) << 24) | ((w[9] & 0xFFL) << 16) | ((w[10] & 0xFFL) << 8) | (w[11] & 0xFFL);
    if (Math.abs(lat - (1L << 31)) > 90L * 3600000 || Math.abs(lon - (1L << 31)) > 180L * 3600000) {
      return "a LOC latitude or longitude is out of range";
    }
    return null;
  }

  /** "[-]m[.cc][m]" in centimetres, exactly. */
  private static long centimetres(String text, boolean signed, Tokenizer st) throws TextParseException {
    String s = text;
    if (s.endsWith("m") || s.endsWith("M")) {
      s = s.substring(0, s.length() - 1);
    }
    boolean negative = false;
    if (signed && s.startsWith("-")) {
      negative = true;
      s = s.substring(1);
    }
    int dot = s.indexOf('.');
    String whole = dot < 0 ? s : s.substring(0, dot);
    String frac = dot < 0 ? "" : s.substring(dot + 1);
    if (whole.isEmpty() || frac.length() > 2 || !whole.chars().allMatch(Character::isDigit) || !frac.chars().allMatch(Character::isDigit) || whole.length() > 10) {
      throw st.exception("bad distance: " + text);
    }
    long cm = Long.parseLong(whole) * 100 + (frac.isEmpty() ? 0 : Long.parseLong(frac) * (frac.length() == 1 ? 10 : 1));
    return negative ? -cm : cm;
  }

  /** Size and precisions: centimetres as mantissa and power of ten (truncating). */
  private static int precision(String text, Tokenizer st) throws TextParseException {
    long cm = centimetres(text, false, st);
    if (cm / 100 > 90000000L) {
      throw st.exception("precision out of range: " + text);
    }
    int exponent = 0;
    long pow = 1;
    while (exponent < 9 && cm >= pow * 10) {
      pow *= 10;
      exponent++;
    }
    long mantissa = cm / pow;
    return (int) ((mantissa << 4) | exponent);
  }

  // ---------------------------------------------------------------- WKS

  private static byte[] wks(Tokenizer st) throws IOException {
    byte[] addr = st.getAddressBytes(Address.IPv4);
    String proto = st.getString();
    int protocol;
    if (!proto.isEmpty() && Character.isDigit(proto.charAt(0))) {
      protocol = (int) Codecs.uintOf(proto, 255, st);
    } else {
      Integer p = PROTOCOLS.get(proto.toLowerCase(Locale.ROOT));
      if (p == null) {
        throw st.exception("unknown protocol: " + proto);
      }
      protocol = p;
    }
    TreeSet<Integer> ports = new TreeSet<>();
    for (String s : Codecs.rest(st)) {
      if (!s.isEmpty() && Character.isDigit(s.charAt(0))) {
        ports.add((int) Codecs.uintOf(s, 0xFFFF, st));
      } else {
        Integer port = services().get(s.toLowerCase(Locale.ROOT) + "/" + protoName(protocol));
        if (port == null) {
          throw st.exception("unknown service: " + s);
        }
        ports.add(port);
      }
    }
    DNSOutput out = new DNSOutput();
    out.writeByteArray(addr);
    out.writeU8(protocol);
    if (!ports.isEmpty()) {
      byte[] bitmap = new byte[ports.last() / 8 + 1];
      for (int p : ports) {
        bitmap[p / 8] |= (byte) (0x80 >>> (p % 8));
      }
      out.writeByteArray(bitmap);
    }
    return out.toByteArray();
  }

  private static final Map<String, Integer> PROTOCOLS = Map.of("tcp", 6, "udp", 17, "icmp", 1, "ip", 0, "ipv6", 41, "sctp", 132);

  private static String protoName(int p) {
    return p == 17 ? "udp" : p == 132 ? "sctp" : "tcp";
  }

  private static Map<String, Integer> services;

  /** name/proto → port, from the system's services database as BIND uses it, plus a fallback. */
  private static synchronized Map<String, Integer> services() {
    if (services == null) {
      Map<String, Integer> m = new HashMap<>();
      String[][] fallback = {
        {"tcpmux", "1"}, {"echo", "7"}, {"discard", "9"}, {"daytime", "13"}, {"ftp-data", "20"},
        {"ftp", "21"}, {"ssh", "22"}, {"telnet", "23"}, {"smtp", "25"}, {"time", "37"},
        {"domain", "53"}, {"finger", "79"}, {"http", "80"}, {"www", "80"}, {"pop3", "110"},
        {"sunrpc", "111"}, {"auth", "113"}, {"nntp", "119"}, {"ntp", "123"}, {"imap", "143"},
        {"snmp", "161"}, {"ldap", "389"}, {"https", "443"}, {"submission", "587"}
      };
      for (String[] f : fallback) {
        m.put(f[0] + "/tcp", Integer.parseInt(f[1]));
        m.put(f[0] + "/udp", Integer.parseInt(f[1]));
      }
      Path etc = Path.of("/etc/services");
      if (Files.isReadable(etc)) {
        try {
          for (String line : Files.readAllLines(etc, StandardCharsets.ISO_8859_1)) {
            String l = line.replaceAll("#.*", "").strip();
            if (l.isEmpty()) {
              continue;
            }
            String[] f = l.split("\\s+");
            if (f.length < 2 || !f[1].contains("/")) {
              continue;
            }
            String[] pp = f[1].split("/");
            try {
              int port = Integer.parseInt(pp[0]);
              for (int i = 0; i < f.length; i++) {
                if (i == 1) {
                  continue;
                }
                m.put(f[i].toLowerCase(Locale.ROOT) + "/" + pp[1], port);
              }
            } catch (NumberFormatException ignored) {
              // not a port line
            }
          }
        } catch (IOException ignored) {
          // keep the fallback
        }
      }
      services = m;
    }
    return services;
  }

  // ---------------------------------------------------------------- NSAP

  private static byte[] nsap(Tokenizer st) throws IOException {
    String s = st.getString();
    if (!s.regionMatches(true, 0, "0x", 0, 2)) {
      throw st.exception("NSAP must start with 0x");
    }
    String hex = s.substring(2).replace(".", "");
    if (hex.isEmpty() || (hex.length() & 1) != 0 || !Codecs.isHex(hex)) {
      throw st.exception("bad NSAP: " + s);
    }
    return HexFormat.of().parseHex(hex);
  }

  // ---------------------------------------------------------------- checks only

  private static String nsec3(List<String> tokens) {
    if (tokens.size() < 5 || isGeneric(tokens)) {
      return null;
    }
    String next = tokens.get(4);
    if (next.indexOf('=') >= 0) {
      return "the next hashed owner name must not be padded with '='";
    }
    if (tokens.get(0).equals("1") && next.length() != 32) {
      return "a SHA-1 next hashed owner name must be 20 octets (32 base32 digits)";
    }
    return null;
  }
}
