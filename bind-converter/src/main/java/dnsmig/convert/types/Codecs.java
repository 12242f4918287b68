package dnsmig.convert.types;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.xbill.DNS.DNSInput;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Tokenizer;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;

/** The codecs of the extra types, each a small function pair written after BIND 9.18's reader. */
final class Codecs {
  private Codecs() {}

  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  // ---------------------------------------------------------------- token helpers

  /** All remaining tokens of the record; the end-of-line token is pushed back. */
  static List<String> rest(Tokenizer st) throws IOException {
    List<String> out = new ArrayList<>();
    while (true) {
      Tokenizer.Token t = st.get();
      if (!t.isString()) {
        st.unget();
        return out;
      }
      out.add(t.value());
    }
  }

  static String joinRest(Tokenizer st) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (String t : rest(st)) {
      sb.append(t);
    }
    return sb.toString();
  }

  static byte[] hexOf(String s, Tokenizer st) throws TextParseException {
    if ((s.length() & 1) != 0) {
      throw st.exception("bad hex encoding (odd number of digits)");
    }
    try {
      return HexFormat.of().parseHex(s);
    } catch (IllegalArgumentException e) {
      throw st.exception("bad hex encoding");
    }
  }

  static byte[] base64Of(String s, Tokenizer st) throws TextParseException {
    if (s.length() % 4 != 0) {
      throw st.exception("bad base64 encoding (BIND requires padding)");
    }
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw st.exception("bad base64 encoding");
    }
  }

  static int uint(Tokenizer st, long max) throws IOException {
    String s = st.getString();
    return (int) uintOf(s, max, st);
  }

  static long uintOf(String s, long max, Tokenizer st) throws TextParseException {
    if (s.isEmpty() || s.length() > 10) {
      throw st.exception("not a valid number: " + s);
    }
    long v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw st.exception("not a valid number: " + s);
      }
      v = v * 10 + (c - '0');
    }
    if (v > max) {
      throw st.exception("out of range: " + s);
    }
    return v;
  }

  static String quoted(byte[] s) {
    return ExtraRecord.bytesToString(s, true);
  }

  // ---------------------------------------------------------------- codecs

  /** One or more character-strings (NINFO, AVC, RESINFO, WALLET). */
  static final RdataCodec TXT_LIKE =
      new RdataCodec() {
        @Override
        public byte[] fromText(Tokenizer st, Name origin) throws IOException {
          DNSOutput out = new DNSOutput();
          int n = 0;
          for (String t : rest(st)) {
            byte[] b = ExtraRecord.bytesFromString(t);
            out.writeCountedString(b);
            n++;
          }
          if (n == 0) {
            throw st.exception("unexpected end of input");
          }
          return out.toByteArray();
        }

        @Override
        public String toText(byte[] wire) throws IOException {
          DNSInput in = new DNSInput(wire);
          StringBuilder sb = new StringBuilder();
          if (in.remaining() == 0) {
            throw new WireParseException("empty");
          }
          while (in.remaining() > 0) {
            if (sb.length() > 0) {
              sb.append(' ');
            }
            sb.append(quoted(in.readCountedString()));
          }
          return sb.toString();
        }
      };

  /** GPOS (type 27): exactly three character-strings, not checked as numbers (as BIND). */
  static final RdataCodec GPOS =
      new RdataCodec() {
        @Override
        public byte[] fromText(Tokenizer st, Name origin) throws IOException {
          DNSOutput out = new DNSOutput();
          for (int i = 0; i < 3; i++) {
            out.writeCountedString(ExtraRecord.bytesFromString(st.getString()));
          }
          return out.toByteArray();
        }

        @Override
        public String toText(byte[] wire) throws IOException {
          DNSInput in = new DNSInput(wire);
          String s =
              quoted(in.readCountedString())
                  + " "
                  + quoted(in.readCountedString())
                  + " "
                  + quoted(in.readCountedString());
          requireEnd(in);
          return s;
        }
      };

  /** A hex string in one or more tokens, at least one octet (EID, NIMLOC). */
  static final RdataCodec HEX_DATA =
      new RdataCodec() {
        @Override
        public byte[] fromText(Tokenizer st, Name origin) throws IOException {
          String s = joinRest(st);
          if (s.isEmpty()) {
            throw st.exception("unexpected end of input");
          }
          return hexOf(s, st);
        }

        @Override
        public String toText(byte[] wire) throws IOException {
          if (wire.length == 0) {
            throw new WireParseException("empty");
          }
          return HEX.formatHex(wire);
        }
      };

  /** Base64 in one or more tokens, at least one octet (HHIT, BRID). */
  static final RdataCodec BASE64_DATA =
      new RdataCodec() {
        @Override
        public byte[] fromText(Tokenizer st, Name origin) throws IOException {
          String s = joinRest(st);
          if (s.isEmpty()) {
            throw st.exception("unexpected end of input");
          }
          return base64Of(s, st);
        }

        @Override
        public String toText(byte[] wire) throws IOException {
          if (wire.length == 0) {
            throw new WireParseException("empty");
          }
          return Base64.getEncoder().encodeToString(wire);
        }
      };

  /** ATMA (type 34): "+digits" for E.164, otherwise hex NSAP with optional dots. */
  static final RdataCodec ATMA =
      new RdataCodec() {
        @Override
        public byte[] fromText(Tokenizer st, Name origin) throws IOException {
          String s = st.getString();
          DNSOutput out = new DNSOutput();
          if (s.startsWith("+")) {
            out.writeU8(1);
            if (s.length() == 1) {
              throw st.exception("bad E.164 address");
            }
            int digits = 0;
            for (int i = 1; i < s.length(); i++) {
              char c = s.charAt(i);
              if (c == '.') {
                continue; // BIND skips dots in E.164 addresses
              }
              if (c < '0' || c > '9') {
                throw st.exception("bad E.164 address");
              }
              out.writeU8(c);
              digits++;
            }
            if (digits == 0) {
              throw st.exception("bad E.164 address");
            }
          } else {
            out.writeU8(0);
            String hex = s.replace(".", "");
            if (hex.isEmpty()) {
              throw st.exception("bad NSAP address");
            }
            out.writeByteArray(hexOf(hex, st));
          }
          return out.toByteArray();
        }

        @Override
        public String toText(byte[] wire) throws IOException {
          if (wire.length < 2) {
            throw new WireParseException("short ATMA");
          }
          byte[] rest = java.util.Arrays.copyOfRange(wire, 1, wire.length);
          return switch (wire[0]) {
            case 0 -> HEX.formatHex(rest);
            case 1 -> "+" + new String(rest, java.nio.charset.StandardCharsets.ISO_8859_1);
            default -> throw new WireParseException("bad ATMA format");
          };
        }
      };

  /** SINK (type 40): meaning, coding, subcoding, optional base64 data. */
  static final RdataCodec SINK =
      new RdataCodec() {
        @Override
        public byte[] fromText(Tokenizer st, Name origin) throws IOException {
          DNSOutput out = new DNSOutput();
          out.writeU8(uint(st, 255));
          out.writeU8(uint(st, 255));
          out.writeU8(uint(st, 255));
          out.writeByteArray(base64Of(joinRest(st), st));
          return out.toByteArray();
        }

        @Override
        public String toText(byte[] wire) throws IOException {
          DNSInput in = new DNSInput(wire);
          String s = in.readU8() + " " + in.readU8() + " " + in.readU8();
          byte[] d = in.readByteArray();
          return d.length == 0 ? s : s + " " + Base64.getEncoder().encodeToString(d);
        }
      };

  /** RKEY (type 57): flags (BIND: must be 0), protocol, algorithm, base64 key, like DNSKEY. */
  static final RdataCodec RKEY =
      new RdataCodec() {
        @Override
        public byte[] fromText(Tokenizer st, Name origin) throws IOException {
          DNSOutput out = new DNSOutput();
          int flags = uint(st, 0xFFFF);
          if (flags != 0) {
            throw st.exception("RKEY flags must be 0");
          }
          out.writeU16(flags);
          out.writeU8(uint(st, 255));
          out.writeU8(algorithm(st));
          String key = joinRest(st);
          if (key.isEmpty()) {
            throw st.exception("unexpected end of input");
          }
          out.writeByteArray(base64Of(key, st));
          return out.toByteArray();
        }

        @Override
        public String toText(byte[] wire) throws IOException {
          DNSInput in = new DNSInput(wire);
          return in.readU16()
              + " "
              + in.readU8()
              + " "
              + in.readU8()
              + " "
              + Base64.getEncoder().encodeToString(in.readByteArray());
        }
      };

  static int algorithm(Tokenizer st) throws IOException {
    String s = st.getString();
    if (!s.isEmpty() && Character.isDigit(s.charAt(0))) {
      return (int) uintOf(s, 255, st);
    }
    int v = DNSSEC.Algorithm.value(s.toUpperCase(Locale.ROOT));
    if (v < 0) {
      throw st.exception("unknown algorithm: " + s);
    }
    return v;
  }

  /** TA (type 32768): key tag, algorithm, digest type, hex digest, like DS. */
  static final RdataCodec DS_LIKE =
      new RdataCodec() {
        @Override
        public byte[] fromText(Tokenizer st, Name origin) throws IOException {
          DNSOutput out = new DNSOutput();
          out.writeU16(uint(st, 0xFFFF));
          out.writeU8(algorithm(st));
          int digestType = uint(st, 255);
          out.writeU8(digestType);
          String hex = joinRest(st);
          if (hex.isEmpty()) {
            throw st.exception("unexpected end of input");
          }
          byte[] digest = hexOf(hex, st);
          int want =
              switch (digestType) {
                case 1 -> 20;
                case 2 -> 32;
                case 4 -> 48;
                default -> -1;
              };
          if (want > 0 && digest.length != want) {
            throw st.exception("digest length does not match its type");
          }
          out.writeByteArray(digest);
          return out.toByteArray();
        }

        @Override
        public String toText(byte[] wire) throws IOException {
          DNSInput in = new DNSInput(wire);
          return in.readU16()
              + " "
              + in.readU8()
              + " "
              + in.readU8()
              + " "
              + HEX.formatHex(in.readByteArray());
        }
      };

  /** TALINK (type 58): previous and next name. */
  static final RdataCodec TWO_NAMES =
      new RdataCodec() {
        @Override
        public byte[] fromText(Tokenizer st, Name origin) throws IOException {
          DNSOutput out = new DNSOutput();
          st.getName(origin).toWire(out, null, false);
          st.getName(origin).toWire(out, null, false);
          return out.toByteArray();
        }

        @Override
        public String toText(byte[] wire) throws IOException {
          DNSInput in = new DNSInput(wire);
          String s = new Name(in) + " " + new Name(in);
          requireEnd(in);
          return s;
        }
      };

  static void requireEnd(DNSInput in) throws WireParseException {
    if (in.remaining() != 0) {
      throw new WireParseException("trailing data");
    }
  }

  /** LP (type 107): preference and a name. */
  static final RdataCodec PREF_NAME =
      new RdataCodec() {
        @Override
        public byte[] fromText(Tokenizer st, Name origin) throws IOException {
          DNSOutput out = new DNSOutput();
          out.writeU16(uint(st, 0xFFFF));
          st.getName(origin).toWire(out, null, false);
          return out.toByteArray();
        }

        @Override
        public String toText(byte[] wire) throws IOException {
          DNSInput in = new DNSInput(wire);
          String s = in.readU16() + " " + new Name(in);
          requireEnd(in);
          return s;
        }
      };

  /** L32 (type 105): preference and an IPv4 locator. */
  static final RdataCodec L32 =
      new RdataCodec() {
        @Override
        public byte[] fromText(Tokenizer st, Name origin) throws IOException {
          DNSOutput out = new DNSOutput();
          out.writeU16(uint(st, 0xFFFF));
          out.writeByteArray(st.getAddressBytes(org.xbill.DNS.Address.IPv4));
          return out.toByteArray();
        }

        @Override
        public String toText(byte[] wire) throws IOException {
          if (wire.length != 6) {
            throw new WireParseException("L32 length");
          }
          DNSInput in = new DNSInput(wire);
          int pref = in.readU16();
          return pref
              + " "
              + (wire[2] & 0xFF)
              + "."
              + (wire[3] & 0xFF)
              + "."
              + (wire[4] & 0xFF)
              + "."
              + (wire[5] & 0xFF);
        }
      };

  /** NID and L64 (types 104, 106): preference and a 64-bit value written as four hex groups. */
  static final RdataCodec PREF_64 =
      new RdataCodec() {
        @Override
        public byte[] fromText(Tokenizer st, Name origin) throws IOException {
          DNSOutput out = new DNSOutput();
          out.writeU16(uint(st, 0xFFFF));
          String s = st.getString();
          String[] groups = s.split(":", -1);
          if (groups.length != 4) {
            throw st.exception("bad 64-bit locator: " + s);
          }
          for (String g : groups) {
            if (g.isEmpty() || g.length() > 4 || !isHex(g)) {
              throw st.exception("bad 64-bit locator: " + s);
            }
            out.writeU16(Integer.parseInt(g, 16));
          }
          return out.toByteArray();
        }

        @Override
        public String toText(byte[] wire) throws IOException {
          if (wire.length != 10) {
            throw new WireParseException("length");
          }
          DNSInput in = new DNSInput(wire);
          StringBuilder sb = new StringBuilder().append(in.readU16()).append(' ');
          for (int i = 0; i < 4; i++) {
            if (i > 0) {
              sb.append(':');
            }
            sb.append(String.format(Locale.ROOT, "%04x", in.readU16()));
          }
          return sb.toString();
        }
      };

  static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.digit(s.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * EUI48/EUI64: octets as hex pairs separated by '-'. BIND 9.18 reads each octet with {@code
   * %2x}, so one-digit octets and trailing text after the last octet are accepted.
   */
  static RdataCodec eui(int octets) {
    return new RdataCodec() {
      @Override
      public byte[] fromText(Tokenizer st, Name origin) throws IOException {
        String s = st.getString();
        byte[] out = new byte[octets];
        int p = 0;
        for (int i = 0; i < octets; i++) {
          if (i > 0) {
            if (p >= s.length() || s.charAt(p) != '-') {
              throw st.exception("bad EUI: " + s);
            }
            p++;
          }
          int start = p;
          int v = 0;
          while (p < s.length() && p - start < 2 && Character.digit(s.charAt(p), 16) >= 0) {
            v = v * 16 + Character.digit(s.charAt(p), 16);
            p++;
          }
          if (p == start) {
            throw st.exception("bad EUI: " + s);
          }
          out[i] = (byte) v;
        }
        return out;
      }

      @Override
      public String toText(byte[] wire) throws IOException {
        if (wire.length != octets) {
          throw new WireParseException("EUI length");
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < wire.length; i++) {
          if (i > 0) {
            sb.append('-');
          }
          sb.append(String.format(Locale.ROOT, "%02x", wire[i] & 0xFF));
        }
        return sb.toString();
      }
    };
  }

  /** CSYNC (type 62): SOA serial, flags, type bitmap. */
  static final RdataCodec CSYNC =
      new RdataCodec() {
        @Override
        public byte[] fromText(Tokenizer st, Name origin) throws IOException {
          DNSOutput out = new DNSOutput();
          out.writeU32(uintOf(st.getString(), 0xFFFFFFFFL, st));
          out.writeU16(uint(st, 0xFFFF));
          TreeSet<Integer> types = new TreeSet<>();
          for (String t : rest(st)) {
            int type = Type.value(t, true);
            if (type < 0) {
              throw st.exception("unknown type: " + t);
            }
            types.add(type);
          }
          out.writeByteArray(TypeBitmaps.toWire(types));
          return out.toByteArray();
        }

        @Override
        public String toText(byte[] wire) throws IOException {
          DNSInput in = new DNSInput(wire);
          StringBuilder sb = new StringBuilder();
          sb.append(in.readU32()).append(' ').append(in.readU16());
          for (int t : TypeBitmaps.fromWire(in.readByteArray())) {
            sb.append(' ').append(Type.string(t));
          }
          return sb.toString();
        }
      };

  /** DOA (type 259): enterprise, type, location, media type, base64 data or "-". */
  static final RdataCodec DOA =
      new RdataCodec() {
        @Override
        public byte[] fromText(Tokenizer st, Name origin) throws IOException {
          DNSOutput out = new DNSOutput();
          out.writeU32(uintOf(st.getString(), 0xFFFFFFFFL, st));
          out.writeU32(uintOf(st.getString(), 0xFFFFFFFFL, st));
          out.writeU8(uint(st, 255));
          out.writeCountedString(ExtraRecord.bytesFromString(st.getString()));
          String data = joinRest(st);
          if (data.isEmpty()) {
            throw st.exception("unexpected end of input");
          }
          if (!data.equals("-")) {
            out.writeByteArray(base64Of(data, st));
          }
          return out.toByteArray();
        }

        @Override
        public String toText(byte[] wire) throws IOException {
          DNSInput in = new DNSInput(wire);
          StringBuilder sb = new StringBuilder();
          sb.append(in.readU32()).append(' ').append(in.readU32()).append(' ');
          sb.append(in.readU8()).append(' ').append(quoted(in.readCountedString())).append(' ');
          byte[] d = in.readByteArray();
          sb.append(d.length == 0 ? "-" : Base64.getEncoder().encodeToString(d));
          return sb.toString();
        }
      };

  /** AMTRELAY (type 260): precedence, discovery bit, relay type, relay. */
  static final RdataCodec AMTRELAY =
      new RdataCodec() {
        @Override
        public byte[] fromText(Tokenizer st, Name origin) throws IOException {
          DNSOutput out = new DNSOutput();
          out.writeU8(uint(st, 255));
          int d = uint(st, 1);
          int type = uint(st, 127);
          out.writeU8((d << 7) | type);
          switch (type) {
            case 0 -> {
              Tokenizer.Token t = st.get();
              if (t.isString()) {
                if (!t.value().equals(".")) {
                  throw st.exception("relay must be '.' for type 0");
                }
              } else {
                st.unget();
              }
            }
            case 1 -> out.writeByteArray(st.getAddressBytes(org.xbill.DNS.Address.IPv4));
            case 2 -> out.writeByteArray(st.getAddressBytes(org.xbill.DNS.Address.IPv6));
            case 3 -> st.getName(origin).toWire(out, null, false);
            default -> {
              String rest = joinRest(st);
              if (!rest.isEmpty()) {
                throw st.exception("unknown relay type needs no data");
              }
            }
          }
          return out.toByteArray();
        }

        @Override
        public String toText(byte[] wire) throws IOException {
          DNSInput in = new DNSInput(wire);
          int prec = in.readU8();
          int b = in.readU8();
          int type = b & 0x7F;
          String head = prec + " " + (b >> 7) + " " + type;
          String relay =
              switch (type) {
                case 0 -> ".";
                case 1 -> {
                  byte[] a = in.readByteArray(4);
                  yield (a[0] & 0xFF) + "." + (a[1] & 0xFF) + "." + (a[2] & 0xFF) + "." + (a[3] & 0xFF);
                }
                case 2 -> java.net.InetAddress.getByAddress(in.readByteArray(16)).getHostAddress();
                case 3 -> new Name(in).toString();
                default -> throw new WireParseException("unknown relay type");
              };
          requireEnd(in);
          return head + " " + relay;
        }
      };

  /** DSYNC (type 66): RR type, scheme, port, target. */
  static final RdataCodec DSYNC =
      new RdataCodec() {
        @Override
        public byte[] fromText(Tokenizer st, Name origin) throws IOException {
          DNSOutput out = new DNSOutput();
          String typeText = st.getString();
          int type = Type.value(typeText, true);
          if (type < 0) {
            throw st.exception("unknown type: " + typeText);
          }
          out.writeU16(type);
          String scheme = st.getString();
          out.writeU8(
              scheme.equalsIgnoreCase("NOTIFY") ? 1 : (int) uintOf(scheme, 255, st));
          out.writeU16(uint(st, 0xFFFF));
          st.getName(origin).toWire(out, null, false);
          return out.toByteArray();
        }

        @Override
        public String toText(byte[] wire) throws IOException {
          DNSInput in = new DNSInput(wire);
          String s =
              Type.string(in.readU16()) + " " + in.readU8() + " " + in.readU16() + " " + new Name(in);
          requireEnd(in);
          return s;
        }
      };

}
